//! Database access for every service: PostgreSQL in production, SQLite in the embedded dev mode
//! and fast tests, chosen by URL. Queries go through sqlx's `Any` driver with `$n` placeholders,
//! which both backends accept, so one query text serves both. Each service has its own migrator
//! with its own migration table.

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, AssertSqlSafe, Row};
use std::time::Duration;

pub use sqlx::Transaction;
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// The database engine behind a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A connection pool and the backend it talks to.
#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database url must start with postgres:// or sqlite:")]
    BadUrl,
    #[error("cannot connect to the database: {0}")]
    Connect(sqlx::Error),
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        source: sqlx::Error,
    },
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

impl Db {
    /// Connects to the database at `url`. SQLite uses one connection: writers never contend, and
    /// the embedded mode needs no more.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(DbError::BadUrl);
        };
        let max = match backend {
            Backend::Postgres => max_connections.max(1),
            Backend::Sqlite => 1,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(DbError::Connect)?;
        let db = Self { pool, backend };
        if backend == Backend::Sqlite {
            // WAL keeps readers and the backup snapshot off the writer's way; it persists in the file.
            if !url.contains(":memory:") && !url.contains("mode=memory") {
                sqlx::query("PRAGMA journal_mode=WAL")
                    .execute(&db.pool)
                    .await?;
            }
            sqlx::query("PRAGMA foreign_keys=ON")
                .execute(&db.pool)
                .await?;
        }
        Ok(db)
    }

    /// Starts a transaction.
    pub async fn begin(&self) -> Result<Tx<'static>, sqlx::Error> {
        self.pool.begin().await
    }

    /// Rewrites the few portable type tokens of a migration into this backend's SQL:
    /// `ID_PK` (auto-increment key), `BYTES` (binary), `BIGINT`.
    pub fn dialect(&self, sql: &str) -> String {
        match self.backend {
            Backend::Postgres => sql
                .replace("ID_PK", "BIGSERIAL PRIMARY KEY")
                .replace("BYTES", "BYTEA"),
            Backend::Sqlite => sql
                .replace("ID_PK", "INTEGER PRIMARY KEY AUTOINCREMENT")
                .replace("BYTES", "BLOB")
                .replace("BIGINT", "INTEGER"),
        }
    }

    /// Makes a consistent snapshot of a SQLite database into `target` (embedded-mode backup).
    pub async fn sqlite_snapshot(&self, target: &std::path::Path) -> Result<(), DbError> {
        let path = target.to_string_lossy().replace('\'', "''");
        sqlx::query(AssertSqlSafe(format!("VACUUM INTO '{path}'")))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// One schema change. Statements are separated by `;` on their own line ends.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Applies a service's migrations in order, recording each in the service's own table.
#[derive(Debug, Clone, Copy)]
pub struct Migrator {
    pub table: &'static str,
    pub migrations: &'static [Migration],
}

impl Migrator {
    /// Applies every migration not applied yet; each one in its own transaction.
    pub async fn run(&self, db: &Db) -> Result<usize, DbError> {
        sqlx::query(AssertSqlSafe(format!(
            "CREATE TABLE IF NOT EXISTS {} (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            self.table
        )))
        .execute(&db.pool)
        .await?;
        if db.backend == Backend::Postgres {
            // Several replicas may start at once: one migrates, the others wait on this lock.
            let mut conn = db.pool.acquire().await?;
            sqlx::query(AssertSqlSafe(format!(
                "SELECT pg_advisory_lock({})",
                lock_key(self.table)
            )))
            .execute(&mut *conn)
            .await?;
            let result = self.apply_pending(db).await;
            sqlx::query(AssertSqlSafe(format!(
                "SELECT pg_advisory_unlock({})",
                lock_key(self.table)
            )))
            .execute(&mut *conn)
            .await?;
            result
        } else {
            self.apply_pending(db).await
        }
    }

    async fn apply_pending(&self, db: &Db) -> Result<usize, DbError> {
        let rows: Vec<AnyRow> =
            sqlx::query(AssertSqlSafe(format!("SELECT version FROM {}", self.table)))
                .fetch_all(&db.pool)
                .await?;
        let applied: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get::<i64, _>(0))
            .collect::<Result<_, _>>()?;
        let mut count = 0;
        for m in self.migrations {
            if applied.contains(&m.version) {
                continue;
            }
            let fail = |source| DbError::Migration {
                version: m.version,
                name: m.name,
                source,
            };
            let mut tx = db.begin().await?;
            for statement in db.dialect(m.sql).split(";\n") {
                let statement = statement.trim();
                if statement.is_empty() {
                    continue;
                }
                sqlx::query(AssertSqlSafe(statement.to_string()))
                    .execute(&mut *tx)
                    .await
                    .map_err(fail)?;
            }
            sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO {} (version, name, applied_at) VALUES ($1, $2, $3)",
                self.table
            )))
            .bind(m.version)
            .bind(m.name)
            .bind(crate::clock::SystemClock.now_ms())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
            tx.commit().await.map_err(fail)?;
            tracing::info!(
                table = self.table,
                version = m.version,
                name = m.name,
                "migration applied"
            );
            count += 1;
        }
        Ok(count)
    }
}

