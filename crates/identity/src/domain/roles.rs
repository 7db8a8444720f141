//! Permissions (`<domain>.<resource>.<action>`), the built-in roles that cover the five
//! regulations, and the delegation rule: a grantor may grant a role only if every permission of
//! the role is covered by what the grantor holds at the target scope.

use tinhso_platform::auth::{Principal, permission_matches};

/// A registered permission with its Vietnamese description.
#[derive(Debug, Clone, Copy)]
pub struct PermissionDef {
    pub name: &'static str,
    pub description: &'static str,
}

const fn p(name: &'static str, description: &'static str) -> PermissionDef {
    PermissionDef { name, description }
}

/// Permissions registered by the services. Each service adds its own block here as it lands.
pub const PERMISSIONS: &[PermissionDef] = &[
    p("identity.unit.read", "Xem cây đơn vị"),
    p("identity.unit.create", "Tạo đơn vị"),
    p("identity.unit.update", "Sửa thông tin đơn vị"),
    p(
        "identity.unit.reorganize",
        "Chuyển, sáp nhập, giải thể đơn vị",
    ),
    p("identity.account.read", "Xem tài khoản"),
    p("identity.account.create", "Cấp tài khoản"),
    p("identity.account.update", "Sửa thông tin tài khoản"),
    p(
        "identity.account.disable",
        "Khóa (thu hồi) và mở lại tài khoản",
    ),
    p(
        "identity.account.unlock",
        "Mở khóa tài khoản bị khóa do đăng nhập sai",
    ),
    p("identity.account.reset_password", "Cấp lại mật khẩu"),
    p("identity.role.read", "Xem vai trò và quyền"),
    p("identity.role.create", "Tạo vai trò"),
    p("identity.grant.read", "Xem phân quyền"),
    p("identity.grant.create", "Phân quyền"),
    p("identity.grant.delete", "Thu hồi quyền"),
    p("identity.audit.read", "Tra cứu nhật ký hệ thống"),
    p(
        "personnel.record.read",
        "Xem hồ sơ cán bộ, công chức, viên chức",
    ),
    p(
        "personnel.record.write",
        "Cập nhật hồ sơ cán bộ, công chức, viên chức",
    ),
    p(
        "personnel.salary.read",
        "Xem dữ liệu tiền lương (lương, phụ cấp, bảng lương, nâng lương)",
    ),
    p("personnel.salary.write", "Cập nhật dữ liệu tiền lương"),
    p(
        "personnel.staffing.write",
        "Giao biên chế cho cơ quan, đơn vị",
    ),
    p(
        "personnel.catalogue.write",
        "Quản lý danh mục dùng chung của hồ sơ",
    ),
    p(
        "personnel.training.write",
        "Thông báo khóa đào tạo, bồi dưỡng",
    ),
    p(
        "welfare.beneficiary.read",
        "Xem đối tượng, chế độ và chi trả chính sách an sinh xã hội",
    ),
    p(
        "welfare.beneficiary.write",
        "Nhập đối tượng, chế độ, biến động và chi trả của đơn vị",
    ),
    p(
        "welfare.labour.verify",
        "Xác minh đối tượng các chính sách lĩnh vực lao động - xã hội",
    ),
    p(
        "welfare.education.verify",
        "Xác minh đối tượng các chính sách lĩnh vực giáo dục",
    ),
    p(
        "welfare.school.verify",
        "Xác minh người học hưởng chính sách của cơ sở giáo dục",
    ),
    p(
        "welfare.finance.verify",
        "Xác minh đối tượng các chính sách lĩnh vực kinh tế",
    ),
    p(
        "welfare.settlement.appraise",
        "Thẩm định dự toán, quyết toán kinh phí an sinh xã hội",
    ),
    p(
        "welfare.settlement.approve",
        "Phê duyệt dự toán, quyết toán kinh phí an sinh xã hội",
    ),
    p(
        "welfare.parameter.write",
        "Quản lý chính sách và tham số (mức chuẩn, lương cơ sở, định mức)",
    ),
    p("projects.project.read", "Xem dự án đầu tư công"),
    p("projects.project.write", "Cập nhật dự án đầu tư công"),
    p("scoring.assessment.read", "Xem kết quả chấm điểm CCHC"),
    p("scoring.assessment.write", "Tự đánh giá, chấm điểm CCHC"),
    p(
        "scoring.assessment.submit",
        "Phê duyệt và gửi báo cáo tự đánh giá",
    ),
    p("scoring.appraisal.write", "Thẩm định điểm CCHC"),
    p("reporting.report.read", "Xem báo cáo"),
    p("reporting.report.enter", "Nhập liệu báo cáo"),
    p("reporting.report.aggregate", "Tổng hợp báo cáo"),
    p("reporting.report.approve", "Duyệt, ký và gửi báo cáo"),
];

