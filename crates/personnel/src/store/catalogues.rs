//! Catalogue entries, the grade groups' step tables and the effective-dated base salary: the
//! reference data the records and the salary rules read. Seeds fill only what is still empty.

use super::entities::{base_salary, catalogue_entry, grade_step, reference_change};
use crate::domain::{catalogues, grades, salary};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, DatabaseConnection, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, QuerySelect as _, Set,
};
use tinhso_platform::db::{self, Db, DbErr, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    pub catalogue: String,
    pub code: String,
    pub name: String,
    pub attribute: String,
    pub sort_order: i64,
    pub active: bool,
    pub updated_at: i64,
    pub updated_by: String,
    pub report_column: String,
}

impl From<catalogue_entry::Model> for EntryRow {
    fn from(e: catalogue_entry::Model) -> Self {
        Self {
            catalogue: e.catalogue,
            code: e.code,
            name: e.name,
            attribute: e.attribute,
            sort_order: e.sort_order,
            active: e.active,
            updated_at: db::millis(e.updated_at),
            updated_by: e.updated_by,
            report_column: e.report_column,
        }
    }
}

/// Seeds every catalogue, the step table and the base salary that is still empty.
pub async fn seed_missing(db: &Db, now: i64) -> Result<(), DbErr> {
    let mut tx = db.begin().await?;
    // Each seed entry whose code is missing (entries are retired, never deleted, so a missing
    // code is one a newer release added).
    for catalogue in catalogues::CATALOGUES {
        let known: std::collections::HashSet<String> = catalogue_entry::Entity::find()
            .select_only()
            .column(catalogue_entry::Column::Code)
            .filter(catalogue_entry::Column::Catalogue.eq(catalogue.name))
            .into_tuple()
            .all(&tx)
            .await?
            .into_iter()
            .collect();
        for (code, name, attribute, sort_order) in catalogues::seed(catalogue.name) {
            let report_column = catalogues::seed_report_column(catalogue.name, &code);
            if known.contains(&code) {
                // A report column a newer release gives a seeded entry, where none is set.
                if !report_column.is_empty() {
                    catalogue_entry::Entity::update_many()
                        .col_expr(
                            catalogue_entry::Column::ReportColumn,
                            sea_orm::sea_query::Expr::value(report_column),
                        )
                        .filter(catalogue_entry::Column::Catalogue.eq(catalogue.name))
                        .filter(catalogue_entry::Column::Code.eq(&code))
                        .filter(catalogue_entry::Column::ReportColumn.eq(""))
                        .exec(&tx)
                        .await?;
                }
                continue;
            }
            put(
                &mut tx,
                &EntryRow {
                    catalogue: catalogue.name.into(),
                    code,
                    name,
                    attribute,
                    sort_order,
                    active: true,
                    updated_at: now,
                    updated_by: "seed".into(),
                    report_column: report_column.into(),
                },
            )
            .await?;
        }
    }
    // Each group of the national tables that has no steps yet (Finance's own changes stay).
    let known: std::collections::HashSet<String> = group_steps(&tx)
        .await?
        .into_iter()
        .map(|(group, _)| group)
        .collect();
    for group in grades::national_table() {
        if !known.contains(group.group.code()) {
            set_group_steps(&mut tx, group.group.code(), &group.coefficients).await?;
        }
    }
    // Each decree's base salary that is missing, by its date (a later seed adds an older decree
    // to a running database; nothing removes a date, and one already there is never changed).
    for b in salary::seed_base_salaries() {
        let known = base_salary::Entity::find_by_id(b.from).one(&tx).await?;
        if known.is_none() {
            set_base_salary(&mut tx, &b.from.to_string(), b.vnd, now, "seed").await?;
        }
    }
    tx.commit().await
}

