//! Arbitrary bytes through the verify path a `verify FILE` takes: decode
//! (JSON, compact JWS, baked PNG/SVG), then every check. Must never panic.
//! The body is `clr_conformance::fuzzing::credential`, which `tests/fuzz_corpus.rs` replays in CI.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| clr_conformance::fuzzing::credential(data));
