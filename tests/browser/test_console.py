"""The console in a real headless Chromium, against `tinhso dev` (scripts/browser-tests.sh).

Each test is what a person does: the province's administrator signs in for the first time and
sets their password, opens the unit tree from the menu and adds a district; a district clerk
signs in and sees their district only; a forged form is refused. Screenshots of the main pages
are written for the README.
"""

import datetime
import json
import os
import urllib.error
import urllib.request
import uuid

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["TINHSO_BASE"]
ADMIN_PASSWORD = os.environ["TINHSO_ADMIN_PASSWORD"]
SHOTS = os.environ.get("TINHSO_SCREENSHOTS", "target/screenshots")
NEW_PASSWORD = "Quản trị tỉnh số của tôi 2026"


def browser():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1366,768", "--lang=vi",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    # Elements are looked for until they appear (a page after a form post takes a moment).
    driver.implicitly_wait(5)
    return driver


def until(driver, condition, what):
    """Waits up to 20 s for `condition(driver)`; fails saying `what`. Creating an account hashes
    its one-time password (argon2, 19 MiB) in `tinhso dev`'s debug build: seconds on a busy CI
    machine, so a tighter wait failed there once while the page was still coming."""
    WebDriverWait(driver, 20, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)).until(
        condition, message=what
    )


def heading(driver):
    """The page's heading, or "" while the page is being replaced: Chrome may answer a heading
    found on the old page with "Node ... does not belong to the document" rather than a stale
    element, and `until` asks again."""
    try:
        found = driver.find_elements(By.TAG_NAME, "h1")
        return found[0].text if found else ""
    except WebDriverException:
        return ""


@pytest.fixture(scope="module")
def admin():
    """The administrator's browser, signed in with their own password."""
    driver = browser()
    driver.get(BASE + "/")
    assert "/dang-nhap" in driver.current_url
    driver.save_screenshot(f"{SHOTS}/dang-nhap.png")
    sign_in(driver, "admin", ADMIN_PASSWORD)
    # The one-time password leads to the password change, and nowhere else.
    until(driver, lambda d: d.current_url.endswith("/doi-mat-khau"), "the password change")
    assert "lần đăng nhập đầu tiên" in driver.page_source
    driver.find_element(By.ID, "current_password").send_keys(ADMIN_PASSWORD)
    driver.find_element(By.ID, "new_password").send_keys("ngắn")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"), "the error summary")
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary")
    assert "12 ký tự" in summary.text
    driver.find_element(By.ID, "current_password").send_keys(ADMIN_PASSWORD)
    driver.find_element(By.ID, "new_password").send_keys(NEW_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    until(driver, lambda d: heading(d) == "Việc cần làm", "the home page")
    yield driver
    driver.quit()


def sign_in(driver, username, password):
    driver.get(BASE + "/dang-nhap")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()


def api(path, body=None, token=None):
    request = urllib.request.Request(
        BASE + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})},
        method="POST" if body is not None else "GET",
    )
    try:
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        raise AssertionError(f"{path}: {e.code} {e.read().decode()}") from e


