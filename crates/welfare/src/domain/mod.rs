//! Welfare rules as plain functions over plain types. No I/O.

pub mod approval;
pub mod duplicates;
pub mod enrolments;
pub mod entitlements;
pub mod estimates;
pub mod import;
pub mod parameters;
pub mod periods;
pub mod policies;
pub mod rules;
pub mod settlement;
