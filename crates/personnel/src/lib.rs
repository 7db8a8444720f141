//! Personnel records (hồ sơ cán bộ, công chức, viên chức, người làm việc tại Hội, người hợp đồng
//! lao động) after QĐ 80/2020 of Đồng Tháp: the employee record of form 2C-BNV/2008 and
//! HS02-VC/BNV, staffing quotas, movements, salary, training, awards and discipline, search and
//! statistics. This first part holds the domain rules of salary as plain functions; the service
//! (store, gRPC, events) follows the shape of identity.

pub mod domain;