/// A built-in role: code, Vietnamese name, permission patterns.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinRole {
    pub code: &'static str,
    pub name: &'static str,
    pub permissions: &'static [&'static str],
}

pub const BUILTIN_ROLES: &[BuiltinRole] = &[
    BuiltinRole {
        code: "system_admin",
        name: "Quản trị hệ thống",
        permissions: &["*"],
    },
    BuiltinRole {
        code: "provincial_leader",
        name: "Lãnh đạo tỉnh (xem toàn tỉnh)",
        permissions: &["*.*.read"],
    },
    BuiltinRole {
        code: "unit_head",
        name: "Thủ trưởng đơn vị (xem đơn vị)",
        permissions: &["*.*.read"],
    },
    BuiltinRole {
        code: "unit_admin",
        name: "Quản trị đơn vị",
        permissions: &[
            "identity.unit.read",
            "identity.account.*",
            "identity.role.read",
            "identity.grant.*",
            "identity.audit.read",
            "personnel.record.read",
            "personnel.record.write",
            "personnel.salary.read",
            "welfare.beneficiary.*",
            "projects.project.*",
            "scoring.assessment.read",
            "scoring.assessment.write",
            "reporting.report.read",
            "reporting.report.enter",
            "reporting.report.aggregate",
        ],
    },
    BuiltinRole {
        code: "data_entry",
        name: "Cán bộ nhập liệu",
        permissions: &[
            "identity.unit.read",
            "personnel.record.read",
            "personnel.record.write",
            "personnel.salary.read",
            "welfare.beneficiary.*",
            "projects.project.*",
            "scoring.assessment.read",
            "scoring.assessment.write",
            "reporting.report.read",
            "reporting.report.enter",
            "reporting.report.aggregate",
        ],
    },
    BuiltinRole {
        code: "approver",
        name: "Lãnh đạo phê duyệt",
        permissions: &[
            "identity.unit.read",
            "scoring.assessment.read",
            "scoring.assessment.submit",
            "welfare.beneficiary.read",
            "reporting.report.read",
            "reporting.report.approve",
        ],
    },
    BuiltinRole {
        code: "appraiser",
        name: "Thành viên tổ thẩm định",
        permissions: &[
            "identity.unit.read",
            "scoring.assessment.read",
            "scoring.appraisal.write",
        ],
    },
    BuiltinRole {
        code: "personnel_admin",
        name: "Sở Nội vụ (quản trị hồ sơ cán bộ)",
        // Everything of the records but Finance's salary write (payrolls, the base salary).
        permissions: &[
            "identity.unit.read",
            "personnel.record.*",
            "personnel.salary.read",
            "personnel.staffing.write",
            "personnel.catalogue.write",
            "personnel.training.write",
        ],
    },
    BuiltinRole {
        code: "salary_manager",
        name: "Sở Tài chính (quản lý tiền lương)",
        // The salary data of the records, not the rest of the CV (family, Party, health): the
        // secrecy of Điều 8.2 of QĐ 80/2020.
        permissions: &[
            "identity.unit.read",
            "personnel.salary.read",
            "personnel.salary.write",
        ],
    },
    BuiltinRole {
        code: "welfare_labour_verifier",
        name: "Phòng Lao động - Xã hội (xác minh đối tượng an sinh)",
        // Điều 16-17: the sector department verifies the beneficiaries of its field.
        permissions: &[
            "identity.unit.read",
            "welfare.beneficiary.read",
            "welfare.labour.verify",
        ],
    },
    BuiltinRole {
        code: "welfare_education_verifier",
        name: "Phòng Giáo dục (xác minh đối tượng chính sách giáo dục)",
        permissions: &[
            "identity.unit.read",
            "welfare.beneficiary.read",
            "welfare.education.verify",
            "welfare.school.verify",
        ],
    },
    BuiltinRole {
        code: "welfare_district_finance",
        name: "Phòng Tài chính - Kế hoạch (thẩm định kinh phí an sinh)",
        // Điều 19.4b: appraises its communes' estimates and settlements; verifies the economic
        // policies' beneficiaries.
        permissions: &[
            "identity.unit.read",
            "welfare.beneficiary.read",
            "welfare.finance.verify",
            "welfare.settlement.appraise",
        ],
    },
    BuiltinRole {
        code: "welfare_provincial_finance",
        name: "Sở Tài chính (phê duyệt kinh phí, quản lý tham số an sinh)",
        permissions: &[
            "identity.unit.read",
            "welfare.beneficiary.read",
            "welfare.settlement.approve",
            "welfare.parameter.write",
        ],
    },
    BuiltinRole {
        code: "employee_self_service",
        name: "Cán bộ tự tra cứu hồ sơ",
        permissions: &["personnel.record.read"],
    },
];

