//! clr-conformance: a conformance harness for 1EdTech Comprehensive Learner Record 2.0.
//!
//! Flow: `cli` turns arguments into a plan, `suites` run checks against a target
//! (credentials through `credential`, services through `oauth` and `http`), checks
//! record assertions in `evidence`, and `report` renders the result. The reference
//! provider in `provider` is a peer reached over HTTP only.
#![forbid(unsafe_code)]
// Output goes through `term` (a closed pipe must not panic).
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

pub mod attest;
pub mod catalog;
pub mod cli;
pub mod coverage;
pub mod credential;
pub mod evidence;
#[doc(hidden)]
pub mod fuzzing;
pub mod http;
pub mod judge;
pub mod oauth;
pub mod provider;
pub mod registry;
pub mod report;
pub mod suites;
pub mod term;
pub mod vectors;

#[cfg(test)]
mod layering {
    /// Nothing below `cli` imports `cli` (the flow runs one way: `cli` plans and
    /// dispatches; the modules it calls never reach back into it).
    #[test]
    fn nothing_below_cli_imports_cli() {
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    if !p.ends_with("cli") {
                        walk(&p, found);
                    }
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    for (i, line) in text.lines().enumerate() {
                        if line.contains(concat!("crate::", "cli")) {
                            found.push(format!("{}:{}: {}", p.display(), i + 1, line.trim()));
                        }
                    }
                }
            }
        }
        let mut found = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(found.is_empty(), "{found:#?}");
    }

    /// The registry, the evidence it records into and the judges below `suites`
    /// (credential verification, the consumer and displayer judges) never import
    /// `suites`: every family reaches the one runner through `crate::registry`.
    #[test]
    fn the_registry_sits_below_every_family() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = Vec::new();
        let mut stack: Vec<std::path::PathBuf> = ["registry.rs", "evidence", "credential", "judge"]
            .iter()
            .map(|p| root.join(p))
            .collect();
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().flatten().map(|e| e.path()));
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for (i, line) in text.lines().enumerate() {
                    if line.contains(concat!("crate::", "suites")) {
                        found.push(format!("{}:{}: {}", p.display(), i + 1, line.trim()));
                    }
                }
            }
        }
        assert!(found.is_empty(), "{found:#?}");
    }
}
