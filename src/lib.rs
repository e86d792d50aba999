//! clr-conformance: a conformance harness for 1EdTech Comprehensive Learner Record 2.0.
//!
//! Flow: `cli` turns arguments into a plan, `suites` run checks against a target
//! (credentials through `credential`, services through `oauth` and `http`), checks
//! record assertions in `evidence`, and `report` renders the result. The reference
//! provider in `provider` is a peer reached over HTTP only.
#![forbid(unsafe_code)]
// Output goes through `term` (a closed pipe must not panic).
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

pub mod attest;
pub mod catalog;
pub mod cli;
pub mod coverage;
pub mod credential;
pub mod evidence;
#[doc(hidden)]
pub mod fuzzing;
pub mod http;
pub mod judge;
pub mod oauth;
pub mod provider;
pub mod report;
pub mod suites;
pub mod term;
pub mod vectors;
