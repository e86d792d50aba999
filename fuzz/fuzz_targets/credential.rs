//! Arbitrary bytes through the verify path a `verify FILE` takes: decode
//! (JSON, compact JWS, baked PNG/SVG), then every check. Must never panic.
#![no_main]

use clr_conformance::catalog::{Profile, Role};
use clr_conformance::credential::parse;
use clr_conformance::credential::verify::{self, VerifyOptions};
use clr_conformance::evidence::Recorder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = parse::parse_document(data) else {
        return;
    };
    for role in [Role::Displayer, Role::Issuer] {
        let mut opts = VerifyOptions::new(role, Profile::clr());
        opts.now = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default();
        let mut rec = Recorder::new();
        verify::verify_document(&doc, &opts, &mut rec, "fuzz");
    }
});
