//! The HTTP client the service suites judge a target through.
//!
//! Every exchange is recorded as a redacted `evidence::Transcript`, so each
//! verdict can cite what was actually sent and received. Redirects are never
//! followed automatically (the suites decide), bodies are capped, and every
//! request honours both a per-request timeout and a total run deadline.

pub mod client;

pub use client::{BODY_LIMIT, Body, Client, Exchange, FailKind, Failure, HttpConfig, Req};