def test_the_administrator_adds_a_district_from_the_unit_tree(admin):
    admin.find_element(By.LINK_TEXT, "Đơn vị").click()
    until(admin, lambda d: heading(d) == "Cây đơn vị", "the unit tree")
    # Bad input first: the problem is listed at the top and at its field.
    admin.find_element(By.ID, "code").send_keys("mã sai!")
    admin.find_element(By.CSS_SELECTOR, "form[method=post][action='/don-vi'] button").click()
    until(admin, lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary a[href='#name']"), "the name's error")
    admin.find_element(By.ID, "code").clear()
    admin.find_element(By.ID, "code").send_keys("H-CAOLANH")
    admin.find_element(By.ID, "name").send_keys("Huyện Cao Lãnh")
    for option in admin.find_elements(By.CSS_SELECTOR, "#kind option"):
        if option.get_attribute("value") == "3":
            option.click()
    admin.find_element(By.CSS_SELECTOR, "form[method=post][action='/don-vi'] button").click()
    until(admin, lambda d: "Đã tạo đơn vị" in d.page_source, "the unit created")
    cells = [td.text for td in admin.find_elements(By.CSS_SELECTOR, "tbody td")]
    assert "Huyện Cao Lãnh" in cells and "H-CAOLANH" in cells
    admin.save_screenshot(f"{SHOTS}/don-vi.png")
    # The search keeps its words in the address: bookmarkable, the back button works.
    admin.find_element(By.ID, "q").send_keys("cao lanh")
    admin.find_element(By.CSS_SELECTOR, "form[role=search] button").click()
    until(admin, lambda d: "q=cao+lanh" in d.current_url, "the search in the address")
    assert "Ủy ban nhân dân tỉnh" not in [td.text for td in admin.find_elements(By.CSS_SELECTOR, "tbody td")]


def test_a_district_clerk_sees_only_their_district(admin):
    # The administrator creates the clerk's account in the console; the password shows once.
    admin.get(BASE + "/tai-khoan")
    admin.find_element(By.LINK_TEXT, "Thêm tài khoản").click()
    until(admin, lambda d: heading(d) == "Thêm tài khoản", "the account form")
    admin.find_element(By.ID, "username").send_keys("nhaplieu.caolanh")
    admin.find_element(By.ID, "full_name").send_keys("Nguyễn Thị Nhập")
    for option in admin.find_elements(By.CSS_SELECTOR, "#unit_id option"):
        if option.text == "Huyện Cao Lãnh":
            option.click()
    admin.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    until(admin, lambda d: d.find_elements(By.ID, "secret"), "the one-time password")
    initial_password = admin.find_element(By.ID, "secret").text
    admin.save_screenshot(f"{SHOTS}/tai-khoan-moi.png")
    # Its role is granted on the account's page, over the district.
    admin.find_element(By.LINK_TEXT, "Tài khoản").click()
    admin.find_element(By.LINK_TEXT, "nhaplieu.caolanh").click()
    grant(admin, "data_entry", "Huyện Cao Lãnh")
    created = {"initialPassword": initial_password}
    clerk = browser()
    try:
        first_sign_in(clerk, "nhaplieu.caolanh", created["initialPassword"], "Mật khẩu của người nhập liệu")
        clerk.find_element(By.LINK_TEXT, "Đơn vị").click()
        until(clerk, lambda d: heading(d) == "Cây đơn vị", "the clerk's unit tree")
        cells = [td.text for td in clerk.find_elements(By.CSS_SELECTOR, "tbody td")]
        assert "Huyện Cao Lãnh" in cells
        assert "Ủy ban nhân dân tỉnh" not in cells
        assert not clerk.find_elements(By.ID, "tao-don-vi"), "no form to add units"
        # The clerk adds a record of the district's staff and finds it again without diacritics.
        clerk.find_element(By.LINK_TEXT, "Hồ sơ cán bộ").click()
        until(clerk, lambda d: d.find_elements(By.LINK_TEXT, "Thêm hồ sơ"), "the records page")
        clerk.find_element(By.LINK_TEXT, "Thêm hồ sơ").click()
        until(clerk, lambda d: heading(d) == "Thêm hồ sơ", "the record form")
        clerk.find_element(By.ID, "full_name").send_keys("Lê Thị Mỹ Hạnh")
        clerk.find_element(By.ID, "birth_date").send_keys("07/03/1985")
        for option in clerk.find_elements(By.CSS_SELECTOR, "#sex option"):
            if option.get_attribute("value") == "2":
                option.click()
        clerk.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        until(clerk, lambda d: "Đã thêm hồ sơ." in d.page_source, "the record added")
        assert "07/03/1985" in clerk.page_source
        clerk.save_screenshot(f"{SHOTS}/ho-so.png")
        clerk.get(BASE + "/ho-so?q=my+hanh")
        until(clerk, lambda d: d.find_elements(By.LINK_TEXT, "Lê Thị Mỹ Hạnh"), "the record found")
    finally:
        clerk.quit()


def choose(driver, select_id, text):
    """Picks the first option of select #`select_id` whose label contains `text`."""
    options = driver.find_elements(By.CSS_SELECTOR, f"#{select_id} option")
    for option in options:
        if text in option.get_attribute("textContent"):
            option.click()
            return
    raise AssertionError(f"no {text!r} in #{select_id}: {[o.get_attribute('textContent') for o in options]}")


def grant(admin, role_code, unit_name):
    """Grants a role over a unit from the account's page (the page is open)."""
    choose(admin, "role_id", f"({role_code})")
    choose(admin, "scope_unit_id", unit_name)
    admin.find_element(By.CSS_SELECTOR, "form[action$='/quyen'] button").click()
    until(admin, lambda d: d.find_elements(By.XPATH, f"//tbody/tr/td[contains(., '{unit_name}')]"), "the grant listed")


def first_sign_in(driver, username, initial_password, password):
    sign_in(driver, username, initial_password)
    driver.find_element(By.ID, "current_password").send_keys(initial_password)
    driver.find_element(By.ID, "new_password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    until(driver, lambda d: heading(d) == "Việc cần làm", f"{username}'s home page")


def test_a_clerk_edits_and_transfers_a_record_and_the_receiving_district_accepts(admin):
    # A second district and its clerk, made in the console.
    admin.get(BASE + "/don-vi")
    admin.find_element(By.ID, "code").send_keys("H-LAPVO")
    admin.find_element(By.ID, "name").send_keys("Huyện Lấp Vò")
    choose(admin, "kind", "Huyện")
    admin.find_element(By.CSS_SELECTOR, "form[method=post][action='/don-vi'] button").click()
    until(admin, lambda d: "Đã tạo đơn vị" in d.page_source, "the district created")
    admin.get(BASE + "/tai-khoan/moi")
    admin.find_element(By.ID, "username").send_keys("nhaplieu.lapvo")
    admin.find_element(By.ID, "full_name").send_keys("Trần Văn Nhận")
    choose(admin, "unit_id", "Huyện Lấp Vò")
    admin.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    until(admin, lambda d: d.find_elements(By.ID, "secret"), "the one-time password")
    receiver_password = admin.find_element(By.ID, "secret").text
    admin.find_element(By.LINK_TEXT, "Xem tài khoản").click()
    grant(admin, "data_entry", "Huyện Lấp Vò")

    clerk, receiver = browser(), browser()
    try:
        sign_in(clerk, "nhaplieu.caolanh", "Mật khẩu của người nhập liệu")
        until(clerk, lambda d: heading(d) == "Việc cần làm", "the clerk's home page")
        clerk.get(BASE + "/ho-so?q=my+hanh")
        clerk.find_element(By.LINK_TEXT, "Lê Thị Mỹ Hạnh").click()
        until(clerk, lambda d: heading(d).startswith("Lê Thị Mỹ Hạnh"), "the record")
        record = clerk.current_url
        # Two people edit the record at once: the later save is refused, not lost over the first.
        clerk.find_element(By.LINK_TEXT, "Sửa thông tin").click()
        admin.get(record + "/sua")
        admin.find_element(By.ID, "position").clear()
        admin.find_element(By.ID, "position").send_keys("Chuyên viên")
        # A new position is dated by its decision.
        admin.find_element(By.ID, "effective_date").send_keys("02/11/2026")
        admin.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        until(admin, lambda d: "Đã lưu thay đổi." in d.page_source, "the first save")
        clerk.find_element(By.ID, "position").clear()
        clerk.find_element(By.ID, "position").send_keys("Phó trưởng phòng")
        clerk.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        until(clerk, lambda d: d.find_elements(By.CSS_SELECTOR, ".error-summary"), "the conflict")
        clerk.get(record)
        assert "Chuyên viên" in clerk.page_source and "Phó trưởng phòng" not in clerk.page_source
        clerk.save_screenshot(f"{SHOTS}/ho-so-chi-tiet.png")
        # Her salary step, as the section form takes it; the payroll then pays it:
        # A1 step 3 (NĐ 204/2004) = 3,00 x 2.340.000 đ (NĐ 73/2024) = 7.020.000 đ.
        clerk.find_element(By.PARTIAL_LINK_TEXT, "diễn biến lương").click()
        until(clerk, lambda d: d.find_elements(By.ID, "grade_code"), "the salary form")
        clerk.find_element(By.ID, "effective_date").send_keys("01/07/2024")
        clerk.find_element(By.ID, "grade_code").send_keys("01.003")
        clerk.find_element(By.ID, "step").send_keys("3")
        clerk.find_element(By.XPATH, "//main//form//button[@type='submit']").click()
        until(clerk, lambda d: "Đã thêm vào hồ sơ." in d.page_source, "the step recorded")
        clerk.find_element(By.LINK_TEXT, "Tiền lương").click()
        until(clerk, lambda d: heading(d).startswith("Bảng lương tháng"), "the payroll")
        assert "7.020.000" in clerk.page_source
        clerk.save_screenshot(f"{SHOTS}/bang-luong.png")
        clerk.get(record)
        # The transfer: the receiving district is found in the province's directory.
        clerk.find_element(By.LINK_TEXT, "Điều chuyển, thôi việc").click()
        until(clerk, lambda d: d.find_elements(By.ID, "q"), "the transfer form")
        clerk.find_element(By.ID, "q").send_keys("lap vo")
        clerk.find_element(By.CSS_SELECTOR, "button[name=search]").click()
        until(clerk, lambda d: d.find_elements(By.CSS_SELECTOR, ".choices input[type=radio]"), "the units found")
        assert "Huyện Lấp Vò" in clerk.find_element(By.CSS_SELECTOR, ".choices").text
        clerk.find_element(By.CSS_SELECTOR, ".choices input[type=radio]").click()
        clerk.find_element(By.ID, "decision_number").send_keys("125/QĐ-UBND")
        # Today in Vietnam (UTC+7), where the server counts days.
        vietnam = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=7)
        today = vietnam.strftime("%d/%m/%Y")
        clerk.find_element(By.ID, "decision_date").send_keys(today)
        clerk.find_element(By.ID, "effective_date").send_keys(today)
        clerk.save_screenshot(f"{SHOTS}/dieu-chuyen.png")
        clerk.find_element(By.XPATH, "//main//form//button[not(@name)]").click()
        until(clerk, lambda d: "Đã ghi nhận" in d.page_source, "the transfer recorded")

        # Lấp Vò's clerk signs in for the first time: the handover waits on the home page.
        first_sign_in(receiver, "nhaplieu.lapvo", receiver_password, "Mật khẩu của người nhận hồ sơ")
        receiver.find_element(By.PARTIAL_LINK_TEXT, "chuyển đến").click()
        until(receiver, lambda d: "Lê Thị Mỹ Hạnh" in d.page_source, "the pending handover")
        assert "125/QĐ-UBND" in receiver.page_source
        receiver.save_screenshot(f"{SHOTS}/chuyen-den.png")
        receiver.find_element(By.XPATH, "//form[contains(@action, '/tiep-nhan')]//button").click()
        until(receiver, lambda d: "Đã tiếp nhận" in d.page_source, "the handover accepted")
        receiver.get(record)
        assert heading(receiver).startswith("Lê Thị Mỹ Hạnh")
        clerk.get(record)
        assert "Không có quyền" in clerk.page_source, "the record has left Cao Lãnh"
    finally:
        clerk.quit()
        receiver.quit()


def test_a_form_without_its_token_is_refused(admin):
    admin.get(BASE + "/don-vi")
    admin.execute_script("document.querySelector(\"input[name=_csrf]\").value = 'gia-mao'")
    admin.find_element(By.CSS_SELECTOR, "header form button").click()
    until(admin, lambda d: "Yêu cầu không hợp lệ" in d.page_source, "the refusal")
    admin.get(BASE + "/")
    assert admin.find_element(By.TAG_NAME, "h1").text == "Việc cần làm", "still signed in"
    admin.save_screenshot(f"{SHOTS}/viec-can-lam.png")


def test_english_on_request(admin):
    admin.get(BASE + "/")
    admin.find_element(By.LINK_TEXT, "English").click()
    until(admin, lambda d: heading(d) == "To do", "the English page")
    admin.find_element(By.LINK_TEXT, "Tiếng Việt").click()
    until(admin, lambda d: heading(d) == "Việc cần làm", "the Vietnamese page")


def test_the_leader_reads_the_statistics_and_downloads_the_workbook(admin):
    admin.get(BASE + "/tai-khoan/moi")
    admin.find_element(By.ID, "username").send_keys("lanhdao.tinh")
    admin.find_element(By.ID, "full_name").send_keys("Phạm Văn Lãnh Đạo")
    choose(admin, "unit_id", "Ủy ban nhân dân tỉnh")
    admin.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    until(admin, lambda d: d.find_elements(By.ID, "secret"), "the one-time password")
    created = {"initialPassword": admin.find_element(By.ID, "secret").text}
    admin.find_element(By.LINK_TEXT, "Xem tài khoản").click()
    grant(admin, "provincial_leader", "Ủy ban nhân dân tỉnh")
    leader = browser()
    try:
        sign_in(leader, "lanhdao.tinh", created["initialPassword"])
        leader.find_element(By.ID, "current_password").send_keys(created["initialPassword"])
        leader.find_element(By.ID, "new_password").send_keys("Mật khẩu của lãnh đạo tỉnh")
        leader.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        until(leader, lambda d: heading(d) == "Việc cần làm", "the leader's home page")
        # A reader of the whole province: statistics in the menu.
        leader.find_element(By.LINK_TEXT, "Thống kê").click()
        until(leader, lambda d: d.find_elements(By.CSS_SELECTOR, ".scroll table"), "the BM02 table")
        rows = [th.text for th in leader.find_elements(By.CSS_SELECTOR, "tbody th")]
        assert "Ủy ban nhân dân tỉnh" in rows and "Huyện Cao Lãnh" in rows
        leader.save_screenshot(f"{SHOTS}/thong-ke.png")
        link = leader.find_element(By.PARTIAL_LINK_TEXT, "Tải bảng BM02").get_attribute("href")
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in leader.get_cookies())
        with urllib.request.urlopen(urllib.request.Request(link, headers={"cookie": cookies})) as response:
            assert "spreadsheetml" in response.headers["content-type"]
            assert response.read(2) == b"PK", "an .xlsx workbook"
    finally:
        leader.quit()


