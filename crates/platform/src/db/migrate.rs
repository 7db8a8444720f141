//! Schema migrations on sea-orm-migration, with what it leaves to us: a lock taken before
//! anything else (several replicas start at once), a checksum of every applied migration (an
//! edited migration that already ran is refused, not silently skipped) and the refusal of a
//! pre-release database.
//!
//! A migration is written in PostgreSQL's SQL, the schema a DBA reads. SQLite (the embedded mode)
//! runs the same text with PostgreSQL's type names mapped to its own ([`sqlite_dialect`]):
//! write types in upper case and names in lower case.

use super::{Backend, Db, DbError, query};
use sea_orm::sea_query::{Alias, IntoIden};
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, DynIden, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use sea_orm_migration::{
    MigrationName, MigrationTrait, MigratorTraitSelf, SchemaManager, async_trait,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// One schema change. Never edit one that has been released: write the next.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Sorts in the order the migrations apply: `m0002_identity`.
    pub name: &'static str,
    /// Statements in PostgreSQL's SQL, run on both backends.
    pub sql: &'static str,
    /// Statements only PostgreSQL runs (extensions, trigram indexes).
    pub postgres_only: &'static str,
}

impl Migration {
    /// The hex SHA-256 of everything the migration runs.
    pub fn checksum(&self) -> String {
        let digest = Sha256::new()
            .chain_update(self.sql.as_bytes())
            .chain_update([0u8])
            .chain_update(self.postgres_only.as_bytes())
            .finalize();
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        self.name
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        match conn.get_database_backend() {
            DbBackend::Sqlite => {
                conn.execute_unprepared(&sqlite_dialect(self.sql)).await?;
            }
            _ => {
                conn.execute_unprepared(self.sql).await?;
                if !self.postgres_only.trim().is_empty() {
                    conn.execute_unprepared(self.postgres_only).await?;
                }
            }
        }
        Ok(())
    }
}

/// A service's migrations, recorded in its own table (`identity_schema`) beside their checksums
/// (`identity_schema_checksums`).
#[derive(Debug, Clone, Copy)]
pub struct Migrator {
    pub table: &'static str,
    /// The table of the pre-release migrator this one replaced: a database holding it is
    /// refused with the way forward.
    pub replaces: Option<&'static str>,
    pub migrations: &'static [Migration],
}

impl MigratorTraitSelf for Migrator {
    fn migrations(&self) -> Vec<Box<dyn MigrationTrait>> {
        self.migrations
            .iter()
            .map(|m| Box::new(*m) as Box<dyn MigrationTrait>)
            .collect()
    }

    fn migration_table_name(&self) -> DynIden {
        Alias::new(self.table).into_iden()
    }
}

impl Migrator {
    /// Applies every pending migration in one transaction and returns how many ran. On
    /// PostgreSQL the transaction first takes an advisory lock: when several replicas start at
    /// once one migrates, the others wait, then find nothing left to do.
    pub async fn run(&self, db: &Db) -> Result<usize, DbError> {
        // SQLite: a write transaction from the start, so a second process waits its turn
        // instead of failing on a stale snapshot.
        let tx = db
            .pool
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
            .await?;
        if db.backend == Backend::Postgres {
            query(format!(
                "SELECT pg_advisory_xact_lock({})",
                lock_key(self.table)
            ))
            .execute(&tx)
            .await?;
        }
        let manager = SchemaManager::new(&tx);
        if let Some(table) = self.replaces
            && manager.has_table(table).await?
        {
            return Err(DbError::PreRelease { table });
        }
        self.install(&tx).await?;
        tx.execute_unprepared(&format!(
            "CREATE TABLE IF NOT EXISTS {}_checksums (name TEXT PRIMARY KEY, sha256 TEXT NOT NULL)",
            self.table
        ))
        .await?;
        let recorded: HashMap<String, String> =
            query(format!("SELECT name, sha256 FROM {}_checksums", self.table))
                .fetch_all(&tx)
                .await?
                .iter()
                .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
                .collect::<Result<_, DbErr>>()?;
        for applied in self.get_applied_migrations(&tx).await? {
            let name = applied.name().to_string();
            let current = self.migrations.iter().find(|m| m.name == name);
            if current.map(Migration::checksum).as_ref() != recorded.get(&name) {
                return Err(DbError::EditedMigration { name });
            }
        }
        let pending = self.get_pending_migrations(&tx).await?.len();
        self.up(&tx, None)
            .await
            .map_err(|source| DbError::Migration {
                table: self.table.to_string(),
                source,
            })?;
        for m in self.migrations {
            if recorded.contains_key(m.name) {
                continue;
            }
            query(format!(
                "INSERT INTO {}_checksums (name, sha256) VALUES ($1, $2)",
                self.table
            ))
            .bind(m.name)
            .bind(m.checksum())
            .execute(&tx)
            .await?;
            tracing::info!(table = self.table, migration = m.name, "migration applied");
        }
        tx.commit().await?;
        Ok(pending)
    }
}

fn lock_key(table: &str) -> i64 {
    // A stable small hash of the table name: one advisory lock per service.
    table.bytes().fold(1_469_598_103_934_665_603_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(1_099_511_628_211)
    }) as i64
}

/// PostgreSQL's SQL as SQLite runs it: its types by SQLite's names (timestamps, dates, JSON and
/// UUIDs as text, which sea-orm reads back into the same Rust types), no operator classes.
pub fn sqlite_dialect(sql: &str) -> String {
    let sql = sql.replace("BIGSERIAL PRIMARY KEY", "INTEGER PRIMARY KEY AUTOINCREMENT");
    let mut out = String::with_capacity(sql.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let mapped = match word.as_str() {
            "TIMESTAMPTZ" | "JSONB" | "UUID" | "DATE" => "TEXT",
            "BYTEA" => "BLOB",
            "BIGINT" => "INTEGER",
            "text_pattern_ops" => "",
            other => other,
        };
        out.push_str(mapped);
        word.clear();
    };
    for c in sql.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_runs_postgres_types_under_its_own_names() {
        let pg = "CREATE TABLE t (seq BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL, \
                  birth_date DATE, body JSONB, n BIGINT, data BYTEA, ok BOOLEAN);\n\
                  CREATE INDEX t_path ON t (path text_pattern_ops);";
        assert_eq!(
            sqlite_dialect(pg),
            "CREATE TABLE t (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, \
             birth_date TEXT, body TEXT, n INTEGER, data BLOB, ok BOOLEAN);\n\
             CREATE INDEX t_path ON t (path );"
        );
    }

    #[test]
    fn any_edit_changes_the_checksum() {
        let m = Migration {
            name: "m0001_a",
            sql: "CREATE TABLE a (x TEXT)",
            postgres_only: "",
        };
        let edited = Migration {
            sql: "CREATE TABLE a (x TEXT NOT NULL)",
            ..m
        };
        let moved = Migration {
            postgres_only: "CREATE TABLE a (x TEXT)",
            sql: "",
            ..m
        };
        assert_eq!(m.checksum().len(), 64);
        assert_ne!(m.checksum(), edited.checksum());
        assert_ne!(m.checksum(), moved.checksum());
    }
}
