//! The reference provider's request handlers, driven over loopback HTTP with
//! an arbitrary method, route suffix, headers and body (one provider started
//! once per fuzzing process, plain HTTP), plus the pure parsers they use.
//! A panic in any handler task aborts the process (libfuzzer's panic hook).
//! The body is `clr_conformance::fuzzing::provider`, which `tests/fuzz_corpus.rs` replays in CI.
#![no_main]

use clr_conformance::catalog::Profile;
use clr_conformance::provider::{self, ProviderConfig, RunningProvider, TlsMode};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct Live {
    rt: tokio::runtime::Runtime,
    addr: String,
    _provider: RunningProvider,
}

fn live() -> &'static Live {
    static LIVE: OnceLock<Live> = OnceLock::new();
    LIVE.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let mut cfg = ProviderConfig::new(Profile::clr());
        cfg.tls = TlsMode::PlainHttp;
        let p = rt.block_on(provider::start(cfg)).expect("provider starts");
        let addr = p
            .base_url()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        Live {
            rt,
            addr,
            _provider: p,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let l = live();
    l.rt.block_on(clr_conformance::fuzzing::provider(&l.addr, data));
});
