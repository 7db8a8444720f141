//! Identity's rules as plain functions over plain types: password policy, field validation,
//! unit-tree paths, lockout, the login decision, permissions, built-in roles and delegation. No
//! I/O.

pub mod accounts;
pub mod keys;
pub mod login;
pub mod password;
pub mod roles;
pub mod units;
