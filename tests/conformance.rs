//! The provider suite as a libtest test binary: one test per requirement row,
//! so implementers can drop the harness into an existing Rust test setup.
//!
//! `cargo test --test conformance` judges the built-in reference provider;
//! `cargo test --test conformance -- --target https://host/base --config target.toml`
//! judges a real target. The harness options (`--target`, `--config`, `--profile`,
//! `--role`, `--trust-ca`, `--insecure`, `--timeout`, `--deadline`, `--fault`) are taken
//! out before libtest parses the rest, so filtering (`api.paging`), `--list`,
//! `--exact` and `--ignored` work as usual. `--list` lists the rows from the catalog
//! without judging anything; a filter runs only the checks of the rows it keeps (and
//! the steps they need), as `run --only` does. Rows that were skipped or not run are
//! reported as ignored, with the reason in the test name's listing.

use clap::Parser;
use clr_conformance::cli::run::{RunArgs, RunPlan, execute};
use clr_conformance::report::Outcome;
use libtest_mimic::{Arguments, Failed, Trial};

#[derive(Parser)]
struct Harness {
    #[command(flatten)]
    run: RunArgs,
}

const VALUE_FLAGS: &[&str] = &[
    "--target",
    "--config",
    "--profile",
    "--role",
    "--trust-ca",
    "--timeout",
    "--deadline",
    "--fault",
];
const BOOL_FLAGS: &[&str] = &["--insecure"];

/// Split the command line into (harness arguments, libtest arguments).
fn split(argv: Vec<String>) -> (Vec<String>, Vec<String>) {
    let mut it = argv.into_iter();
    let program = it.next().unwrap_or_else(|| "conformance".into());
    let mut ours = vec!["conformance".to_string()];
    let mut rest = vec![program];
    while let Some(a) = it.next() {
        let name = a.split('=').next().unwrap_or_default();
        if VALUE_FLAGS.contains(&name) {
            let inline = a.contains('=');
            ours.push(a);
            if !inline && let Some(v) = it.next() {
                ours.push(v);
            }
        } else if BOOL_FLAGS.contains(&a.as_str()) {
            ours.push(a);
        } else {
            rest.push(a);
        }
    }
    (ours, rest)
}

fn main() {
    let (mut ours, rest) = split(std::env::args().collect());
    let args = Arguments::from_iter(rest);
    if !ours.iter().any(|a| a.starts_with("--target")) {
        ours.push("--builtin".into());
    }
    let out = std::env::temp_dir().join(format!("clr-conformance-libtest-{}", std::process::id()));
    ours.extend(["--format", "json", "--quiet", "--out"].map(String::from));
    ours.push(out.display().to_string());
    let harness = match Harness::try_parse_from(&ours) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("conformance: {e}");
            std::process::exit(2);
        }
    };
    let mut plan = RunPlan::new(&harness.run).unwrap_or_else(|e| {
        eprintln!("conformance: {e:#}");
        std::process::exit(2);
    });
    // The rows, from the catalog: `--list` prints them without running anything, and
    // a filter runs only the checks of the rows it keeps (and what they need).
    let rows = clr_conformance::cli::common::rows(
        clr_conformance::catalog::Catalog::embedded(),
        &plan.report,
        &plan.roles,
        clr_conformance::suites::provider::SCOPE,
    );
    if args.list {
        let trials = rows
            .iter()
            .map(|r| Trial::test(name(r.level, &r.id), || Ok(())))
            .collect();
        libtest_mimic::run(&args, trials).exit();
    }
    let kept: Vec<String> = rows
        .iter()
        .filter(|r| selected(&args, &name(r.level, &r.id)))
        .map(|r| r.id.clone())
        .collect();
    if kept.is_empty() {
        // Nothing to judge: libtest reports every row filtered out.
        let trials = rows
            .iter()
            .map(|r| Trial::test(name(r.level, &r.id), || Ok(())))
            .collect();
        libtest_mimic::run(&args, trials).exit();
    }
    if kept.len() < rows.len() {
        plan.report.only = kept;
    }
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let report = match runtime.block_on(execute(&plan)) {
        Ok((report, _)) => report,
        Err(e) => {
            eprintln!("conformance: {e:#}");
            std::process::exit(2);
        }
    };
    let _ = std::fs::remove_dir_all(&out);
    let trials = report
        .requirements
        .into_iter()
        .map(|row| {
            let name = name(row.level, &row.id);
            let ignored = matches!(row.outcome, Outcome::Skipped | Outcome::NotRun);
            let outcome = row.outcome;
            let reason = row.reason.clone();
            Trial::test(name, move || match outcome {
                Outcome::Fail | Outcome::Error => Err(Failed::from(reason)),
                _ => Ok(()),
            })
            .with_kind(outcome.as_str())
            .with_ignored_flag(ignored)
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

/// A row's test name.
fn name(level: clr_conformance::catalog::Level, id: &str) -> String {
    format!("[{level}] {id}")
}

/// Whether libtest's filter, `--exact` and `--skip` keep the test `name`.
fn selected(args: &Arguments, name: &str) -> bool {
    let hit = |f: &str| {
        if args.exact {
            name == f
        } else {
            name.contains(f)
        }
    };
    args.filter.as_deref().is_none_or(hit) && !args.skip.iter().any(|s| hit(s))
}
