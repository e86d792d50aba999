//! Build script: lists the catalog files, hashes them and converts them to JSON,
//! so the binary spends no start-up time on SHA-256 or TOML over the embedded
//! catalog; the git revision goes into reports. (Which check judges which row is
//! not scanned from the source: the check registries declare it.)

use std::fs;
use std::path::Path;

fn main() {
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    catalog_files(Path::new(&out));
    git_revision();
}

/// The revision reports name: `CLR_CONFORMANCE_GIT_REVISION` when set (CI), else
/// what git says of the source folder (`cargo run`, `cargo install --path .`),
/// else "unknown" (a source tarball). Rebuilt when HEAD moves.
fn git_revision() {
    println!("cargo:rerun-if-env-changed=CLR_CONFORMANCE_GIT_REVISION");
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let rev = match std::env::var("CLR_CONFORMANCE_GIT_REVISION") {
        Ok(r) if !r.is_empty() => r,
        _ => git(&["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".to_string()),
    };
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        println!("cargo:rerun-if-changed={dir}/HEAD");
        if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
            println!("cargo:rerun-if-changed={dir}/{r}");
        }
        if let Some(common) = git(&["rev-parse", "--git-common-dir"]) {
            println!("cargo:rerun-if-changed={common}/packed-refs");
            if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
                println!("cargo:rerun-if-changed={common}/{r}");
            }
        }
    }
    println!("cargo:rustc-env=CLR_CONFORMANCE_BUILT_REVISION={rev}");
}

/// The catalog files, in the order the catalog hash covers them.
const CATALOG: &[&str] = &[
    "data-model.toml",
    "proofs.toml",
    "verification.toml",
    "api.toml",
    "paging.toml",
    "discovery.toml",
    "registration.toml",
    "oauth.toml",
    "refresh-revocation.toml",
    "consumer.toml",
    "displayer.toml",
    "host.toml",
    "transport.toml",
];

/// Write `catalog.rs`: the embedded files and `sha256:` over name, NUL, text of each.
fn catalog_files(out: &Path) {
    let mut all = Vec::new();
    let mut entries = Vec::new();
    let mut json_entries = Vec::new();
    for name in CATALOG {
        let path = format!("suites/{name}");
        println!("cargo:rerun-if-changed={path}");
        let text = fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        all.extend_from_slice(name.as_bytes());
        all.push(0);
        all.extend_from_slice(&text);
        entries.push(format!(
            "    ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{path}\"))),"
        ));
        // A file that is not TOML is kept as its text: parsing it as JSON then fails
        // at start-up naming the file, as the TOML would have.
        let text = String::from_utf8_lossy(&text);
        let json = match toml::from_str::<toml::Value>(&text) {
            Ok(value) => serde_json::to_string(&value).unwrap_or_else(|_| text.to_string()),
            Err(_) => text.to_string(),
        };
        json_entries.push(format!("    ({name:?}, {json:?}),"));
    }
    let hash: String = sha256(&all).iter().map(|b| format!("{b:02x}")).collect();
    let text = format!(
        "/// The catalog files, in a fixed order (the hash depends on it); tests compare them\n\
         /// with FILES_JSON, which is what the binary embeds.\n\
         #[cfg(test)]\n\
         const FILES: &[(&str, &str)] = &[\n{}\n];\n\
         /// The same files converted to JSON (faster to parse at start-up).\n\
         const FILES_JSON: &[(&str, &str)] = &[\n{}\n];\n\
         /// `sha256:` over FILES, computed by build.rs.\n\
         const FILES_HASH: &str = \"sha256:{hash}\";\n",
        entries.join("\n"),
        json_entries.join("\n")
    );
    fs::write(out.join("catalog.rs"), text).expect("write catalog.rs");
}

/// SHA-256 (FIPS 180-4), kept here rather than adding a build dependency for it.
fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}
