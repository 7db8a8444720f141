//! The shared runtime of every tinhso service: layered configuration, telemetry, database access
//! and migrations, the transactional outbox and event bus, token verification and permission
//! checks, one error type for gRPC and HTTP, the gRPC server builder, and Vietnamese text and
//! calendar helpers. Services own their domain; everything they would otherwise repeat lives here.

pub mod api;
pub mod auth;
pub mod clock;
pub mod config;
pub mod csv;
pub mod db;
pub mod error;
pub mod events;
pub mod follower;
pub mod grpc;
pub mod ids;
pub mod metrics;
pub mod ratelimit;
pub mod service;
pub mod telemetry;
pub mod units;
pub mod validate;
pub mod vn;
pub mod xlsx;

pub use error::{AppError, AppResult, ErrorCode};
pub use ids::{AccountId, EmployeeId, UnitId, UnitPath};