/// The entries of a catalogue in their order; retired ones only when asked.
pub async fn entries(
    conn: &impl ConnectionTrait,
    catalogue: &str,
    with_retired: bool,
) -> Result<Vec<EntryRow>, DbErr> {
    let mut select =
        catalogue_entry::Entity::find().filter(catalogue_entry::Column::Catalogue.eq(catalogue));
    if !with_retired {
        select = select.filter(catalogue_entry::Column::Active.eq(true));
    }
    Ok(select
        .order_by_asc(catalogue_entry::Column::SortOrder)
        .order_by_asc(catalogue_entry::Column::Code)
        .all(conn)
        .await?
        .into_iter()
        .map(EntryRow::from)
        .collect())
}

/// Every entry of a catalogue, retired ones too, on any connection.
pub async fn entries_on(
    conn: &impl ConnectionTrait,
    catalogue: &str,
) -> Result<Vec<EntryRow>, DbErr> {
    Ok(catalogue_entry::Entity::find()
        .filter(catalogue_entry::Column::Catalogue.eq(catalogue))
        .order_by_asc(catalogue_entry::Column::SortOrder)
        .order_by_asc(catalogue_entry::Column::Code)
        .all(conn)
        .await?
        .into_iter()
        .map(EntryRow::from)
        .collect())
}

pub async fn entry(
    conn: &impl ConnectionTrait,
    catalogue: &str,
    code: &str,
) -> Result<Option<EntryRow>, DbErr> {
    Ok(
        catalogue_entry::Entity::find_by_id((catalogue.to_string(), code.to_string()))
            .one(conn)
            .await?
            .map(EntryRow::from),
    )
}