def test_a_unit_admin_creates_accounts_in_its_district_only(admin):
    # The administrator makes Cao Lãnh's unit administrator in the console.
    admin.get(BASE + "/tai-khoan/moi")
    admin.find_element(By.ID, "username").send_keys("quantri.caolanh")
    admin.find_element(By.ID, "full_name").send_keys("Phạm Thị Quản Trị")
    choose(admin, "unit_id", "Huyện Cao Lãnh")
    admin.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    until(admin, lambda d: d.find_elements(By.ID, "secret"), "the one-time password")
    password = admin.find_element(By.ID, "secret").text
    admin.find_element(By.LINK_TEXT, "Xem tài khoản").click()
    grant(admin, "unit_admin", "Huyện Cao Lãnh")
    unit_admin = browser()
    try:
        first_sign_in(unit_admin, "quantri.caolanh", password, "Mật khẩu của quản trị Cao Lãnh")
        unit_admin.get(BASE + "/tai-khoan/moi")
        units = [o.get_attribute("textContent") for o in unit_admin.find_elements(By.CSS_SELECTOR, "#unit_id option")]
        assert "Huyện Cao Lãnh" in units and "Huyện Lấp Vò" not in units, units
        unit_admin.find_element(By.ID, "username").send_keys("ketoan.caolanh")
        unit_admin.find_element(By.ID, "full_name").send_keys("Võ Văn Kế Toán")
        unit_admin.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        until(unit_admin, lambda d: d.find_elements(By.ID, "secret"), "the account created in its district")
        # A forged choice of Lấp Vò (outside its subtree) is refused and creates nothing.
        token = api("/api/v1/auth/login", {"username": "admin", "password": NEW_PASSWORD})["accessToken"]
        root = api("/api/v1/me", token=token)["unit"]["id"]
        all_units = api(f"/api/v1/units?parentId={root}&subtree=true&pageSize=100", token=token)["units"]
        lap_vo = next(u for u in all_units if u["code"] == "H-LAPVO")
        unit_admin.get(BASE + "/tai-khoan/moi")
        unit_admin.execute_script(
            "document.querySelector('#unit_id option').value = arguments[0]", lap_vo["id"])
        unit_admin.find_element(By.ID, "username").send_keys("ngoai.lapvo")
        unit_admin.find_element(By.ID, "full_name").send_keys("Người Ngoài Phạm Vi")
        unit_admin.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        until(unit_admin, lambda d: "Không có quyền" in d.page_source or d.find_elements(By.CSS_SELECTOR, ".error-summary"),
              "the refusal")
        assert not unit_admin.find_elements(By.ID, "secret")
        assert not api("/api/v1/accounts?query=ngoai.lapvo", token=token).get("accounts")
    finally:
        unit_admin.quit()


