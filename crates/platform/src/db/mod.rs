//! Database access for every service: PostgreSQL in production, SQLite in the embedded dev mode
//! and fast tests, chosen by URL. Connections and transactions are sea-orm's, over sqlx's native
//! PostgreSQL and SQLite drivers. Hand-written statements use `$n` placeholders, which both
//! backends accept, so one query text serves both. Each service has its own migrator with its own
//! migration table.

use sea_orm::sea_query::{Expr, LikeExpr, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectOptions, Database, DbBackend, ExecResult, Statement,
    TransactionTrait,
};
use std::time::Duration;

mod copy;
mod migrate;
pub use copy::{CopyRows, copy_then};
pub use migrate::{Migration, Migrator};

pub use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, QueryResult, TryGetable, Value,
};

/// An open transaction: a change, its audit rows and its outbox event commit in one.
pub type Tx = DatabaseTransaction;
/// A row read by a hand-written statement.
pub type Row = QueryResult;

/// The database engine behind a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A connection pool and the backend it talks to.
#[derive(Debug, Clone)]
pub struct Db {
    pub pool: DatabaseConnection,
    pub backend: Backend,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database url must start with postgres:// or sqlite:")]
    BadUrl,
    #[error("cannot connect to the database: {0}")]
    Connect(DbErr),
    #[error("the migrations of {table} failed (nothing was applied): {source}")]
    Migration { table: String, source: DbErr },
    #[error(
        "migration {name} was changed after it was applied to this database; a migration that \
         ran is never edited: write a new one (docs/operations.md, \"Migrations\")"
    )]
    EditedMigration { name: String },
    #[error(
        "this database was written by a pre-release tinhso (it has the table {table}) whose \
         storage layout cannot be upgraded in place. There has been no release, so there is no \
         data to keep: recreate the database (embedded mode: delete the .tinhso folder; \
         PostgreSQL: drop and create the database) and start again (docs/operations.md, \
         \"Upgrading from a pre-release database\")"
    )]
    PreRelease { table: &'static str },
    #[error(transparent)]
    Sql(#[from] DbErr),
}

impl Db {
    /// Connects to the database at `url`. SQLite uses one connection that is never recycled:
    /// writers never contend, the embedded mode needs no more, and an in-memory database lives
    /// exactly as long as that connection.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, DbError> {
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(DbError::BadUrl);
        };
        let mut options = ConnectOptions::new(url);
        options.sqlx_logging(false);
        match backend {
            Backend::Postgres => {
                // Short: with PostgreSQL down a request fails in seconds with a clear 503, rather
                // than hanging; a healthy pool hands out a connection in milliseconds.
                options
                    .max_connections(max_connections.max(1))
                    .acquire_timeout(Duration::from_secs(3))
                    .connect_timeout(Duration::from_secs(3));
            }
            Backend::Sqlite => {
                // One connection: a long import's transaction makes the others wait their turn.
                options
                    .acquire_timeout(Duration::from_secs(10))
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None);
            }
        }
        let pool = Database::connect(options).await.map_err(DbError::Connect)?;
        let db = Self { pool, backend };
        if backend == Backend::Sqlite {
            // WAL keeps readers and the backup snapshot off the writer's way; it persists in the file.
            if !url.contains(":memory:") && !url.contains("mode=memory") {
                db.pool
                    .execute_unprepared("PRAGMA journal_mode=WAL")
                    .await?;
            }
            db.pool.execute_unprepared("PRAGMA foreign_keys=ON").await?;
        }
        Ok(db)
    }

    /// Starts a transaction.
    pub async fn begin(&self) -> Result<Tx, DbErr> {
        self.pool.begin().await
    }

    /// Makes a consistent snapshot of a SQLite database into `target` (embedded-mode backup).
    pub async fn sqlite_snapshot(&self, target: &std::path::Path) -> Result<(), DbError> {
        let path = target.to_string_lossy().replace('\'', "''");
        self.pool
            .execute_unprepared(&format!("VACUUM INTO '{path}'"))
            .await?;
        Ok(())
    }
}

/// A hand-written statement and its values, bound in order to `$1`, `$2`...
#[derive(Debug, Clone)]
#[must_use = "a statement does nothing until it is executed or fetched"]
pub struct Sql {
    text: String,
    values: Vec<Value>,
}

/// Starts a hand-written statement.
pub fn query(text: impl Into<String>) -> Sql {
    Sql {
        text: text.into(),
        values: Vec::new(),
    }
}