/// Inserts or replaces an entry.
pub async fn put(tx: &mut Tx, e: &EntryRow) -> Result<(), DbErr> {
    use catalogue_entry::Column;
    catalogue_entry::Entity::insert(catalogue_entry::ActiveModel {
        catalogue: Set(e.catalogue.clone()),
        code: Set(e.code.clone()),
        name: Set(e.name.clone()),
        attribute: Set(e.attribute.clone()),
        sort_order: Set(e.sort_order),
        active: Set(e.active),
        updated_at: Set(db::at(e.updated_at)),
        updated_by: Set(e.updated_by.clone()),
        report_column: Set(e.report_column.clone()),
    })
    .on_conflict(
        OnConflict::columns([Column::Catalogue, Column::Code])
            .update_columns([
                Column::Name,
                Column::Attribute,
                Column::SortOrder,
                Column::Active,
                Column::UpdatedAt,
                Column::UpdatedBy,
                Column::ReportColumn,
            ])
            .to_owned(),
    )
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

/// Every group's coefficients, step 1 first, by group code.
pub async fn group_steps(conn: &impl ConnectionTrait) -> Result<Vec<(String, Vec<u32>)>, DbErr> {
    let rows = grade_step::Entity::find()
        .order_by_asc(grade_step::Column::GradeGroup)
        .order_by_asc(grade_step::Column::Step)
        .all(conn)
        .await?;
    let mut groups: Vec<(String, Vec<u32>)> = Vec::new();
    for r in rows {
        let coefficient = u32::try_from(r.coefficient).unwrap_or_default();
        match groups.last_mut() {
            Some((g, steps)) if *g == r.grade_group => steps.push(coefficient),
            _ => groups.push((r.grade_group, vec![coefficient])),
        }
    }
    Ok(groups)
}

/// The step table of one group, as the salary rules use it.
pub async fn steps_of(
    conn: &impl ConnectionTrait,
    group: &str,
) -> Result<Option<grades::GroupSteps>, DbErr> {
    let Some(g) = grades::GradeGroup::from_code(group) else {
        return Ok(None);
    };
    let rows: Vec<i64> = grade_step::Entity::find()
        .select_only()
        .column(grade_step::Column::Coefficient)
        .filter(grade_step::Column::GradeGroup.eq(group))
        .order_by_asc(grade_step::Column::Step)
        .into_tuple()
        .all(conn)
        .await?;
    Ok((!rows.is_empty()).then(|| grades::GroupSteps {
        group: g,
        coefficients: rows
            .into_iter()
            .map(|c| u32::try_from(c).unwrap_or_default())
            .collect(),
    }))
}

/// Replaces a group's step table.
pub async fn set_group_steps(tx: &mut Tx, group: &str, coefficients: &[u32]) -> Result<(), DbErr> {
    grade_step::Entity::delete_many()
        .filter(grade_step::Column::GradeGroup.eq(group))
        .exec(&*tx)
        .await?;
    if coefficients.is_empty() {
        return Ok(());
    }
    let steps = (1_i64..)
        .zip(coefficients)
        .map(|(step, coefficient)| grade_step::ActiveModel {
            grade_group: Set(group.to_string()),
            step: Set(step),
            coefficient: Set(i64::from(*coefficient)),
        });
    grade_step::Entity::insert_many(steps)
        .exec_without_returning(&*tx)
        .await?;
    Ok(())
}

/// The base salary table: (from date, đồng, updated_at, updated_by), oldest first.
pub async fn base_salaries(
    conn: &impl ConnectionTrait,
) -> Result<Vec<(String, i64, i64, String)>, DbErr> {
    Ok(base_salary::Entity::find()
        .order_by_asc(base_salary::Column::FromDate)
        .all(conn)
        .await?
        .into_iter()
        .map(|b| {
            (
                db::date_text(b.from_date),
                b.vnd,
                db::millis(b.updated_at),
                b.updated_by,
            )
        })
        .collect())
}

/// The base salary table as the salary rules use it.
pub async fn base_salary_table(
    conn: &impl ConnectionTrait,
) -> Result<Vec<salary::BaseSalary>, DbErr> {
    Ok(base_salary::Entity::find()
        .order_by_asc(base_salary::Column::FromDate)
        .all(conn)
        .await?
        .into_iter()
        .map(|b| salary::BaseSalary {
            from: b.from_date,
            vnd: b.vnd,
        })
        .collect())
}

/// Sets the base salary in force from `from` (replacing a figure for the same date).
pub async fn set_base_salary(
    tx: &mut Tx,
    from: &str,
    vnd: i64,
    now: i64,
    by: &str,
) -> Result<(), DbErr> {
    use base_salary::Column;
    base_salary::Entity::insert(base_salary::ActiveModel {
        from_date: Set(db::date(from)?),
        vnd: Set(vnd),
        updated_at: Set(db::at(now)),
        updated_by: Set(by.to_string()),
    })
    .on_conflict(
        OnConflict::column(Column::FromDate)
            .update_columns([Column::Vnd, Column::UpdatedAt, Column::UpdatedBy])
            .to_owned(),
    )
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

/// One change to the reference data: a catalogue entry, a group's step table or a base salary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceChange {
    pub at: i64,
    pub actor_id: String,
    pub actor_username: String,
    /// `catalogue:<name>`, `grade_group` or `base_salary`.
    pub what: String,
    /// The code, group or date changed.
    pub item: String,
    pub before: String,
    pub after: String,
}

pub async fn record_reference_change(tx: &mut Tx, c: &ReferenceChange) -> Result<(), DbErr> {
    reference_change::Entity::insert(reference_change::ActiveModel {
        at: Set(db::at(c.at)),
        actor_id: Set(c.actor_id.clone()),
        actor_username: Set(c.actor_username.clone()),
        what: Set(c.what.clone()),
        item: Set(c.item.clone()),
        before_value: Set(c.before.clone()),
        after_value: Set(c.after.clone()),
        ..Default::default()
    })
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

/// Changes to the reference data, newest first.
pub async fn reference_changes(
    pool: &DatabaseConnection,
    limit: i64,
    offset: i64,
) -> Result<Vec<ReferenceChange>, DbErr> {
    Ok(reference_change::Entity::find()
        .order_by_desc(reference_change::Column::Id)
        .limit(u64::try_from(limit).unwrap_or(0))
        .offset(u64::try_from(offset).unwrap_or(0))
        .all(pool)
        .await?
        .into_iter()
        .map(|r| ReferenceChange {
            at: db::millis(r.at),
            actor_id: r.actor_id,
            actor_username: r.actor_username,
            what: r.what,
            item: r.item,
            before: r.before_value,
            after: r.after_value,
        })
        .collect())
}