def test_an_employee_sees_only_their_own_record(admin):
    token = api("/api/v1/auth/login", {"username": "admin", "password": NEW_PASSWORD})["accessToken"]
    mine = api("/api/v1/personnel/employees?query=my%20hanh", token=token)["employees"][0]
    # The administrator makes her account from her record: linked to it, allowed to read it.
    admin.get(f"{BASE}/ho-so/{mine['id']}")
    admin.find_element(By.LINK_TEXT, "Tạo tài khoản cho người này").click()
    until(admin, lambda d: d.find_elements(By.ID, "username"), "the account form")
    assert admin.find_element(By.ID, "full_name").get_attribute("value") == "Lê Thị Mỹ Hạnh"
    admin.find_element(By.ID, "username").send_keys("myhanh")
    admin.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    until(admin, lambda d: d.find_elements(By.ID, "secret"), "the one-time password")
    assert "xem hồ sơ của chính mình" in admin.page_source
    created = {"initialPassword": admin.find_element(By.ID, "secret").text}
    employee = browser()
    try:
        first_sign_in(employee, "myhanh", created["initialPassword"], "Mật khẩu riêng của Mỹ Hạnh")
        menu = [a.text for a in employee.find_elements(By.CSS_SELECTOR, "nav.menu a")]
        assert "Hồ sơ của tôi" in menu and "Hồ sơ cán bộ" not in menu, menu
        employee.find_element(By.LINK_TEXT, "Hồ sơ của tôi").click()
        until(employee, lambda d: heading(d).startswith("Lê Thị Mỹ Hạnh"), "her record")
        assert "Quan hệ gia đình" in employee.page_source
        assert not employee.find_elements(By.LINK_TEXT, "Sửa thông tin"), "she reads, the unit edits"
        employee.save_screenshot(f"{SHOTS}/ho-so-cua-toi.png")
        other = api("/api/v1/personnel/employees", {
            "unitId": mine["unitId"], "kind": "EMPLOYEE_KIND_CIVIL_SERVANT", "fullName": "Trần Văn Đồng Nghiệp",
            "birthDate": {"year": 1987, "month": 6, "day": 15}, "sex": "SEX_MALE"}, token)
        employee.get(f"{BASE}/ho-so/{other['id']}")
        assert "Không có quyền" in employee.page_source
        employee.get(f"{BASE}/ho-so")
        assert "Không có quyền" in employee.page_source
    finally:
        employee.quit()