impl Sql {
    /// Binds the next placeholder.
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.values.push(value.into());
        self
    }

    fn statement(self, backend: DbBackend) -> Statement {
        Statement::from_sql_and_values(backend, self.text, self.values)
    }

    pub async fn execute<C: ConnectionTrait>(self, conn: &C) -> Result<ExecResult, DbErr> {
        conn.execute_raw(self.statement(conn.get_database_backend()))
            .await
    }

    pub async fn fetch_all<C: ConnectionTrait>(self, conn: &C) -> Result<Vec<Row>, DbErr> {
        conn.query_all_raw(self.statement(conn.get_database_backend()))
            .await
    }

    pub async fn fetch_optional<C: ConnectionTrait>(self, conn: &C) -> Result<Option<Row>, DbErr> {
        conn.query_one_raw(self.statement(conn.get_database_backend()))
            .await
    }

    pub async fn fetch_one<C: ConnectionTrait>(self, conn: &C) -> Result<Row, DbErr> {
        self.fetch_optional(conn)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("the statement returned no row".into()))
    }

    /// The first column of the one row the statement returns (a count, a sum).
    pub async fn scalar<T: TryGetable, C: ConnectionTrait>(self, conn: &C) -> Result<T, DbErr> {
        self.fetch_one(conn).await?.try_get_by_index(0)
    }

    /// The first column of every row.
    pub async fn scalars<T: TryGetable, C: ConnectionTrait>(
        self,
        conn: &C,
    ) -> Result<Vec<T>, DbErr> {
        self.fetch_all(conn)
            .await?
            .iter()
            .map(|row| row.try_get_by_index(0))
            .collect()
    }
}

/// A timestamp column's value for Unix milliseconds (UTC). Bounds beyond the calendar
/// (`i64::MAX` for "no end") become its first or last moment, so a range stays open.
pub fn at(ms: crate::clock::UnixMillis) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap_or(
        // Both backends keep these; time's own extremes may lie beyond PostgreSQL's range.
        if ms > 0 {
            time::macros::datetime!(9999-12-31 23:59:59 UTC)
        } else {
            time::macros::datetime!(0001-01-01 00:00:00 UTC)
        },
    )
}

/// Unix milliseconds (UTC) of a timestamp column's value.
pub fn millis(t: time::OffsetDateTime) -> crate::clock::UnixMillis {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// A date column's value for `YYYY-MM-DD` text (the form records carry dates in).
pub fn date(text: &str) -> Result<time::Date, DbErr> {
    time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|e| DbErr::Type(format!("date {text:?}: {e}")))
}

/// An optional date column's value for optional `YYYY-MM-DD` text.
pub fn date_opt(text: Option<&str>) -> Result<Option<time::Date>, DbErr> {
    text.filter(|t| !t.is_empty()).map(date).transpose()
}

/// `YYYY-MM-DD` text of a date column's value.
pub fn date_text(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The UUID an id given as text names, if it is one: an id that is not a UUID names no row.
pub fn uuid(text: &str) -> Option<uuid::Uuid> {
    uuid::Uuid::parse_str(text).ok()
}

/// The UUID of an id about to be written (ids are made as UUID v7: anything else is a bug).
pub fn uuid_of(text: &str) -> Result<uuid::Uuid, DbErr> {
    uuid::Uuid::parse_str(text).map_err(|e| DbErr::Type(format!("id {text:?}: {e}")))
}

/// `column LIKE 'prefix%'` with the prefix's own `%`, `_` and `\` taken literally.
pub fn starts_with(column: impl ColumnTrait, prefix: &str) -> SimpleExpr {
    use sea_orm::sea_query::ExprTrait as _;
    Expr::col(column.as_column_ref())
        .like(LikeExpr::new(format!("{}%", escape_like(prefix))).escape('\\'))
}

/// `column LIKE '%needle%'`, the needle taken literally.
pub fn contains(column: impl ColumnTrait, needle: &str) -> SimpleExpr {
    use sea_orm::sea_query::ExprTrait as _;
    Expr::col(column.as_column_ref())
        .like(LikeExpr::new(format!("%{}%", escape_like(needle))).escape('\\'))
}

/// `column` (a materialized path) with its prefix `old` replaced by `new`, for moving a subtree
/// in one statement (concat and substr read the same on both backends).
pub fn rebased_path(column: impl ColumnTrait, old: &str, new: &str) -> Expr {
    use sea_orm::sea_query::{ExprTrait as _, Func};
    let kept = Func::cust("substr")
        .arg(Expr::col(column.as_column_ref()))
        .arg(Expr::val(old.chars().count() as i64 + 1).cast_as("INTEGER"));
    Func::cust("concat").arg(new).arg(kept).into()
}

/// `column` lies under any of the path prefixes (the caller's scopes); no prefix matches nothing.
pub fn under_any(column: impl ColumnTrait + Copy, prefixes: &[String]) -> Condition {
    use sea_orm::sea_query::ExprTrait as _;
    if prefixes.is_empty() {
        return Condition::all().add(Expr::val(1).eq(0));
    }
    prefixes.iter().fold(Condition::any(), |any, prefix| {
        any.add(starts_with(column, prefix))
    })
}

/// `text` with LIKE's wildcards (`%`, `_`) and the escape character taken literally, for a
/// hand-written `LIKE $n ESCAPE '\\'`.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// True when a statement failed on a unique constraint.
pub fn is_unique_violation(e: &DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

#[cfg(test)]
mod time_tests {
    use super::*;

    #[test]
    fn milliseconds_round_trip_and_open_bounds_stay_open() {
        let ms = 1_795_000_123_456;
        assert_eq!(millis(at(ms)), ms);
        assert!(at(i64::MAX) > at(ms), "no end stays after every moment");
        assert!(at(i64::MIN) < at(0), "no start stays before every moment");
        assert_eq!(date_text(date("2024-07-01").expect("date")), "2024-07-01");
        assert!(date("2024-02-30").is_err());
    }
}
