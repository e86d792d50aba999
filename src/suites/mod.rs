//! Suites: the checks a run executes against a target, grouped by what is
//! judged. `provider` judges a CLR service provider over HTTP (discovery,
//! OAuth, the REST API); each of its files covers one area of the spec.

pub mod provider;

pub use crate::registry::{At, CheckSpec};