def api_person(admin_token, username, unit_id, role_code, password):
    """An account holding `role_code` over `unit_id`, past its first password change: its token."""
    created = api("/api/v1/accounts", {"username": username, "fullName": f"Người dùng {username}", "unitId": unit_id},
                  admin_token)
    role = next(r for r in api("/api/v1/roles", token=admin_token)["roles"] if r["code"] == role_code)
    api(f"/api/v1/accounts/{created['account']['id']}/grants",
        {"roleId": role["id"], "scope": "GRANT_SCOPE_UNIT", "scopeUnitId": unit_id}, admin_token)
    first = api("/api/v1/auth/login", {"username": username, "password": created["initialPassword"]})
    api("/api/v1/auth/password", {"currentPassword": created["initialPassword"], "newPassword": password},
        first["accessToken"])
    return created["initialPassword"]


WELFARE_HEADINGS = ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Mã xã", "Mã chính sách", "Mã đối tượng",
                    "Số lượng", "Số quyết định", "Ngày quyết định", "Hưởng từ ngày", "Đến ngày"]


def welfare_file(path, born_second):
    rows = [WELFARE_HEADINGS,
            ["Hồ Thị Lụa", "12/05/1940", "Nữ", "", "X-BINHCHAU", "TCXH", "elderly_80_no_pension", "",
             "15/QĐ-UBND", "03/08/2025", "03/08/2025", ""],
            ["Châu Văn Mạnh", born_second, "Nam", "", "X-BINHCHAU", "TCXH", "elderly_80_no_pension", "",
             "15/QĐ-UBND", "03/08/2025", "03/08/2025", ""]]
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(",".join(row) + "\n")


