//! Build script: collects the requirement ids that checks name in their source
//! (string literals in the judging modules), so `requirements --untested` can
//! list catalog entries no check claims. The git revision goes into reports.

use std::fs;
use std::path::Path;

const JUDGES: &[&str] = &["src/credential", "src/suites", "src/oauth", "src/judge"];

fn main() {
    let mut ids = std::collections::BTreeSet::new();
    for dir in JUDGES {
        println!("cargo:rerun-if-changed={dir}");
        scan(Path::new(dir), &mut ids);
    }
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    let list: Vec<String> = ids.iter().map(|s| format!("    {s:?},")).collect();
    let text = format!(
        "/// Requirement-id-like literals found in the judging modules.\npub const CLAIMED: &[&str] = &[\n{}\n];\n",
        list.join("\n")
    );
    fs::write(Path::new(&out).join("claims.rs"), text).expect("write claims.rs");
    println!("cargo:rerun-if-env-changed=CLR_CONFORMANCE_GIT_REVISION");
}

fn scan(dir: &Path, ids: &mut std::collections::BTreeSet<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            scan(&p, ids);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let Ok(text) = fs::read_to_string(&p) else {
                continue;
            };
            // Escaped quotes and quote char literals would shift the string boundaries.
            let text = text.replace("\\\"", "  ").replace("'\"'", "' '");
            for (i, part) in text.split('"').enumerate() {
                if i % 2 == 1 && looks_like_id(part) {
                    ids.insert(part.to_string());
                }
            }
        }
    }
}

fn looks_like_id(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}
