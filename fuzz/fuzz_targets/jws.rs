//! Arbitrary text as a compact JWS / VC-JWT: header and payload decoding,
//! key resolution (offline) and signature checks. Must never panic.
//! The body is `clr_conformance::fuzzing::jws`, which `tests/fuzz_corpus.rs` replays in CI.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| clr_conformance::fuzzing::jws(data));
