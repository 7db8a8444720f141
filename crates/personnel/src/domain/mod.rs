//! Personnel rules as plain functions over plain types. No I/O.

pub mod grades;
pub mod retirement;
pub mod salary;
