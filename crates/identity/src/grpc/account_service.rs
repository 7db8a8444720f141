//! AccountService: accounts (create with a one-time password, import from CSV, update, disable,
//! enable, unlock, reset), each allowed only within the caller's subtree and grants.

use super::*;
use tinhso_platform::{AccountId, ErrorCode};

struct OneTime {
    secret: String,
    hash: String,
    expires_at: Option<i64>,
}

/// The fields of a new account, checked; errors name `<prefix>.<field>`.
struct NewAccount {
    username: String,
    full_name: String,
    position: String,
    department: String,
    email: String,
    phone: String,
    personnel_id: String,
    service: bool,
}

impl NewAccount {
    /// Checks every field; the error lists each field at fault, not only the first.
    fn check(a: &pb::Account, prefix: &str) -> AppResult<Self> {
        let field = |name: &str| format!("{prefix}.{name}");
        let mut errors: Vec<AppError> = Vec::new();
        let mut keep = |r: AppResult<String>| r.map_err(|e| errors.push(e)).unwrap_or_default();
        let checked = Self {
            username: keep(acc::check_username(&field("username"), &a.username)),
            full_name: keep(acc::check_text(
                &field("full_name"),
                &a.full_name,
                true,
                255,
            )),
            position: keep(acc::check_text(&field("position"), &a.position, false, 255)),
            department: keep(acc::check_text(
                &field("department"),
                &a.department,
                false,
                255,
            )),
            email: keep(acc::check_email(&field("email"), &a.email)),
            phone: keep(acc::check_phone(&field("phone"), &a.phone)),
            personnel_id: keep(acc::check_text(
                &field("personnel_id"),
                &a.personnel_id,
                false,
                64,
            )),
            service: a.kind == pb::AccountKind::Service as i32,
        };
        tinhso_platform::error::all_violations(errors)?;
        Ok(checked)
    }
}