/// True when holding `held` implies holding every permission `wanted` stands for.
pub fn pattern_covers(held: &str, wanted: &str) -> bool {
    if held == "*" {
        return true;
    }
    if wanted == "*" {
        return false;
    }
    let h: Vec<&str> = held.split('.').collect();
    let w: Vec<&str> = wanted.split('.').collect();
    h.len() == w.len() && h.iter().zip(&w).all(|(a, b)| *a == "*" || a == b)
}

/// True when a permission pattern is well formed and names registered permissions.
pub fn is_known_pattern(pattern: &str) -> bool {
    pattern == "*"
        || (pattern.split('.').count() == 3
            && PERMISSIONS
                .iter()
                .any(|def| permission_matches(pattern, def.name)))
}

/// True when `grantor` holds every permission of `role_permissions` over `scope_path`.
pub fn can_delegate(grantor: &Principal, role_permissions: &[String], scope_path: &str) -> bool {
    !grantor.must_change_password
        && role_permissions.iter().all(|wanted| {
            grantor.grants.iter().any(|g| {
                g.s != tinhso_platform::auth::SELF_SCOPE
                    && tinhso_platform::ids::is_under(scope_path, &g.s)
                    && g.p.iter().any(|held| pattern_covers(held, wanted))
            })
        })
}

/// True when `caller` could have granted every grant the target account holds, each given as its
/// permissions and the path of the units it covers. Resetting, disabling, enabling, unlocking or
/// editing an account is a way to take it over, so it follows the rule of granting: no one acts
/// on an account that holds more than they do (a unit admin on the provincial leader homed in
/// the unit, say).
pub fn can_administer<'a>(
    caller: &Principal,
    target_grants: impl IntoIterator<Item = (&'a [String], &'a str)>,
) -> bool {
    target_grants
        .into_iter()
        .all(|(permissions, scope_path)| can_delegate(caller, permissions, scope_path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tinhso_platform::auth::GrantClaim;

    fn principal<S: AsRef<str>>(scope: &str, perms: &[S]) -> Principal {
        Principal {
            account_id: "a".into(),
            username: "a".into(),
            unit_path: scope.into(),
            personnel_id: String::new(),
            grants: vec![GrantClaim {
                s: scope.into(),
                p: perms.iter().map(|s| s.as_ref().to_string()).collect(),
            }],
            must_change_password: false,
            is_service: false,
            issued_at_ms: 0,
        }
    }

    fn perms(code: &str) -> Vec<String> {
        BUILTIN_ROLES
            .iter()
            .find(|r| r.code == code)
            .map(|r| r.permissions.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn unit_admin_delegates_only_what_it_holds_inside_its_subtree() {
        let unit_admin = principal("/r/a/", &perms("unit_admin"));
        assert!(can_delegate(&unit_admin, &perms("data_entry"), "/r/a/"));
        assert!(can_delegate(&unit_admin, &perms("data_entry"), "/r/a/b/"));
        assert!(
            !can_delegate(&unit_admin, &perms("data_entry"), "/r/"),
            "outside the subtree"
        );
        assert!(
            !can_delegate(&unit_admin, &perms("system_admin"), "/r/a/"),
            "above its own role"
        );
        assert!(
            !can_delegate(&unit_admin, &perms("unit_head"), "/r/a/"),
            "*.*.read is more than it holds"
        );
        let admin = principal("/r/", &["*"]);
        assert!(can_delegate(&admin, &perms("system_admin"), "/r/a/"));
    }

    #[test]
    fn an_account_is_administered_only_by_someone_holding_all_it_holds() {
        let unit_admin = principal("/r/a/", &perms("unit_admin"));
        let clerk = perms("data_entry");
        let leader = perms("provincial_leader");
        let admin = perms("system_admin");
        assert!(can_administer(&unit_admin, [(&clerk[..], "/r/a/b/")]));
        assert!(can_administer(&unit_admin, []), "an account without grants");
        assert!(
            !can_administer(&unit_admin, [(&clerk[..], "/r/a/"), (&leader[..], "/r/")]),
            "a leader homed in the unit"
        );
        assert!(
            !can_administer(&unit_admin, [(&admin[..], "/r/a/")]),
            "the system admin homed in the unit"
        );
        assert!(
            !can_administer(&unit_admin, [(&clerk[..], "/r/x/")]),
            "a clerk of another unit"
        );
    }

    #[test]
    fn every_builtin_permission_is_registered() {
        for role in BUILTIN_ROLES {
            for p in role.permissions {
                assert!(is_known_pattern(p), "{} has unknown {}", role.code, p);
            }
        }
        assert!(!is_known_pattern("identity.nothing.read"));
        assert!(pattern_covers(
            "identity.account.*",
            "identity.account.read"
        ));
        assert!(!pattern_covers(
            "identity.account.read",
            "identity.account.*"
        ));
    }
}