use crate::clock::Clock as _;

fn lock_key(table: &str) -> i64 {
    // A stable small hash of the table name: one advisory lock per service.
    table.bytes().fold(1_469_598_103_934_665_603_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(1_099_511_628_211)
    }) as i64
}

/// True when a sqlx error is a unique-constraint violation.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.is_unique_violation() || d.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}

/// A value bound to a filter's placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    Int(i64),
}

/// A WHERE clause built from optional criteria, with numbered placeholders (`$1`, `$2`...) that
/// both PostgreSQL and SQLite accept through `sqlx::Any`. Values are always bound, never pasted
/// into the SQL; only column names (from the code, not the caller) are.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Filter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Binds `arg` and returns its placeholder.
    pub fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    /// Adds a clause written with placeholders from [`Filter::arg`].
    pub fn push(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    /// `column = value` when a value is given.
    pub fn eq_text(&mut self, column: &str, value: Option<&str>) {
        if let Some(v) = value {
            let p = self.arg(Arg::Text(v.to_string()));
            self.push(format!("{column} = {p}"));
        }
    }

    pub fn eq_int(&mut self, column: &str, value: Option<i64>) {
        if let Some(v) = value {
            let p = self.arg(Arg::Int(v));
            self.push(format!("{column} = {p}"));
        }
    }

    /// `column >= from` and `column <= to` for the bounds given (text compares dates as
    /// `YYYY-MM-DD`).
    pub fn text_range(&mut self, column: &str, from: Option<&str>, to: Option<&str>) {
        if let Some(v) = from {
            let p = self.arg(Arg::Text(v.to_string()));
            self.push(format!("{column} >= {p}"));
        }
        if let Some(v) = to {
            let p = self.arg(Arg::Text(v.to_string()));
            self.push(format!("{column} <= {p}"));
        }
    }

    /// `column` lies under any of the path prefixes: the caller's scopes. No prefix matches
    /// nothing.
    pub fn under_any(&mut self, column: &str, prefixes: &[String]) {
        if prefixes.is_empty() {
            self.push("1 = 0".into());
            return;
        }
        let ors: Vec<String> = prefixes
            .iter()
            .map(|prefix| {
                let p = self.arg(Arg::Text(format!("{prefix}%")));
                format!("{column} LIKE {p}")
            })
            .collect();
        self.push(format!("({})", ors.join(" OR ")));
    }

    /// `column` contains `needle` (LIKE with its wildcards escaped).
    pub fn contains(&mut self, column: &str, needle: Option<&str>) {
        if let Some(n) = needle {
            let escaped = n
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let p = self.arg(Arg::Text(format!("%{escaped}%")));
            self.push(format!("{column} LIKE {p} ESCAPE '\\'"));
        }
    }

    /// ` WHERE a AND b`, or nothing.
    pub fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    /// The query of `sql` (built with [`Filter::where_sql`]) with every value bound.
    pub fn query<'q>(
        &self,
        sql: String,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for a in &self.args {
            q = match a {
                Arg::Text(t) => q.bind(t.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

#[cfg(test)]
mod filter_tests {
    use super::*;

    #[test]
    fn criteria_become_numbered_placeholders_and_values_stay_bound() {
        let mut f = Filter::new();
        f.under_any("unit_path", &["/a/".into(), "/b/".into()]);
        f.eq_text("kind", Some("cadre"));
        f.eq_text("status", None);
        f.contains("name_folded", Some("50%_off"));
        f.text_range("birth_date", Some("1970-01-01"), None);
        assert_eq!(
            f.where_sql(),
            " WHERE (unit_path LIKE $1 OR unit_path LIKE $2) AND kind = $3 AND \
             name_folded LIKE $4 ESCAPE '\\' AND birth_date >= $5"
        );
        assert_eq!(f.args[3], Arg::Text("%50\\%\\_off%".into()));
        let mut none = Filter::new();
        none.under_any("unit_path", &[]);
        assert_eq!(none.where_sql(), " WHERE 1 = 0", "no scope reads nothing");
    }
}
