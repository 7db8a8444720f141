//! Personnel rules as plain functions over plain types. No I/O.

pub mod catalogues;
pub mod deadlines;
pub mod forms;
pub mod grades;
pub mod movements;
pub mod payroll;
pub mod payslip;
pub mod retirement;
pub mod salary;
pub mod staffing;
pub mod statistics;
