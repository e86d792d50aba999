//! Arbitrary `Link` header values (RFC 8288) as the paging checks parse them.
//! The body is `clr_conformance::fuzzing::link`, which `tests/fuzz_corpus.rs` replays in CI.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| clr_conformance::fuzzing::link(data));