def test_a_commune_clerk_does_the_welfare_month_in_the_console(admin, tmp_path):
    """A commune clerk imports the commune's beneficiaries from a spreadsheet, fixes the row the
    report names, writes them; the district's Labour office verifies; the clerk prepares the
    month's payment list, records the payments and submits the settlement; the district and the
    province approve it and the report is there to download."""
    token = api("/api/v1/auth/login", {"username": "admin", "password": NEW_PASSWORD})["accessToken"]
    root = api("/api/v1/units", token=token)["units"][0]["id"]
    district = api("/api/v1/units", {"code": "H-BINHSON", "name": "Huyện Bình Sơn", "kind": "UNIT_KIND_DISTRICT",
                                     "parentId": root}, token)["id"]
    commune = api("/api/v1/units", {"code": "X-BINHCHAU", "name": "Xã Bình Châu", "kind": "UNIT_KIND_COMMUNE",
                                    "parentId": district}, token)["id"]
    api_person(token, "nhaplieu.binhchau", commune, "data_entry", "Mật khẩu của cán bộ xã Bình Châu")
    api_person(token, "ldtbxh.binhson", district, "welfare_labour_verifier", "Mật khẩu phòng Lao động Bình Sơn")
    api_person(token, "tckh.binhson", district, "welfare_district_finance", "Mật khẩu phòng Tài chính Bình Sơn")
    api_person(token, "stc.tinh", root, "welfare_provincial_finance", "Mật khẩu của Sở Tài chính tỉnh")
    clerk, office = browser(), browser()
    try:
        sign_in(clerk, "nhaplieu.binhchau", "Mật khẩu của cán bộ xã Bình Châu")
        until(clerk, lambda d: heading(d) == "Việc cần làm", "the clerk's home page")
        clerk.find_element(By.LINK_TEXT, "An sinh xã hội").click()
        until(clerk, lambda d: heading(d).startswith("Đối tượng hưởng chính sách"), "the beneficiaries")
        clerk.find_element(By.LINK_TEXT, "Nhập từ tệp Excel").click()
        until(clerk, lambda d: d.find_elements(By.ID, "file"), "the upload form")
        # The second person's birth date is wrong: the report names the row and the column.
        bad = tmp_path / "doi-tuong.csv"
        welfare_file(bad, "30/02/1942")
        clerk.find_element(By.ID, "file").send_keys(str(bad))
        clerk.find_element(By.CSS_SELECTOR, "form.upload button[type=submit]").click()
        until(clerk, lambda d: heading(d).startswith("Kết quả kiểm tra"), "the report")
        cells = [td.text for td in clerk.find_elements(By.CSS_SELECTOR, "tbody td")]
        assert "3" in cells and "Ngày sinh" in cells, cells
        clerk.save_screenshot(f"{SHOTS}/an-sinh-nhap.png")
        clerk.find_element(By.XPATH, "//form[contains(@action, '/huy')]//button").click()
        until(clerk, lambda d: "Đã hủy" in d.page_source, "the import cancelled")
        fixed = tmp_path / "doi-tuong-da-sua.csv"
        welfare_file(fixed, "28/02/1942")
        clerk.get(BASE + "/an-sinh/nhap")
        clerk.find_element(By.ID, "file").send_keys(str(fixed))
        clerk.find_element(By.CSS_SELECTOR, "form.upload button[type=submit]").click()
        until(clerk, lambda d: d.find_elements(By.ID, "ghi"), "the clean report")
        clerk.find_element(By.ID, "ghi").click()
        until(clerk, lambda d: "Đã ghi vào hệ thống" in d.page_source, "the rows written")

        # The district's Labour office verifies both from its queue.
        sign_in(office, "ldtbxh.binhson", "Mật khẩu phòng Lao động Bình Sơn")
        until(office, lambda d: heading(d) == "Việc cần làm", "the office's home page")
        for _ in range(2):
            office.get(BASE + "/an-sinh/xac-minh")
            office.find_element(By.CSS_SELECTOR, "tbody td a").click()
            until(office, lambda d: d.find_elements(By.CSS_SELECTOR, "button[name=verified][value='1']"), "the form")
            office.find_element(By.CSS_SELECTOR, "button[name=verified][value='1']").click()
            until(office, lambda d: "Đã ghi kết quả xác minh" in d.page_source, "verified")
        office.get(BASE + "/an-sinh/xac-minh")
        assert "Không có chế độ nào chờ xác minh" in office.page_source

        # The clerk's month: 2 x 1.0 x 500,000 (NĐ 76/2024), paid by the post office.
        clerk.get(BASE + "/an-sinh/chi-tra?thang=2025-08&chinh_sach=TCXH")
        until(clerk, lambda d: "1.000.000" in d.page_source, "the month's entitlements")
        clerk.find_element(By.XPATH, "//form[@action='/an-sinh/chi-tra/lap']//button").click()
        until(clerk, lambda d: heading(d).startswith("Danh sách chi trả kỳ"), "the payment list")
        for select in clerk.find_elements(By.CSS_SELECTOR, "select[id^='pay.']"):
            select.find_element(By.CSS_SELECTOR, "option[value=paid]").click()
        for field in clerk.find_elements(By.CSS_SELECTOR, "input[id^='on.']"):
            field.send_keys("10/08/2025")
        for select in clerk.find_elements(By.CSS_SELECTOR, "select[id^='method.']"):
            select.find_element(By.CSS_SELECTOR, "option[value=post_office]").click()
        clerk.find_element(By.ID, "funded").clear()
        clerk.find_element(By.ID, "funded").send_keys("1.000.000")
        clerk.find_element(By.XPATH, "//form[contains(@action, '/ghi')]//button[@type='submit']").click()
        until(clerk, lambda d: "Đã ghi chi trả." in d.page_source, "the payments recorded")
        clerk.save_screenshot(f"{SHOTS}/an-sinh-chi-tra.png")
        clerk.find_element(By.ID, "gui-quyet-toan").click()
        until(clerk, lambda d: "Đã gửi, chờ thẩm định" in d.page_source, "the settlement submitted")
        settlement = clerk.current_url.split("?")[0]
    finally:
        clerk.quit()
        office.quit()
    for username, password, button in (("tckh.binhson", "Mật khẩu phòng Tài chính Bình Sơn", "appraise"),
                                       ("stc.tinh", "Mật khẩu của Sở Tài chính tỉnh", "approve")):
        finance = browser()
        try:
            sign_in(finance, username, password)
            until(finance, lambda d: heading(d) == "Việc cần làm", f"{username}'s home page")
            finance.get(settlement)
            finance.find_element(By.CSS_SELECTOR, f"button[name=action][value={button}]").click()
            until(finance, lambda d: "Đã chuyển bước" in d.page_source, f"{button}d")
            if button == "approve":
                assert "Đã phê duyệt" in finance.page_source
                finance.get(BASE + "/an-sinh/bao-cao?thang=2025-08")
                assert "Huyện Bình Sơn" in finance.page_source and "1.000.000" in finance.page_source
                assert finance.find_element(By.PARTIAL_LINK_TEXT, "Tải báo cáo (.xlsx)").get_attribute("download") is not None
        finally:
            finance.quit()


