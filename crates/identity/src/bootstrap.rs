//! The first start of an empty database: built-in roles, the root unit and the system admin
//! with a one-time password; on later starts, the built-in roles a newer release adds.

use crate::domain::{password, roles};
use crate::store::access::{GrantRow, RoleRow};
use crate::store::accounts::AccountRow;
use crate::store::audit::AuditEntry;
use crate::store::{self, units::UnitRow};
use crate::{Bootstrap, Identity, StartError, events};
use tinhso_platform::{AccountId, EmployeeId, UnitPath};

/// The stored row of a built-in role, with a new id.
fn builtin_role_row(role: &roles::BuiltinRole) -> RoleRow {
    RoleRow {
        id: uuid::Uuid::now_v7().to_string(),
        code: role.code.into(),
        name: role.name.into(),
        permissions: role.permissions.iter().map(|p| p.to_string()).collect(),
        builtin: true,
    }
}

/// Brings the built-in roles of a database bootstrapped earlier to this release: adds the new
/// ones and gives the others this release's permissions (built-in roles cannot be edited, so a
/// difference is always an older release's definition, e.g. Finance's salary role before it lost
/// the reading of whole records).
async fn add_new_builtin_roles(identity: &Identity, now: i64) -> Result<(), StartError> {
    let mut tx = identity.db.begin().await?;
    for role in roles::BUILTIN_ROLES {
        match store::access::role(&tx, role.code).await? {
            None => {
                let row = builtin_role_row(role);
                store::access::insert_role(&mut tx, &row, now).await?;
            }
            Some(stored) if stored.builtin && stored.permissions != role.permissions => {
                let permissions: Vec<String> =
                    role.permissions.iter().map(|p| p.to_string()).collect();
                tracing::info!(role = role.code, before = ?stored.permissions, after = ?permissions,
                    "built-in role brought to this release");
                store::access::set_role_permissions(&mut tx, &stored.id, &permissions).await?;
            }
            Some(_) => {}
        }
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn bootstrap(identity: &Identity) -> Result<Bootstrap, StartError> {
    let db = &identity.db;
    let now = identity.clock.now_ms();
    if let Some(root) = store::units::root(&db.pool).await? {
        add_new_builtin_roles(identity, now).await?;
        return Ok(Bootstrap {
            root_unit_id: root.id.into(),
            generated_admin_password: None,
            created: false,
        });
    }
    let mut tx = db.begin().await?;
    for role in roles::BUILTIN_ROLES {
        let row = builtin_role_row(role);
        store::access::insert_role(&mut tx, &row, now).await?;
    }
    let root_id = uuid::Uuid::now_v7().to_string();
    let root = UnitRow {
        id: root_id.clone().into(),
        code: identity.config.root_unit.code.clone(),
        name: identity.config.root_unit.name.clone(),
        kind: "province".into(),
        parent_id: None,
        path: UnitPath::root(&root_id.clone().into()),
        valid_from: None,
        valid_to: None,
        status: "active".into(),
        merged_into_id: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store::units::insert(&mut tx, &root, None).await?;
    let (secret, generated) = if identity.config.bootstrap_admin_password.is_empty() {
        let p = password::one_time_password().map_err(StartError::Other)?;
        (p.clone(), Some(p))
    } else {
        (identity.config.bootstrap_admin_password.clone(), None)
    };
    let hash = tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(|e| StartError::Other(e.to_string()))?
        .map_err(StartError::Other)?;
    let admin = AccountRow {
        id: AccountId::generate(),
        username: "admin".into(),
        full_name: "Quản trị hệ thống".into(),
        position: String::new(),
        department: String::new(),
        phone: String::new(),
        email: String::new(),
        unit_id: root.id.clone(),
        unit_path: root.path.clone(),
        kind: "person".into(),
        status: "active".into(),
        personnel_id: EmployeeId::default(),
        password_hash: hash,
        must_change_password: true,
        // The bootstrap password does not expire: the first operator may come days later.
        password_expires_at: None,
        login: Default::default(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store::accounts::insert(&mut tx, &admin, None).await?;
    let system_admin = store::access::role(&tx, "system_admin")
        .await?
        .ok_or_else(|| StartError::Other("system_admin role missing".into()))?;
    let grant = GrantRow {
        id: uuid::Uuid::now_v7().to_string(),
        account_id: admin.id.clone(),
        role_id: system_admin.id.clone(),
        role_code: system_admin.code.clone(),
        permissions: system_admin.permissions.clone(),
        scope: "unit".into(),
        scope_unit_id: Some(root.id.clone()),
        scope_unit_path: Some(root.path.clone()),
        created_at: now,
    };
    store::access::insert_grant(&mut tx, &grant, "bootstrap").await?;
    let mut entry = AuditEntry {
        at: now,
        actor_id: "bootstrap".into(),
        actor_username: "bootstrap".into(),
        action: "system.bootstrapped".into(),
        target_kind: "unit".into(),
        target_id: root.id.clone().into(),
        unit_path: root.path.clone().into(),
        client_address: "local".into(),
        ..Default::default()
    };
    entry.after_json = serde_json::json!({"root_unit": root, "admin": admin}).to_string();
    store::audit::append(&mut tx, &entry).await?;
    // Other services learn the tree from unit events; the root is its first unit.
    identity
        .outbox
        .enqueue(
            &mut tx,
            &events::unit("created", events::unit_changed(&root, "", "bootstrap"), now),
        )
        .await?;
    tx.commit().await?;
    Ok(Bootstrap {
        root_unit_id: root.id.into(),
        generated_admin_password: generated,
        created: true,
    })
}
