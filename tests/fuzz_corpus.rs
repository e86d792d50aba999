//! Every committed fuzz corpus (`fuzz/corpus/<target>/`) replayed through the
//! function its cargo-fuzz target calls (`clr_conformance::fuzzing`): an input
//! that once found a crash, or that reached new code, must still run clean.
//! Fuzzing itself is a documented command (`.ci/fuzz-smoke.sh`, README), not CI.

use clr_conformance::fuzzing;
use std::path::PathBuf;
use std::sync::Mutex;

static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Record panics from any thread (the provider's handler tasks included).
fn watch_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(info.to_string());
            previous(info);
        }));
    });
}

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    v.sort();
    assert!(
        v.len() > 100,
        "{}: corpus has only {} inputs",
        dir.display(),
        v.len()
    );
    v
}

/// Run `f` over the corpus on both cores; name the first input that panics.
fn replay(target: &str, f: fn(&[u8])) {
    watch_panics();
    let inputs = corpus(target);
    let half = inputs.len() / 2;
    let (a, b) = inputs.split_at(half);
    let failed: Vec<String> = std::thread::scope(|s| {
        [a, b]
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .filter(|(_, data)| std::panic::catch_unwind(|| f(data)).is_err())
                        .map(|(p, _)| p.display().to_string())
                        .collect::<Vec<_>>()
                })
            })
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        failed.is_empty(),
        "{target}: {} inputs panic, first {}",
        failed.len(),
        failed[0]
    );
    eprintln!("{target}: {} inputs replayed clean", inputs.len());
}

#[test]
fn credential_corpus_replays_clean() {
    replay("credential", fuzzing::credential);
}

#[test]
fn jws_corpus_replays_clean() {
    replay("jws", fuzzing::jws);
}

#[test]
fn link_corpus_replays_clean() {
    replay("link", fuzzing::link);
}

#[test]
fn sdd_corpus_replays_clean() {
    replay("sdd", fuzzing::sdd);
}

#[test]
fn provider_corpus_replays_clean_against_a_live_provider() {
    use clr_conformance::catalog::Profile;
    use clr_conformance::provider::{self, ProviderConfig, TlsMode};
    watch_panics();
    let inputs = corpus("provider");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut cfg = ProviderConfig::new(Profile::clr());
    cfg.tls = TlsMode::PlainHttp;
    let p = rt.block_on(provider::start(cfg)).expect("provider starts");
    let addr = p
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    rt.block_on(async {
        for (_, data) in &inputs {
            fuzzing::provider(&addr, data).await;
        }
    });
    let panics = PANICS.lock().unwrap().clone();
    assert!(panics.is_empty(), "provider handlers panicked: {panics:?}");
    eprintln!("provider: {} requests replayed clean", inputs.len());
}
