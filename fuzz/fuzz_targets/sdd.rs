//! Arbitrary JSON as a Service Description Document: the structure checks
//! and the parser the discovery suite relies on. Must never panic.
#![no_main]

use clr_conformance::oauth::discovery;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let problems = discovery::structure_problems(&v);
    if let Ok(sdd) = discovery::parse(&v) {
        let _ = sdd.scopes.len();
    }
    let _ = problems.len();
});
