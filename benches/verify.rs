//! Verify throughput: the spec's signed CLR example (both proofs, schema, all
//! checks), and ClrCredentials with 10 and 100 nested signed credentials.
//! Run with `cargo bench --bench verify`; results go in reports/benchmarks.md.
//! With `CLR_BENCH_ITERS=n` set, it verifies the spec example n times and exits
//! without criterion: for instruction counts under callgrind, where the cost of
//! one warm verify is (count at n+k - count at n) / k.

use clr_conformance::catalog::{Profile, Role};
use clr_conformance::credential::parse::{self, Input};
use clr_conformance::credential::verify::{self, VerifyOptions};
use clr_conformance::evidence::Recorder;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

/// The spec CLR vector when ../shared/reference is present, else our own signed seed record.
fn spec_example() -> Input {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/reference/vectors/ldp-clrv2p0/credential-signed.json"
    );
    match std::fs::read(path) {
        Ok(bytes) => parse::parse(&bytes).expect("spec vector parses"),
        Err(_) => {
            eprintln!(
                "note: ../shared/reference absent; benchmarking the provider's first seed ClrCredential"
            );
            seed(0)
        }
    }
}

/// A seed credential of the reference provider (signed, with nested credentials).
fn seed(i: usize) -> Input {
    use clr_conformance::provider::seed::{SeedCredential, seed_credentials};
    match &seed_credentials(Profile::clr())[i] {
        SeedCredential::Json(v) => Input::Json(v.clone()),
        SeedCredential::Jws(s) => Input::Jws(s.clone()),
    }
}

/// A ClrCredential wrapping `n` copies of a signed nested credential (outer proof not re-signed:
/// the cost measured is verifying every nested credential independently).
fn wide(n: usize) -> Input {
    let Input::Json(mut v) = seed(0) else {
        unreachable!("seed 0 is JSON")
    };
    let nested = v["credentialSubject"]["verifiableCredential"][0].clone();
    v["credentialSubject"]["verifiableCredential"] = serde_json::Value::Array(vec![nested; n]);
    Input::Json(v)
}

fn bench(c: &mut Criterion) {
    let mut opts = VerifyOptions::new(Role::Displayer, Profile::clr());
    opts.now = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z")
        .unwrap()
        .into();
    let run = |input: &Input| {
        let mut rec = Recorder::new();
        verify::verify(input, &opts, &mut rec, "bench");
        black_box(rec.checks_run())
    };
    let spec = spec_example();
    if let Some(n) = std::env::var("CLR_BENCH_ITERS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    {
        for _ in 0..n {
            run(&spec);
        }
        return;
    }
    c.bench_function("verify spec CLR example", |b| b.iter(|| run(&spec)));
    let ten = wide(10);
    c.bench_function("verify CLR with 10 nested", |b| b.iter(|| run(&ten)));
    let hundred = wide(100);
    let mut g = c.benchmark_group("large");
    g.sample_size(10);
    g.bench_function("verify CLR with 100 nested", |b| b.iter(|| run(&hundred)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
