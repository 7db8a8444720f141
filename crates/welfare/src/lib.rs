//! Welfare funds (an sinh xã hội, QĐ 503/2022/QĐ-UBND Quảng Ngãi): the policies as data, the
//! beneficiaries and their enrolments, the entitlements of a period and their settlement.
//!
//! This crate follows the rooms of identity and personnel: `domain/` holds the rules as plain
//! functions over plain types (no I/O), `store/` the tables and queries on sea-orm; the gRPC
//! handlers and the runner come next (issue 12).

pub mod domain;
pub mod store;
