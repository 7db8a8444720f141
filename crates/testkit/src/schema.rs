//! What a DBA or a reporting tool sees of a service's schema on PostgreSQL: every timestamp,
//! boolean, date and JSON value in a column of its native type.

use tinhso_platform::db::{Db, query};

/// The type a column's name says it holds, by the naming rules every migration follows.
fn expected_type(column: &str) -> Option<&'static str> {
    let ends = |suffix: &str| column.ends_with(suffix);
    if column == "at"
        || ends("_at")
        || ends("_until")
        || column == "not_before"
        || ends("_window_start")
    {
        Some("timestamp with time zone")
    } else if column == "date" || ends("_date") || column == "valid_from" || column == "valid_to" {
        Some("date")
    } else if ["active", "builtin", "enabled", "removed", "posthumous"].contains(&column)
        || ["is_", "has_", "must_", "can_"]
            .iter()
            .any(|p| column.starts_with(p))
    {
        Some("boolean")
    } else if ["before", "after", "permissions", "payload"].contains(&column) || ends("_json") {
        Some("jsonb")
    } else {
        None
    }
}

/// `table.column: found, expected` for every column of the database's own schema whose type is
/// not the one its name calls for, and every column named like milliseconds.
pub async fn columns_of_the_wrong_type(db: &Db) -> Vec<String> {
    let rows = query(
        "SELECT table_name, column_name, data_type FROM information_schema.columns \
         WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap_or_else(|e| panic!("information_schema: {e}"));
    let mut wrong = Vec::new();
    for row in rows {
        let (table, column, found): (String, String, String) = (
            row.try_get_by_index(0).unwrap_or_default(),
            row.try_get_by_index(1).unwrap_or_default(),
            row.try_get_by_index(2).unwrap_or_default(),
        );
        if table.ends_with("_schema") {
            // sea-orm-migration's own bookkeeping (applied_at in Unix seconds): its layout, not ours.
            continue;
        }
        if column.ends_with("_ms") {
            wrong.push(format!(
                "{table}.{column}: {found}, a timestamp kept as a number"
            ));
        } else if let Some(expected) = expected_type(&column)
            && found != expected
        {
            wrong.push(format!("{table}.{column}: {found}, expected {expected}"));
        }
    }
    wrong
}

#[cfg(test)]
mod tests {
    use super::expected_type;

    #[test]
    fn names_call_for_their_types() {
        assert_eq!(
            expected_type("created_at"),
            Some("timestamp with time zone")
        );
        assert_eq!(
            expected_type("locked_until"),
            Some("timestamp with time zone")
        );
        assert_eq!(expected_type("birth_date"), Some("date"));
        assert_eq!(expected_type("must_change_password"), Some("boolean"));
        assert_eq!(expected_type("before"), Some("jsonb"));
        assert_eq!(expected_type("full_name"), None);
        assert_eq!(expected_type("format"), None);
    }
}
