//! Arbitrary `Link` header values (RFC 8288) as the paging checks parse them.
#![no_main]

use clr_conformance::suites::provider::paging::parse_link;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(links) = parse_link(&text) {
        for l in links {
            assert!(!l.target.contains('>'), "{:?}: target kept a '>'", l.target);
        }
    }
});
