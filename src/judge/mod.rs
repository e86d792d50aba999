//! Judging clients: the harness stands where the provider stands.
//!
//! Half of the certification roles are clients. For the service consumers the
//! reference provider runs with recording on, the product does its flow against
//! it, and `consumer::judge` reads the recording afterwards. For displayers the
//! harness serves test records with a known truth and a form where the operator
//! says what the product showed; `displayer` compares the two.

pub mod consumer;
pub(crate) mod consumer_checks;
pub mod displayer;
mod exchange;

pub use consumer::{ConsumerRole, End, JudgeOptions, Session, SessionConfig, judge};