impl Api {
    /// Creates a checked account in `unit` inside `tx`, with its audit entry and event, if the
    /// caller may create accounts there. Errors name `<prefix>.<field>`.
    #[allow(clippy::too_many_arguments)]
    async fn insert_account(
        &self,
        tx: &mut Tx,
        p: &Principal,
        address: &str,
        n: NewAccount,
        unit: &UnitRow,
        secret: &OneTime,
        prefix: &str,
        request_id: Option<&str>,
    ) -> AppResult<AccountRow> {
        let field = |name: &str| format!("{prefix}.{name}");
        p.require("identity.account.create", &unit.path)?;
        require_link(p, &n.personnel_id, &unit.path, &field("personnel_id"))?;
        if unit.status != "active" {
            return Err(AppError::failed_precondition(
                ErrorCode::UnitClosed,
                "Đơn vị đã giải thể hoặc sáp nhập",
                "the unit is closed",
            )
            .with_field(&field("unit_id")));
        }
        let taken = || {
            AppError::already_exists(
                &field("username"),
                ErrorCode::UsernameTaken,
                "Tên đăng nhập đã được sử dụng",
                "username already taken",
            )
        };
        if store::accounts::by_username(&*tx, &n.username)
            .await?
            .is_some()
        {
            return Err(taken());
        }
        let now = self.now();
        let row = AccountRow {
            id: AccountId::generate(),
            username: n.username,
            full_name: n.full_name,
            position: n.position,
            department: n.department,
            phone: n.phone,
            email: n.email,
            unit_id: unit.id.clone(),
            unit_path: unit.path.clone(),
            kind: if n.service { "service" } else { "person" }.into(),
            status: "active".into(),
            personnel_id: n.personnel_id.into(),
            password_hash: secret.hash.clone(),
            must_change_password: !n.service,
            password_expires_at: secret.expires_at,
            login: Default::default(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        if let Err(e) = store::accounts::insert(tx, &row, request_id).await {
            if tinhso_platform::db::is_unique_violation(&e) {
                return Err(taken());
            }
            return Err(AppError::from(e));
        }
        let mut entry = self.audit(
            Some(p),
            "account.created",
            "account",
            &row.id,
            &row.unit_path,
            address,
        );
        entry.after_json = json(Some(&row));
        store::audit::append(tx, &entry).await?;
        let event = events::account(
            "created",
            events::account_changed(&row, 0, &p.account_id),
            now,
        );
        self.enqueue(tx, &event).await?;
        Ok(row)
    }

    async fn one_time_secret(&self, service: bool) -> AppResult<OneTime> {
        let secret = if service {
            password::random_token()
        } else {
            password::one_time_password()
        }
        .map_err(internal)?;
        let s = secret.clone();
        let hash = blocking(move || password::hash(&s))
            .await?
            .map_err(internal)?;
        let expires_at = (!service).then(|| self.now() + acc::ONE_TIME_PASSWORD_HOURS * 3_600_000);
        Ok(OneTime {
            secret,
            hash,
            expires_at,
        })
    }

    /// Loads an account the caller may act on with `permission`: by the account's unit, and only
    /// if the caller holds everything the account holds (`roles::can_administer`).
    async fn account_for(
        &self,
        tx: &mut Tx,
        p: &Principal,
        id: &str,
        permission: &str,
    ) -> AppResult<AccountRow> {
        let a = self.account(tx, id).await?;
        p.require(permission, &a.unit_path)?;
        let grants = store::access::grants_of(&*tx, &a.id).await?;
        let held = grants.iter().map(|g| {
            let scope = g.scope_unit_path.as_ref().unwrap_or(&a.unit_path);
            (&g.permissions[..], scope.as_str())
        });
        if !roles::can_administer(p, held) {
            return Err(AppError::new(
                ErrorCode::AccountOutranksCaller,
                "Tài khoản này có quyền vượt quá quyền của bạn; chỉ người có đủ các quyền đó mới được thao tác",
                "the account holds rights you do not hold",
            )
            .with_field("id"));
        }
        Ok(a)
    }

    async fn account_status_change(
        &self,
        request: Request<pb::AccountActionRequest>,
        action: &'static str,
    ) -> AppResult<AccountRow> {
        let p = self.principal(&request)?;
        let address = tinhso_platform::grpc::client_address(&request);
        let r = request.into_inner();
        let permission = if action == "unlock" {
            "identity.account.unlock"
        } else {
            "identity.account.disable"
        };
        let mut tx = self.begin().await?;
        let before = self.account_for(&mut tx, &p, &r.id, permission).await?;
        check_etag(&r.etag, before.version)?;
        if before.id == p.account_id && action == "disable" {
            return Err(AppError::failed_precondition(
                ErrorCode::SelfDisable,
                "Không thể tự thu hồi tài khoản của mình",
                "you cannot disable your own account",
            )
            .with_field("id"));
        }
        let now = self.now();
        let mut a = before.clone();
        match action {
            "disable" => a.status = "disabled".into(),
            "enable" => a.status = "active".into(),
            _ => a.login = Default::default(),
        }
        a.version += 1;
        a.updated_at = now;
        if !store::accounts::update(&mut tx, &a, before.version).await? {
            return Err(AppError::stale_etag());
        }
        if action == "disable" {
            self.revoke_tokens(&mut tx, &a, "disabled", &p.account_id, now)
                .await?;
        } else {
            let event = events::account(
                if action == "enable" {
                    "enabled"
                } else {
                    "unlocked"
                },
                events::account_changed(&a, 0, &p.account_id),
                now,
            );
            self.enqueue(&mut tx, &event).await?;
        }
        let mut entry = self.audit(
            Some(&p),
            &format!("account.{action}d"),
            "account",
            &a.id,
            &a.unit_path,
            &address,
        );
        entry.before_json = json(Some(&before));
        entry.after_json = json(Some(&serde_json::json!({"account": a, "reason": r.reason})));
        store::audit::append(&mut tx, &entry).await?;
        self.commit(tx).await?;
        Ok(a)
    }
}

/// Largest account import file and row count: one import is one transaction, and each account
/// costs an argon2 hash (about 50 ms), so a file stays within a request's time.
const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;
const MAX_IMPORT_ROWS: usize = 500;

/// CSV columns of an account import, each under its Vietnamese and English names.
const IMPORT_COLUMNS: &[(&str, &[&str])] = &[
    ("username", &["ten_dang_nhap", "username"]),
    ("full_name", &["ho_ten", "ho_va_ten", "full_name"]),
    ("unit_code", &["ma_don_vi", "unit_code"]),
    ("email", &["email", "thu_dien_tu"]),
    ("phone", &["dien_thoai", "so_dien_thoai", "phone"]),
    ("position", &["chuc_vu", "position"]),
    ("department", &["phong_ban", "department"]),
];

fn import_error(code: ErrorCode, vi: &str, en: &str) -> AppError {
    AppError::invalid("file", code, vi, en)
}

/// Linking an account to a personnel record (`personnel_id`) lets it read that record through a
/// self-service grant, so only someone who may write personnel records in the account's unit may
/// set the link; personnel in turn serves a self-service read only of a record inside the
/// account's unit subtree (`Principal::can_self`).
fn require_link(
    p: &Principal,
    personnel_id: &str,
    account_unit: &str,
    field: &str,
) -> AppResult<()> {
    if personnel_id.is_empty() || p.can("personnel.record.write", account_unit) {
        return Ok(());
    }
    Err(AppError::new(
        ErrorCode::RecordLinkDenied,
        "Chỉ người được cập nhật hồ sơ cán bộ của đơn vị mới được liên kết tài khoản với hồ sơ",
        "only someone who may write the unit's personnel records may link an account to one",
    )
    .with_field(field))
}

/// The rows of an import file as (line number, column -> value), checked for shape.
fn import_rows(
    bytes: Vec<u8>,
) -> AppResult<Vec<(usize, std::collections::HashMap<&'static str, String>)>> {
    let text = String::from_utf8(bytes).map_err(|_| {
        import_error(
            ErrorCode::FileNotUtf8,
            "Tệp phải là CSV mã hóa UTF-8 (Excel: Lưu thành CSV UTF-8)",
            "the file must be UTF-8 CSV",
        )
    })?;
    let rows = tinhso_platform::csv::parse(&text).map_err(|e| {
        import_error(
            ErrorCode::CsvMalformed,
            &format!("Tệp CSV lỗi ở dòng {}: {}", e.line, e.message),
            &format!("malformed CSV at line {}", e.line),
        )
    })?;
    let Some((header, data)) = rows.split_first() else {
        return Err(import_error(
            ErrorCode::FileEmpty,
            "Tệp không có dữ liệu",
            "the file is empty",
        ));
    };
    let mut columns = Vec::new();
    for name in header {
        let folded = tinhso_platform::vn::fold(name.trim()).replace(' ', "_");
        let column = IMPORT_COLUMNS
            .iter()
            .find(|(_, names)| names.contains(&folded.as_str()))
            .map(|(c, _)| *c)
            .ok_or_else(|| {
                import_error(
                    ErrorCode::UnknownColumn,
                    &format!("Cột không được hỗ trợ: \"{name}\""),
                    &format!("unsupported column \"{name}\""),
                )
            })?;
        columns.push(column);
    }
    for required in ["username", "full_name", "unit_code"] {
        if !columns.contains(&required) {
            return Err(import_error(
                ErrorCode::MissingColumn,
                &format!("Thiếu cột bắt buộc: {required}"),
                &format!("missing required column {required}"),
            ));
        }
    }
    if data.is_empty() {
        return Err(import_error(
            ErrorCode::FileEmpty,
            "Tệp không có dòng dữ liệu nào",
            "the file has no data rows",
        ));
    }
    if data.len() > MAX_IMPORT_ROWS {
        return Err(import_error(
            ErrorCode::TooManyRows,
            &format!("Mỗi lần nhập tối đa {MAX_IMPORT_ROWS} dòng; hãy chia nhỏ tệp"),
            &format!("at most {MAX_IMPORT_ROWS} rows per import"),
        ));
    }
    Ok(data
        .iter()
        .enumerate()
        .map(|(i, cells)| {
            let values = columns
                .iter()
                .zip(cells.iter().chain(std::iter::repeat(&String::new())))
                .map(|(c, v)| (*c, v.trim().to_string()))
                .collect();
            (i + 2, values)
        })
        .collect())
}

#[tonic::async_trait]
impl pb::account_service_server::AccountService for Api {
    async fn import_accounts(
        &self,
        request: Request<tonic::Streaming<pb::ImportAccountsRequest>>,
    ) -> Reply<pb::ImportAccountsResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            p.require_active()?;
            let address = tinhso_platform::grpc::client_address(&request);
            let mut stream = request.into_inner();
            let mut validate_only = None;
            let mut bytes = Vec::new();
            loop {
                let message = stream.message().await.map_err(|_| {
                    import_error(
                        ErrorCode::UploadInterrupted,
                        "Tệp tải lên bị gián đoạn",
                        "the upload was interrupted",
                    )
                })?;
                let Some(message) = message else { break };
                validate_only.get_or_insert(message.validate_only);
                if let Some(chunk) = message.file {
                    bytes.extend(chunk.data);
                }
                if bytes.len() > MAX_IMPORT_BYTES {
                    return Err(import_error(
                        ErrorCode::FileTooLarge,
                        &format!("Tệp nhập vượt quá {} MB", MAX_IMPORT_BYTES / 1024 / 1024),
                        "the import file is too large",
                    ));
                }
            }
            // Untrusted text is parsed on the blocking pool, never on the async threads.
            let rows = tokio::task::spawn_blocking(move || import_rows(bytes))
                .await
                .map_err(AppError::internal)??;

            // Every row is checked before anything is written, so the report lists all errors.
            let mut checked = Vec::new();
            let mut violations = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for (line, values) in &rows {
                let prefix = format!("rows[{line}]");
                let account = pb::Account {
                    username: values.get("username").cloned().unwrap_or_default(),
                    full_name: values.get("full_name").cloned().unwrap_or_default(),
                    email: values.get("email").cloned().unwrap_or_default(),
                    phone: values.get("phone").cloned().unwrap_or_default(),
                    position: values.get("position").cloned().unwrap_or_default(),
                    department: values.get("department").cloned().unwrap_or_default(),
                    kind: pb::AccountKind::Person as i32,
                    ..Default::default()
                };
                let repeated = !seen.insert(account.username.trim().to_lowercase());
                match NewAccount::check(&account, &prefix) {
                    Ok(_) if repeated => violations.extend(
                        AppError::invalid(
                            &format!("{prefix}.username"),
                            ErrorCode::DuplicateInFile,
                            "Tên đăng nhập lặp lại trong tệp",
                            "username repeated in the file",
                        )
                        .violations,
                    ),
                    Ok(n) => checked.push((
                        *line,
                        n,
                        values.get("unit_code").cloned().unwrap_or_default(),
                    )),
                    Err(e) => violations.extend(e.violations),
                }
            }
            if !violations.is_empty() {
                let mut e = AppError::new(
                    ErrorCode::ImportInvalid,
                    format!("Tệp có {} lỗi; chưa tạo tài khoản nào", violations.len()),
                    format!(
                        "the file has {} errors; nothing was created",
                        violations.len()
                    ),
                );
                violations.truncate(200);
                e.violations = violations;
                return Err(e);
            }

            let validate_only = validate_only.unwrap_or(false);
            let mut secrets = Vec::with_capacity(checked.len());
            if !validate_only {
                for _ in &checked {
                    secrets.push(self.one_time_secret(false).await?);
                }
            }
            let mut tx = self.begin().await?;
            let mut created = Vec::new();
            let now = self.now();
            for (i, (line, n, unit_code)) in checked.into_iter().enumerate() {
                let prefix = format!("rows[{line}]");
                let unit = store::units::by_code(&tx, &unit_code)
                    .await?
                    .ok_or_else(|| {
                        AppError::not_found("đơn vị có mã này", "unit with this code")
                            .with_field(&format!("{prefix}.unit_code"))
                    })?;
                if validate_only {
                    p.require("identity.account.create", &unit.path)?;
                    if store::accounts::by_username(&tx, &n.username)
                        .await?
                        .is_some()
                    {
                        return Err(AppError::already_exists(
                            &format!("{prefix}.username"),
                            ErrorCode::UsernameTaken,
                            "Tên đăng nhập đã được sử dụng",
                            "username already taken",
                        ));
                    }
                    continue;
                }
                let row = self
                    .insert_account(&mut tx, &p, &address, n, &unit, &secrets[i], &prefix, None)
                    .await?;
                created.push(pb::CreateAccountResponse {
                    account: Some(account_pb(&row, now)),
                    initial_password: secrets[i].secret.clone(),
                    initial_password_expire_time: secrets[i].expires_at.map(to_timestamp),
                });
            }
            if validate_only {
                tx.rollback().await?;
            } else {
                self.commit(tx).await?;
            }
            Ok(Response::new(pb::ImportAccountsResponse {
                accounts: created,
                row_count: rows.len() as i32,
            }))
        })
        .await
    }

    async fn create_account(
        &self,
        request: Request<pb::CreateAccountRequest>,
    ) -> Reply<pb::CreateAccountResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let address = tinhso_platform::grpc::client_address(&request);
            let r = request.into_inner();
            let a = r.account.unwrap_or_default();
            let request_id = r.request_id.trim();
            // The same request again (a double click, a retry after a lost answer): the account
            // it made, without a password (that was shown once; reset it to issue another).
            if !request_id.is_empty()
                && let Some(made) =
                    store::accounts::by_request_id(&self.0.db.pool, request_id).await?
            {
                p.require("identity.account.read", &made.unit_path)?;
                return Ok(Response::new(pb::CreateAccountResponse {
                    account: Some(account_pb(&made, self.now())),
                    initial_password: String::new(),
                    initial_password_expire_time: None,
                }));
            }
            let checked = NewAccount::check(&a, "account")?;
            let secret = self.one_time_secret(checked.service).await?;
            let mut tx = self.begin().await?;
            let unit = self.unit(&mut tx, &a.unit_id, "account.unit_id").await?;
            let row = self
                .insert_account(
                    &mut tx,
                    &p,
                    &address,
                    checked,
                    &unit,
                    &secret,
                    "account",
                    Some(request_id),
                )
                .await?;
            self.commit(tx).await?;
            let now = self.now();
            Ok(Response::new(pb::CreateAccountResponse {
                account: Some(account_pb(&row, now)),
                initial_password: secret.secret,
                initial_password_expire_time: secret.expires_at.map(to_timestamp),
            }))
        })
        .await
    }

    async fn get_account(&self, request: Request<pb::GetAccountRequest>) -> Reply<pb::Account> {
        handle(async move {
            let p = self.principal(&request)?;
            let mut tx = self.begin().await?;
            let a = self.account(&mut tx, &request.get_ref().id).await?;
            tx.commit().await?;
            if a.id != p.account_id || p.must_change_password {
                p.require("identity.account.read", &a.unit_path)?;
            }
            Ok(Response::new(account_pb(&a, self.now())))
        })
        .await
    }

    async fn list_accounts(
        &self,
        request: Request<pb::ListAccountsRequest>,
    ) -> Reply<pb::ListAccountsResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            p.require_active()?;
            let r = request.into_inner();
            let (limit, offset) = page(r.page_size, &r.page_token)?;
            let under_path = if r.unit_id.is_empty() {
                None
            } else {
                let u = store::units::get(&self.0.db.pool, &r.unit_id)
                    .await?
                    .ok_or_else(|| AppError::not_found("đơn vị", "unit").with_field("unit_id"))?;
                p.require("identity.account.read", &u.path)?;
                Some(u.path)
            };
            let status = match r.status {
                0 => None,
                1 | 2 => Some("active".to_string()),
                3 => Some("disabled".to_string()),
                _ => {
                    return Err(AppError::invalid(
                        "status",
                        ErrorCode::BadStatus,
                        "trạng thái không hợp lệ",
                        "invalid status",
                    ));
                }
            };
            let search = store::accounts::Search {
                scopes: p.scopes_for("identity.account.read"),
                under_path: under_path.map(Into::into),
                query: (!r.query.trim().is_empty()).then(|| r.query.clone()),
                status,
                limit,
                offset,
            };
            let now = self.now();
            let mut rows = store::accounts::search(&self.0.db.pool, &search).await?;
            if r.status == 2 {
                rows.retain(|a| a.login.is_locked(now));
            }
            Ok(Response::new(pb::ListAccountsResponse {
                next_page_token: next_token(rows.len(), limit, offset),
                accounts: rows.iter().map(|a| account_pb(a, now)).collect(),
            }))
        })
        .await
    }

    async fn update_account(
        &self,
        request: Request<pb::UpdateAccountRequest>,
    ) -> Reply<pb::Account> {
        handle(async move {
            let p = self.principal(&request)?;
            let address = tinhso_platform::grpc::client_address(&request);
            let r = request.into_inner();
            let mut tx = self.begin().await?;
            let before = self
                .account_for(&mut tx, &p, &r.id, "identity.account.update")
                .await?;
            check_etag(&r.etag, before.version)?;
            let mut a = before.clone();
            if let Some(v) = &r.full_name {
                a.full_name = acc::check_text("full_name", v, true, 255)?;
            }
            if let Some(v) = &r.position {
                a.position = acc::check_text("position", v, false, 255)?;
            }
            if let Some(v) = &r.department {
                a.department = acc::check_text("department", v, false, 255)?;
            }
            if let Some(v) = &r.phone {
                a.phone = acc::check_phone("phone", v)?;
            }
            if let Some(v) = &r.email {
                a.email = acc::check_email("email", v)?;
            }
            if let Some(v) = &r.personnel_id {
                a.personnel_id = acc::check_text("personnel_id", v, false, 64)?.into();
            }
            let mut moved = false;
            if let Some(unit_id) = r.unit_id.as_ref().filter(|u| **u != before.unit_id) {
                let unit = self.unit(&mut tx, unit_id, "unit_id").await?;
                p.require("identity.account.update", &unit.path)?;
                if unit.status != "active" {
                    return Err(AppError::failed_precondition(
                        ErrorCode::UnitClosed,
                        "Đơn vị đã giải thể hoặc sáp nhập",
                        "the unit is closed",
                    )
                    .with_field("unit_id"));
                }
                a.unit_id = unit.id;
                a.unit_path = unit.path;
                moved = true;
            }
            if moved || a.personnel_id != before.personnel_id {
                require_link(&p, &a.personnel_id, &a.unit_path, "personnel_id")?;
            }
            let now = self.now();
            a.version += 1;
            a.updated_at = now;
            if !store::accounts::update(&mut tx, &a, before.version).await? {
                return Err(AppError::stale_etag());
            }
            if moved || a.personnel_id != before.personnel_id {
                // The token carries the unit and the linked record: older tokens must go.
                self.revoke_tokens(&mut tx, &a, "moved", &p.account_id, now)
                    .await?;
            } else {
                let event = events::account(
                    "updated",
                    events::account_changed(&a, 0, &p.account_id),
                    now,
                );
                self.enqueue(&mut tx, &event).await?;
            }
            let mut entry = self.audit(
                Some(&p),
                "account.updated",
                "account",
                &a.id,
                &a.unit_path,
                &address,
            );
            entry.before_json = json(Some(&before));
            entry.after_json = json(Some(&a));
            store::audit::append(&mut tx, &entry).await?;
            self.commit(tx).await?;
            Ok(Response::new(account_pb(&a, now)))
        })
        .await
    }

    async fn disable_account(
        &self,
        request: Request<pb::AccountActionRequest>,
    ) -> Reply<pb::Account> {
        handle(async move {
            let a = self.account_status_change(request, "disable").await?;
            Ok(Response::new(account_pb(&a, self.now())))
        })
        .await
    }

    async fn enable_account(
        &self,
        request: Request<pb::AccountActionRequest>,
    ) -> Reply<pb::Account> {
        handle(async move {
            let a = self.account_status_change(request, "enable").await?;
            Ok(Response::new(account_pb(&a, self.now())))
        })
        .await
    }

    async fn unlock_account(
        &self,
        request: Request<pb::AccountActionRequest>,
    ) -> Reply<pb::Account> {
        handle(async move {
            let a = self.account_status_change(request, "unlock").await?;
            Ok(Response::new(account_pb(&a, self.now())))
        })
        .await
    }

    async fn reset_password(
        &self,
        request: Request<pb::AccountActionRequest>,
    ) -> Reply<pb::ResetPasswordResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let address = tinhso_platform::grpc::client_address(&request);
            let r = request.into_inner();
            // Hashed before the transaction opens (see `login`); an account's kind never changes.
            let service = store::accounts::get(&self.0.db.pool, &r.id)
                .await?
                .is_some_and(|a| a.kind == "service");
            let secret = self.one_time_secret(service).await?;
            let mut tx = self.begin().await?;
            let before = self
                .account_for(&mut tx, &p, &r.id, "identity.account.reset_password")
                .await?;
            check_etag(&r.etag, before.version)?;
            if before.id == p.account_id {
                return Err(AppError::failed_precondition(
                    ErrorCode::SelfReset,
                    "Hãy dùng chức năng đổi mật khẩu cho tài khoản của mình",
                    "use change-password for your own account",
                )
                .with_field("id"));
            }
            let now = self.now();
            let mut a = before.clone();
            a.password_hash = secret.hash;
            a.must_change_password = !service;
            a.password_expires_at = secret.expires_at;
            a.login = Default::default();
            a.version += 1;
            a.updated_at = now;
            if !store::accounts::update(&mut tx, &a, before.version).await? {
                return Err(AppError::stale_etag());
            }
            self.revoke_tokens(&mut tx, &a, "password_changed", &p.account_id, now)
                .await?;
            store::audit::append(
                &mut tx,
                &self.audit(
                    Some(&p),
                    "account.password_reset",
                    "account",
                    &a.id,
                    &a.unit_path,
                    &address,
                ),
            )
            .await?;
            self.commit(tx).await?;
            Ok(Response::new(pb::ResetPasswordResponse {
                account: Some(account_pb(&a, now)),
                initial_password: secret.secret,
                initial_password_expire_time: secret.expires_at.map(to_timestamp),
            }))
        })
        .await
    }
}
