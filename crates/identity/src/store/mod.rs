//! Identity's tables and queries: sea-orm entities (`entities`) behind the row types the service
//! works with. Every write takes an open transaction (reads may take the pool), so a change, its
//! audit record and its outbox event commit together.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod entities;
pub mod migrations;
pub mod tokens;
pub mod units;

pub use migrations::MIGRATOR;
