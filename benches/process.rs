//! Whole-process benchmarks of the release binary: `verify` on one file,
//! `verify` over a folder of 10,000 credentials (all cores), `run --builtin`
//! end to end, and `verify` of a 5 MB ClrCredential (its peak resident
//! memory is measured with /usr/bin/time and printed).
//! Run with `cargo bench --bench process`; results go in reports/benchmarks.md.
//! With `CLR_BENCH_WRITE=DIR` set, it only writes the inputs (`spec.json`,
//! `big.json`) to DIR and exits, for one-off runs with hyperfine or time.

use clr_conformance::catalog::Profile;
use clr_conformance::credential::proof::{attach_proof, sign_data_integrity};
use clr_conformance::provider::seed::{SeedCredential, seed_credentials};
use clr_conformance::vectors::keys::keys;
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_clr-conformance");

/// Run the binary quietly; panics if it could not judge (exit 2 or more, 4 aside).
fn run(args: &[&str]) {
    let st = Command::new(BIN)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("binary runs");
    let code = st.code().unwrap_or(-1);
    assert!(matches!(code, 0 | 1), "{args:?}: exit {code}");
}

/// The spec's signed CLR example when ../shared/reference is present, else the first seed.
fn spec_bytes() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/reference/vectors/ldp-clrv2p0/credential-signed.json"
    );
    std::fs::read(path).unwrap_or_else(|_| {
        eprintln!(
            "note: ../shared/reference absent; using the provider's first seed ClrCredential"
        );
        seed_json(0).to_string().into_bytes()
    })
}

fn seed_json(i: usize) -> serde_json::Value {
    match &seed_credentials(Profile::clr())[i] {
        SeedCredential::Json(v) => v.clone(),
        SeedCredential::Jws(_) => panic!("seed {i} is not JSON"),
    }
}

/// Nested credentials in the 5 MB record: a long transcript, each entry with a
/// full course description.
const BIG_NESTED: usize = 300;

/// A signed ClrCredential of at least `bytes`: the first seed record holding
/// `BIG_NESTED` distinct course credentials (own id, achievement, criteria and
/// a long description), each re-signed by its issuer, the whole re-signed by
/// the records issuer: every proof holds, so verifying it takes the path a
/// real large record takes. (Thousands of near-identical nested credentials
/// instead exceed RDFC-1.0's N-degree hash call limit: no verifier can
/// canonicalize such a record, so it measures nothing useful.)
fn big_clr(bytes: usize) -> Vec<u8> {
    let keys = keys();
    let mut v = seed_json(0);
    let nested = v["credentialSubject"]["verifiableCredential"][0].clone();
    let issuer_id = nested["issuer"]["id"].as_str().unwrap_or_default();
    let issuer = [&keys.university, &keys.college, &keys.clr]
        .into_iter()
        .find(|k| k.id == issuer_id)
        .expect("the nested credential's issuer is a corpus issuer");
    let created = nested["proof"]["created"]
        .as_str()
        .unwrap_or("2025-01-15T00:00:00Z")
        .to_string();
    let mut unsigned = nested.clone();
    unsigned.as_object_mut().expect("object").remove("proof");
    let per = bytes / BIG_NESTED + 1;
    let copies: Vec<_> = (0..BIG_NESTED)
        .map(|i| {
            let mut c = unsigned.clone();
            c["id"] = format!("urn:uuid:0b5e55ed-0000-4000-8000-{i:012}").into();
            let a = &mut c["credentialSubject"]["achievement"];
            a["id"] = format!("https://university.example.edu/achievements/course-{i}").into();
            a["name"] = format!("Course {i}").into();
            a["criteria"]["narrative"] = format!("Completed every activity of course {i}.").into();
            let mut text = String::with_capacity(per);
            while text.len() < per {
                text.push_str(&format!(
                    "Course {i} covers topic {} in depth. ",
                    text.len()
                ));
            }
            a["description"] = text.into();
            let proof =
                sign_data_integrity(&c, &issuer.key, &issuer.method, &created, "eddsa-rdfc-2022")
                    .expect("nested copy signs");
            attach_proof(&c, proof)
        })
        .collect();
    v.as_object_mut().expect("object").remove("proof");
    v["credentialSubject"]["verifiableCredential"] = serde_json::Value::Array(copies);
    let proof = sign_data_integrity(
        &v,
        &keys.clr.key,
        &keys.clr.method,
        &created,
        "eddsa-rdfc-2022",
    )
    .expect("record signs");
    serde_json::to_vec(&attach_proof(&v, proof)).expect("serializes")
}

fn scratch() -> PathBuf {
    let d = std::env::temp_dir().join(format!("clr-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch");
    d
}

/// Peak resident memory (KiB) of one run, via /usr/bin/time -f %M.
fn peak_rss_kb(args: &[&str], dir: &Path) -> Option<u64> {
    let out = dir.join("rss.txt");
    let st = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&out)
        .arg(BIN)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    let _ = st;
    std::fs::read_to_string(out)
        .ok()?
        .trim()
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()
}

fn bench(c: &mut Criterion) {
    if let Some(to) = std::env::var_os("CLR_BENCH_WRITE") {
        let to = PathBuf::from(to);
        std::fs::create_dir_all(&to).expect("output folder");
        std::fs::write(to.join("spec.json"), spec_bytes()).expect("spec.json");
        std::fs::write(to.join("big.json"), big_clr(5 * 1024 * 1024)).expect("big.json");
        eprintln!("wrote {}/spec.json and big.json", to.display());
        return;
    }
    let dir = scratch();
    let s = |p: &Path| p.to_string_lossy().into_owned();
    let out = s(&dir.join("out"));

    let one = dir.join("spec.json");
    std::fs::write(&one, spec_bytes()).expect("spec file");
    let one = s(&one);
    c.bench_function("process: verify spec CLR example", |b| {
        b.iter(|| run(&["verify", &one, "--quiet", "--out", &out]))
    });

    let many = dir.join("many");
    std::fs::create_dir_all(&many).expect("folder");
    let bytes = spec_bytes();
    for i in 0..10_000 {
        std::fs::write(many.join(format!("c{i:05}.json")), &bytes).expect("credential");
    }
    let many = s(&many);
    let big = dir.join("big.json");
    std::fs::write(&big, big_clr(5 * 1024 * 1024)).expect("big file");
    let big = s(&big);
    let mb = std::fs::metadata(&big).map_or(0, |m| m.len()) as f64 / 1e6;
    match peak_rss_kb(&["verify", &big, "--quiet", "--out", &out], &dir) {
        Some(kb) => eprintln!(
            "peak RSS verifying a {mb:.1} MB ClrCredential: {:.1} MiB",
            kb as f64 / 1024.0
        ),
        None => eprintln!("note: /usr/bin/time absent; peak RSS not measured"),
    }
    if let Some(kb) = peak_rss_kb(&["verify", &many, "--quiet", "--out", &out], &dir) {
        eprintln!(
            "peak RSS verifying 10,000 credentials: {:.1} MiB",
            kb as f64 / 1024.0
        );
    }

    let mut g = c.benchmark_group("process-slow");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.bench_function("process: verify 5 MB ClrCredential", |b| {
        b.iter(|| run(&["verify", &big, "--quiet", "--out", &out]))
    });
    g.bench_function("process: run --builtin", |b| {
        b.iter(|| run(&["run", "--builtin", "--quiet", "--out", &out]))
    });
    g.bench_function("process: verify 10,000 credentials", |b| {
        b.iter(|| run(&["verify", &many, "--quiet", "--out", &out]))
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
