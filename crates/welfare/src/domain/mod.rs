//! Welfare rules as plain functions over plain types. No I/O.

pub mod entitlements;
pub mod parameters;
pub mod rules;
