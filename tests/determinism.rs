//! Reports are evidence, so they must be reproducible and never half-written.
//! Two `run --builtin` runs give byte-identical report.json once what
//! legitimately differs (times, durations, ports, random ids) is masked; a
//! process killed while writing reports never leaves a partial report.json.

use clap::Parser;
use clr_conformance::cli::args::{Cli, Command};
use clr_conformance::cli::run::{RunPlan, execute};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The plan of `run --quiet EXTRA...`, as the command line makes it.
fn run_plan(extra: &[&str]) -> RunPlan {
    let mut argv = vec!["clr-conformance", "run", "--quiet"];
    argv.extend_from_slice(extra);
    match Cli::try_parse_from(argv).expect("arguments parse").command {
        Command::Run(a) => RunPlan::new(&a).expect("a plan"),
        _ => unreachable!("parsed the run subcommand"),
    }
}

/// Replace every match of `re` with `with`.
fn mask(text: &str, re: &str, with: &str) -> String {
    regex_lite::Regex::new(re)
        .expect("mask regex")
        .replace_all(text, with)
        .into_owned()
}

/// What may differ between two runs of the same target, masked.
fn masked(report_json: &str) -> String {
    let mut s = report_json.to_string();
    for (re, with) in [
        // RFC 3339 times and HTTP dates.
        (
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)",
            "<time>",
        ),
        (
            r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT",
            "<date>",
        ),
        (r#""(duration_ms|elapsed_ms)": \d+"#, r#""$1": 0"#),
        // Loopback ports.
        (r"(127\.0\.0\.1|localhost|\[::1\]):\d+", "$1:<port>"),
        // Epoch seconds (iat/exp/nbf in JWT claims, expires_in countdowns).
        (r"\b1[6-9]\d{8}\b", "<epoch>"),
        // Random ids the provider hands out (client ids, credential ids).
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "<uuid>",
        ),
        // PKCE challenges, states, nonces, cookies: long runs of unreserved
        // characters (`~` may arrive percent-encoded).
        (r"(?:[A-Za-z0-9._~-]|%7E){32,}", "<random>"),
        // The display name the profile checks write and read back.
        (
            r"clr-conformance [A-Za-z0-9._~-]{8}",
            "clr-conformance <name>",
        ),
        // The unknown client id the error checks make up.
        (r"unknown-(?:[A-Za-z0-9._~-]|%7E){12}", "unknown-<id>"),
        // Lengths of bodies carrying fresh signatures (the upsert suite signs
        // credentials with fresh ids; base58 signatures vary in length).
        (r#"(?i)("content-length",\s*)"\d+""#, r#"$1"<length>""#),
        // Hex digests of random inputs.
        (r"\b[0-9a-f]{16,}\b", "<hex>"),
    ] {
        s = mask(&s, re, with);
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_builtin_runs_give_the_same_report() {
    let a = run_plan(&["--builtin"]);
    let (first, _) = execute(&a).await.expect("first run");
    let (second, _) = execute(&a).await.expect("second run");
    let (x, y) = (
        masked(&clr_conformance::report::to_json(&first)),
        masked(&clr_conformance::report::to_json(&second)),
    );
    if x != y {
        let diff: Vec<String> = x
            .lines()
            .zip(y.lines())
            .enumerate()
            .filter(|(_, (l, r))| l != r)
            .take(15)
            .map(|(i, (l, r))| format!("line {}:\n  - {l}\n  + {r}", i + 1))
            .collect();
        panic!(
            "reports differ ({} vs {} lines):\n{}",
            x.lines().count(),
            y.lines().count(),
            diff.join("\n")
        );
    }
    // The masks must not have flattened the report into something trivially equal.
    assert!(x.contains("\"outcome\": \"pass\"") && x.len() > 50_000);
}

/// A saved report made large enough that writing it takes a while.
fn big_report(path: &std::path::Path) -> String {
    use clr_conformance::catalog::{Catalog, Role};
    use clr_conformance::cli::common::{RunInfo, rows};
    use clr_conformance::evidence::Recorder;
    let a = run_plan(&["--builtin"]);
    let roles = [Role::Host];
    let rows = rows(Catalog::embedded(), &a.report, &roles, &["api"]);
    let mut r = RunInfo::new("run", "durability", "clr-2.0", &roles, &["api"]).report(
        &a.report,
        &rows,
        &Recorder::new(),
        false,
    );
    for i in 0..16 {
        r.header
            .notes
            .push(format!("{i}: {}", "n".repeat(512 * 1024)));
    }
    let text = clr_conformance::report::to_json(&r);
    std::fs::write(path, &text).expect("source report");
    text
}

/// SIGKILL `report` (which re-renders and writes every format) at many points:
/// report.json is either absent or complete, never a prefix.
#[test]
fn a_killed_writer_never_leaves_a_partial_report() {
    let dir = std::env::temp_dir().join(format!("clr-durability-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let src = dir.join("source.json");
    let want = big_report(&src);
    let (mut absent, mut complete, mut killed_running) = (0, 0, 0);
    for step in 0..30u64 {
        let out = dir.join(format!("out-{step}"));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_clr-conformance"))
            .arg("report")
            .arg(&src)
            .arg("--out")
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("binary starts");
        std::thread::sleep(Duration::from_millis(step * 35));
        if child.try_wait().expect("wait").is_none() {
            killed_running += 1;
        }
        let _ = child.kill();
        let started = Instant::now();
        while child.try_wait().expect("wait").is_none() {
            assert!(started.elapsed() < Duration::from_secs(30), "not dying");
            std::thread::sleep(Duration::from_millis(10));
        }
        match std::fs::read_to_string(out.join("report.json")) {
            Err(_) => absent += 1,
            Ok(text) => {
                assert_eq!(text.len(), want.len(), "step {step}: partial report.json");
                assert!(
                    text == want,
                    "step {step}: report.json differs from its source"
                );
                complete += 1;
            }
        }
        // Leftovers are hidden temp files, never a visible partial report.
        for e in std::fs::read_dir(&out).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(
                name.starts_with('.') && name.ends_with(".tmp")
                    || ["report.json", "junit.xml", "report.md", "report.html"]
                        .contains(&name.as_str()),
                "step {step}: unexpected file {name}"
            );
        }
    }
    eprintln!("{killed_running} kills while running: {absent} absent, {complete} complete");
    assert!(
        killed_running > 0,
        "every writer finished before the kill: nothing proven"
    );
}

#[test]
fn masks_hide_random_values() {
    let m = masked(
        r#"{"message": "stored name \"clr-conformance x3hlH8aU\"", "url": "client_id=unknown-JA1i%7EeWt-SZ4&x"}"#,
    );
    assert!(!m.contains("x3hlH8aU") && !m.contains("JA1i"), "{m}");
}
