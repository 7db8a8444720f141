//! Beneficiaries: inserted with their folded name, found by any part of the name without
//! diacritics within a unit's subtree, and the records a new one may duplicate (the same citizen
//! ID, or the same folded name, birth date and commune — `domain::duplicates`).

use super::entities::{beneficiary, duplicate_decision, enrolment};
use crate::domain::duplicates::{Identity, suspected};
use sea_orm::{
    ColumnTrait as _, Condition, ConnectionTrait, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, QuerySelect as _, Set,
};
use tinhso_platform::db::{self, DbErr, Tx};
use tinhso_platform::vn::fold;

/// A beneficiary as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BeneficiaryRow {
    pub id: String,
    pub full_name: String,
    pub birth_date: Option<time::Date>,
    pub sex: String,
    pub citizen_id: String,
    pub ethnicity: String,
    pub address: String,
    pub commune_id: String,
    pub unit_path: String,
    /// `person` or `household`.
    pub kind: String,
    /// A person's household, if recorded.
    pub household_id: Option<String>,
    pub household_code: String,
    /// A household's status: `poor`, `near_poor` or empty; and the decision recognising it.
    pub poverty: String,
    pub poverty_decision: String,
    pub merged_into: Option<String>,
    pub created_at: i64,
    pub created_by: String,
    pub version: i64,
}

impl From<beneficiary::Model> for BeneficiaryRow {
    fn from(m: beneficiary::Model) -> Self {
        Self {
            id: m.id,
            full_name: m.full_name,
            birth_date: m.birth_date,
            sex: m.sex,
            citizen_id: m.citizen_id,
            ethnicity: m.ethnicity,
            address: m.address,
            commune_id: m.commune_id,
            unit_path: m.unit_path,
            kind: m.kind,
            household_id: m.household_id,
            household_code: m.household_code,
            poverty: m.poverty,
            poverty_decision: m.poverty_decision,
            merged_into: m.merged_into,
            created_at: db::millis(m.created_at),
            created_by: m.created_by,
            version: m.version,
        }
    }
}

impl BeneficiaryRow {
    fn identity(&self) -> Identity<'_> {
        Identity {
            id: &self.id,
            citizen_id: &self.citizen_id,
            full_name: &self.full_name,
            birth_date: self.birth_date,
            commune_id: &self.commune_id,
        }
    }
}

pub async fn insert(tx: &mut Tx, b: &BeneficiaryRow) -> Result<(), DbErr> {
    beneficiary::Entity::insert(beneficiary::ActiveModel {
        id: Set(b.id.clone()),
        full_name: Set(b.full_name.clone()),
        name_folded: Set(fold(&b.full_name)),
        birth_date: Set(b.birth_date),
        sex: Set(b.sex.clone()),
        citizen_id: Set(b.citizen_id.clone()),
        ethnicity: Set(b.ethnicity.clone()),
        address: Set(b.address.clone()),
        commune_id: Set(b.commune_id.clone()),
        unit_path: Set(b.unit_path.clone()),
        kind: Set(b.kind.clone()),
        household_id: Set(b.household_id.clone()),
        household_code: Set(b.household_code.clone()),
        poverty: Set(b.poverty.clone()),
        poverty_decision: Set(b.poverty_decision.clone()),
        merged_into: Set(b.merged_into.clone()),
        created_at: Set(db::at(b.created_at)),
        created_by: Set(b.created_by.clone()),
        version: Set(b.version),
    })
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

/// The records `b` may be: the one with its citizen ID, and those with its folded name born
/// the same day in its commune (merged records included: they stay findable).
pub async fn possible_duplicates(
    conn: &impl ConnectionTrait,
    b: &BeneficiaryRow,
) -> Result<Vec<BeneficiaryRow>, DbErr> {
    use beneficiary::Column;
    let mut same = Condition::any();
    if !b.citizen_id.is_empty() {
        same = same.add(Column::CitizenId.eq(&b.citizen_id));
    }
    if let Some(born) = b.birth_date {
        same = same.add(
            Condition::all()
                .add(Column::NameFolded.eq(fold(&b.full_name)))
                .add(Column::BirthDate.eq(born))
                .add(Column::CommuneId.eq(&b.commune_id)),
        );
    }
    if same.is_empty() {
        return Ok(Vec::new());
    }
    Ok(beneficiary::Entity::find()
        .filter(same)
        .filter(Column::Id.ne(&b.id))
        .order_by_asc(Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(BeneficiaryRow::from)
        .filter(|other| suspected(&b.identity(), &other.identity()).is_some())
        .collect())
}

/// Beneficiaries under the unit path `prefix` whose name contains `query` (diacritics and case
/// aside), by name, at most `limit`.
pub async fn search(
    conn: &impl ConnectionTrait,
    prefix: &str,
    query: &str,
    limit: u64,
) -> Result<Vec<BeneficiaryRow>, DbErr> {
    use beneficiary::Column;
    Ok(beneficiary::Entity::find()
        .filter(db::starts_with(Column::UnitPath, prefix))
        .filter(db::contains(Column::NameFolded, &fold(query)))
        .order_by_asc(Column::NameFolded)
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(BeneficiaryRow::from)
        .collect())
}

pub async fn get(conn: &impl ConnectionTrait, id: &str) -> Result<Option<BeneficiaryRow>, DbErr> {
    Ok(beneficiary::Entity::find_by_id(id.to_string())
        .one(conn)
        .await?
        .map(BeneficiaryRow::from))
}

/// The suspected duplicates of `b` nobody has decided on yet: they block its enrolment until an
/// authorised user says "not a duplicate" or merges (`decide`). Records merged away no longer
/// block anything.
pub async fn undecided_duplicates(
    conn: &impl ConnectionTrait,
    b: &BeneficiaryRow,
) -> Result<Vec<BeneficiaryRow>, DbErr> {
    if b.merged_into.is_some() {
        return Ok(Vec::new());
    }
    let decided: std::collections::HashSet<String> = duplicate_decision::Entity::find()
        .filter(
            Condition::any()
                .add(duplicate_decision::Column::BeneficiaryId.eq(&b.id))
                .add(duplicate_decision::Column::OtherId.eq(&b.id)),
        )
        .all(conn)
        .await?
        .into_iter()
        .map(|d| {
            if d.beneficiary_id == b.id {
                d.other_id
            } else {
                d.beneficiary_id
            }
        })
        .collect();
    Ok(possible_duplicates(conn, b)
        .await?
        .into_iter()
        .filter(|o| o.merged_into.is_none() && !decided.contains(&o.id))
        .collect())
}

/// What an authorised user decided on a suspected pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Two people: both may be enrolled.
    Distinct,
    /// One person: `other` is merged into `kept` — its enrolments move to `kept` and it stays
    /// findable, pointing at `kept`.
    Merged,
}

/// Records `decision` on the pair (`kept`, `other`); for a merge moves `other`'s enrolments.
pub async fn decide(
    tx: &mut Tx,
    kept: &str,
    other: &str,
    decision: Decision,
    now: i64,
    actor: &str,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait as _};
    duplicate_decision::Entity::insert(duplicate_decision::ActiveModel {
        beneficiary_id: Set(kept.to_string()),
        other_id: Set(other.to_string()),
        decision: Set(match decision {
            Decision::Distinct => "distinct",
            Decision::Merged => "merged",
        }
        .to_string()),
        at: Set(db::at(now)),
        actor_username: Set(actor.to_string()),
    })
    .exec_without_returning(&*tx)
    .await?;
    if decision == Decision::Merged {
        beneficiary::Entity::update_many()
            .col_expr(beneficiary::Column::MergedInto, Expr::value(kept))
            .col_expr(
                beneficiary::Column::Version,
                Expr::col(beneficiary::Column::Version).add(1),
            )
            .filter(beneficiary::Column::Id.eq(other))
            .exec(&*tx)
            .await?;
        enrolment::Entity::update_many()
            .col_expr(enrolment::Column::BeneficiaryId, Expr::value(kept))
            .filter(enrolment::Column::BeneficiaryId.eq(other))
            .exec(&*tx)
            .await?;
    }
    Ok(())
}