UNLABELLED = """
return Array.from(document.querySelectorAll('main input, main select, main textarea'))
  .filter(e => e.type !== 'hidden' && e.type !== 'submit' && e.type !== 'button')
  .filter(e => !(e.id && document.querySelector('label[for="' + e.id + '"]')) && !e.getAttribute('aria-label'))
  .map(e => e.name || e.outerHTML.slice(0, 80));
"""

OVERFLOW = """
return Array.from(document.querySelectorAll('body *'))
  .filter(e => !e.closest('.scroll') && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(e => e.tagName + '.' + e.className).slice(0, 5);
"""


def test_main_pages_meet_the_accessibility_basics(admin):
    """WCAG 2.1 AA basics on every main page: the language, one heading, a label for every
    control, the skip link first in the keyboard order, nothing wider than the window at
    1366x768 nor on a phone (wide tables scroll inside their own box)."""
    token = api("/api/v1/auth/login", {"username": "admin", "password": NEW_PASSWORD})["accessToken"]
    record = api("/api/v1/personnel/employees?query=my%20hanh", token=token)["employees"][0]["id"]
    pages = ["/", "/don-vi", "/tai-khoan", "/tai-khoan/moi", "/tai-khoan/nhap", "/nhat-ky", "/ho-so",
             "/ho-so/moi", f"/ho-so/{record}", f"/ho-so/{record}/sua", f"/ho-so/{record}/dieu-chuyen",
             f"/ho-so/{record}/muc/gia-dinh/them", "/ho-so/nhap", "/ho-so/tre-han", "/bang-luong",
             "/nang-luong", "/nghi-huu", "/bien-che", "/dao-tao", "/khen-thuong", "/danh-muc", "/danh-muc/religion",
             "/thong-ke", "/an-sinh", "/an-sinh/nhap", "/an-sinh/chi-tra", "/an-sinh/xac-minh",
             "/an-sinh/tham-so", "/an-sinh/bao-cao", "/an-sinh/du-toan"]
    for width, height in ((1366, 768), (390, 844)):
        admin.set_window_size(width, height)
        for path in pages:
            admin.get(BASE + path)
            assert admin.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi", path
            assert len(admin.find_elements(By.TAG_NAME, "h1")) == 1, path
            assert admin.execute_script(UNLABELLED) == [], path
            assert admin.execute_script(OVERFLOW) == [], f"{path} at {width}px"
            if width == 1366 and path in ("/ho-so", f"/ho-so/{record}"):
                admin.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
                assert admin.switch_to.active_element.get_attribute("class") == "skip", path
    admin.set_window_size(390, 844)
    admin.get(f"{BASE}/ho-so/{record}")
    admin.save_screenshot(f"{SHOTS}/dien-thoai-ho-so.png")
    admin.set_window_size(1366, 768)
