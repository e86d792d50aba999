//! Arbitrary text as a compact JWS / VC-JWT: header and payload decoding,
//! key resolution (offline) and signature checks. Must never panic.
#![no_main]

use clr_conformance::credential::proof::jwt;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = jwt::verify_jwt(&text);
});