/// Beneficiaries under `prefix` matching `query` (any part of the name without diacritics, or
/// the citizen ID) after the id `after`, at most `limit`, by id (a stable page order).
pub async fn page(
    conn: &impl ConnectionTrait,
    prefix: &str,
    query: &str,
    after: &str,
    limit: u64,
) -> Result<Vec<BeneficiaryRow>, DbErr> {
    use beneficiary::Column;
    let mut q = beneficiary::Entity::find()
        .filter(db::starts_with(Column::UnitPath, prefix))
        .filter(Column::Id.gt(after));
    let query = query.trim();
    if !query.is_empty() {
        q = q.filter(
            Condition::any()
                .add(db::contains(Column::NameFolded, &fold(query)))
                .add(Column::CitizenId.eq(query)),
        );
    }
    Ok(q.order_by_asc(Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(BeneficiaryRow::from)
        .collect())
}

/// The names of the beneficiaries `ids`, by id.
pub async fn names(
    conn: &impl ConnectionTrait,
    ids: Vec<String>,
) -> Result<std::collections::HashMap<String, String>, DbErr> {
    let mut names = std::collections::HashMap::new();
    // In slices, so a long list stays within the databases' parameter limits.
    for slice in ids.chunks(1000) {
        for (id, name) in beneficiary::Entity::find()
            .select_only()
            .column(beneficiary::Column::Id)
            .column(beneficiary::Column::FullName)
            .filter(beneficiary::Column::Id.is_in(slice.to_vec()))
            .into_tuple::<(String, String)>()
            .all(conn)
            .await?
        {
            names.insert(id, name);
        }
    }
    Ok(names)
}

/// The records holding one of `citizen_ids`.
pub async fn with_citizen_ids(
    conn: &impl ConnectionTrait,
    citizen_ids: &[String],
) -> Result<Vec<BeneficiaryRow>, DbErr> {
    let mut found = Vec::new();
    for slice in citizen_ids.chunks(1000) {
        found.extend(
            beneficiary::Entity::find()
                .filter(beneficiary::Column::CitizenId.is_in(slice.to_vec()))
                .all(conn)
                .await?
                .into_iter()
                .map(BeneficiaryRow::from),
        );
    }
    Ok(found)
}

/// The records not merged away in one of `commune_ids` whose folded name is one of
/// `folded_names` (one query for a batch of rows).
pub async fn with_names_in(
    conn: &impl ConnectionTrait,
    commune_ids: &[String],
    folded_names: &[String],
) -> Result<Vec<BeneficiaryRow>, DbErr> {
    if commune_ids.is_empty() || folded_names.is_empty() {
        return Ok(Vec::new());
    }
    Ok(beneficiary::Entity::find()
        .filter(beneficiary::Column::CommuneId.is_in(commune_ids.to_vec()))
        .filter(beneficiary::Column::NameFolded.is_in(folded_names.to_vec()))
        .filter(beneficiary::Column::MergedInto.is_null())
        .all(conn)
        .await?
        .into_iter()
        .map(BeneficiaryRow::from)
        .collect())
}
