//! Identity's tables and queries. Every function takes an open transaction (or the pool for
//! reads), so a change, its audit record and its outbox event commit together.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod migrations;
pub mod tokens;
pub mod units;

pub use migrations::MIGRATOR;

/// Maps a row to a struct field by column name; a missing or mistyped column is a bug that
/// surfaces as an internal error.
macro_rules! col {
    ($row:expr, $name:literal) => {
        $row.try_get("", $name)?
    };
}
pub(crate) use col;

/// Bools are stored as 0/1 integers, the form both backends read back alike.
pub fn flag(b: bool) -> i64 {
    i64::from(b)
}
