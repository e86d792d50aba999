//! Credentials: parsing, schemas, JSON-LD, proofs and the verification algorithm.
pub mod baked;
pub mod jsonld;
pub mod parse;
pub mod proof;
pub mod schema;
pub mod verify;
