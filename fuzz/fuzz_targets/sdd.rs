//! Arbitrary JSON as a Service Description Document: the structure checks
//! and the parser the discovery suite relies on. Must never panic.
//! The body is `clr_conformance::fuzzing::sdd`, which `tests/fuzz_corpus.rs` replays in CI.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| clr_conformance::fuzzing::sdd(data));
