//! `clr-conformance verify`: judge credentials from files, folders, stdin or URLs.

use super::args::VerifyArgs;
use super::common::{self, RunInfo};
use crate::catalog::{Catalog, Profile, Role};
use crate::credential::parse::{self, Document, Input, MAX_INPUT_BYTES};
use crate::credential::verify::documents::FetchPolicy;
use crate::credential::verify::{self, Documents, VerifyOptions, documents};
use crate::credential::{jsonld, schema};
use crate::evidence::{Check, Recorder};
use crate::report::model::{MAX_ROW_FINDINGS, Report};
use std::io::Read;
use std::path::{Path, PathBuf};

/// File endings `verify DIR` picks up.
const EXTENSIONS: &[&str] = &["json", "jsonld", "jwt", "jws", "1ob", "clr", "png", "svg"];

pub fn run(a: &VerifyArgs) -> anyhow::Result<i32> {
    super::common::check_out(&a.report)?;
    let profile = Profile::get(&a.profile)
        .ok_or_else(|| anyhow::anyhow!("{}: unknown profile (use clr-2.0 or ob-3.0)", a.profile))?;
    let role = match a.role.as_str() {
        "issuer" => Role::Issuer,
        "displayer" => Role::Displayer,
        other => anyhow::bail!("{other}: verify judges the issuer or displayer role"),
    };
    let now = match &a.now {
        Some(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map_err(|e| anyhow::anyhow!("{s}: --now is not an RFC 3339 timestamp: {e}"))?
            .with_timezone(&chrono::Utc),
        None => chrono::Utc::now(),
    };
    let mut inputs = expand(&a.inputs)?;
    if let Some(shard) = a.shard {
        inputs = shard.select(inputs);
        if inputs.is_empty() {
            anyhow::bail!("--shard {}/{}: this shard has no inputs", shard.k, shard.n);
        }
    }
    let policy = fetch_policy(a)?;
    let online = a.online.then_some(&policy);
    let mut info = RunInfo::new(
        "verify",
        &target_name(&a.inputs),
        &profile.id,
        &[role],
        verify::SCOPE,
    );
    info.config = serde_json::json!({"role": a.role, "profile": a.profile, "now": a.now, "online": a.online,
            "shard": a.shard.map(|s| format!("{}/{}", s.k, s.n))});
    let mut rec = Recorder::capped(MAX_ROW_FINDINGS);
    let mut decoded: Vec<(String, Document)> = Vec::new();
    for src in &inputs {
        match read(src, online) {
            Ok(bytes) => match parse::parse_document(&bytes) {
                Ok(input) => decoded.push((src.name(), input)),
                Err(e) => verify::undecodable(&mut rec, &src.name(), &e),
            },
            Err(e) => {
                if let Source::Skipped(..) = src {
                    // Also in the header: the finding's row may be outside the role.
                    rec.note(format!("{}: not read: {e}", src.name()));
                }
                unreadable(&mut rec, &src.name(), &e)
            }
        }
    }
    // Start-up work that verification need not wait for runs beside it on one
    // thread (on two cores more threads only compete): the JSON-LD contexts, the
    // schemas the inputs need past the first (the verifier compiles that one
    // itself, on this thread), then the catalog, needed last, for the report.
    let mut kinds = Vec::new();
    for (_, doc) in &decoded {
        if let Input::Json(v) = &doc.input {
            for k in schema::kinds_in(v) {
                if !kinds.contains(&k) {
                    kinds.push(k);
                }
            }
        }
    }
    let warm = std::thread::spawn(move || {
        jsonld::Loader::builtin();
        schema::prepare(kinds.get(1..).unwrap_or_default());
        Catalog::embedded();
    });
    let mut opts = VerifyOptions::new(role, profile);
    opts.now = now;
    opts.online = a.online;
    opts.expect_recipient = a.expect_recipient.clone();
    opts.certification = a.certification;
    if a.certification && opts.expect_recipient.is_none() {
        opts.expect_recipient = Some(profile.cert_recipient.clone());
    }
    let mut context_pairs = read_contexts(&a.contexts)?;
    if a.online {
        opts.documents = prefetch(&decoded, &policy)?;
        context_pairs.extend(online_contexts(
            &decoded,
            &context_pairs,
            &policy,
            &mut rec,
        )?);
    }
    if !context_pairs.is_empty() {
        opts.contexts = Some(std::sync::Arc::new(
            jsonld::Loader::with_overrides(context_pairs)
                .map_err(|e| anyhow::anyhow!("--context: {e}"))?,
        ));
    }
    if !a.document.is_empty() {
        opts.documents = opts.documents.with(supplied(&a.document)?);
    }
    verify_all(&decoded, &opts, &mut rec, a.report.quiet);
    // Only a cache warmer: a panic there would show again where it matters.
    let _ = warm.join();
    let catalog = Catalog::embedded();
    let rows = common::rows(catalog, &a.report, &[role], verify::SCOPE);
    let rec = common::outside_profile(rec, profile, &rows);
    let mut report = info.report(&a.report, &rows, &rec, false);
    common::speak(&mut report, profile);
    not_verified(&mut report);
    Ok(common::finish(&report, &a.report))
}

/// A MUST the run needed but could not judge, with why (see [`Report::unjudged_must`]).
pub fn unjudged_must(report: &Report) -> Option<String> {
    report.unjudged_must()
}

/// Exit 3 when the run would pass but a needed MUST was not judged.
pub fn not_verified(report: &mut Report) {
    report.mark_not_verified();
}

pub use crate::report::model::NOT_VERIFIED;

/// `--context URL=FILE` pairs (bounded: a context file is read like an input, at most
/// the input size limit).
fn read_contexts(specs: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for spec in specs {
        let Some((url, file)) = spec.split_once('=') else {
            anyhow::bail!("{spec}: --context takes URL=FILE");
        };
        let meta = std::fs::metadata(file).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
        if meta.len() > parse::MAX_INPUT_BYTES as u64 {
            anyhow::bail!(
                "{file}: context file larger than {} bytes",
                parse::MAX_INPUT_BYTES
            );
        }
        let text = std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
        pairs.push((url.to_string(), text));
    }
    Ok(pairs)
}

/// With `--online`: the `@context` URLs the inputs use that are neither bundled nor given
/// with `--context`, fetched once for the run under the fetch policy (count, bytes, time,
/// https, public addresses) and each listed in the report header. A context that cannot be
/// had leaves its proofs "not verified", naming the URL, as offline.
fn online_contexts(
    decoded: &[(String, Document)],
    given: &[(String, String)],
    policy: &FetchPolicy,
    rec: &mut Recorder,
) -> anyhow::Result<Vec<(String, String)>> {
    let mut urls = Vec::new();
    for (_, doc) in decoded {
        let payload = match &doc.input {
            Input::Json(v) => Some(v.clone()),
            Input::Jws(j) => crate::credential::verify::decode_jwt_credential(j).ok(),
        };
        if let Some(v) = payload {
            context_urls(&v, &mut urls);
        }
    }
    urls.retain(|u| !jsonld::is_known_context(u) && !given.iter().any(|(g, _)| g == u));
    urls.sort();
    urls.dedup();
    if urls.is_empty() {
        return Ok(Vec::new());
    }
    let rt = tokio::runtime::Runtime::new()?;
    let fetched = rt.block_on(async {
        let client = documents::client(policy)?;
        anyhow::Ok(documents::fetch_all(&client, &urls, policy).await)
    })?;
    let mut out = Vec::new();
    for u in &urls {
        match fetched.get(u) {
            Some(documents::Fetched::Json(v)) => {
                let text = v.to_string();
                rec.note(format!(
                    "context fetched (--online): {u} ({} bytes)",
                    text.len()
                ));
                out.push((u.clone(), text));
            }
            Some(documents::Fetched::Failed(why)) => {
                rec.note(format!("context not fetched (--online): {why}"))
            }
            _ => rec.note(format!(
                "context not fetched (--online): {u}: not a JSON document"
            )),
        }
    }
    Ok(out)
}

/// Every string `@context` entry in `v`, nested credentials and endorsements included.
fn context_urls(v: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "@context" {
                    match x {
                        Value::String(s) => out.push(s.clone()),
                        Value::Array(a) => {
                            out.extend(a.iter().filter_map(Value::as_str).map(String::from))
                        }
                        _ => {}
                    }
                } else {
                    context_urls(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| context_urls(x, out)),
        _ => {}
    }
}

/// Verify every document, on all cores; findings are merged in input order,
/// so the report does not depend on scheduling.
fn verify_all(
    decoded: &[(String, Document)],
    opts: &VerifyOptions,
    rec: &mut Recorder,
    quiet: bool,
) {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(decoded.len().max(1));
    let chunk = decoded.len().div_ceil(workers).max(1);
    // Short jobs need no progress; long ones get a bar or plain lines.
    let total = decoded.len();
    let progress = common::Progress::new("verify", total as u64, quiet || total <= 100);
    let work = |part: &[(String, Document)]| {
        let mut r = Recorder::capped(MAX_ROW_FINDINGS);
        for (name, doc) in part {
            // A recorder per document, capped: a report row keeps only
            // MAX_ROW_FINDINGS of each verdict, so a record with thousands
            // of nested credentials is counted, not held, past that.
            let mut one = Recorder::capped(MAX_ROW_FINDINGS);
            verify::verify_document(doc, opts, &mut one, name);
            r.merge(one);
            progress.inc();
        }
        r
    };
    let panicked = || {
        let mut r = Recorder::new();
        r.note("harness error: a verification worker panicked");
        r
    };
    let parts: Vec<Recorder> = if workers == 1 {
        // One worker runs here: a spawned thread would get its own malloc arena,
        // which glibc grows a page per mprotect call (hundreds for one file).
        let one = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(decoded)));
        vec![one.unwrap_or_else(|_| panicked())]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = decoded
                .chunks(chunk)
                .map(|part| scope.spawn(move || work(part)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| panicked()))
                .collect()
        })
    };
    progress.finish();
    for p in parts {
        rec.merge(p);
    }
}

/// An input that could not be read at all (missing file, failed fetch): a
/// harness error, not a broken document rule.
fn unreadable(rec: &mut Recorder, name: &str, why: &str) {
    let mut c = Check::new("read input", &["verify.input.formats"]);
    c.subject(name);
    c.error(
        "verify.input.formats",
        format!("{name}: cannot be read: {why}"),
    );
    rec.finish(c);
}

/// One input source.
enum Source {
    File(PathBuf),
    /// Met in a folder walk but not read (a FIFO, a symlink loop): why.
    Skipped(PathBuf, String),
    Stdin,
    Url(String),
}

impl Source {
    fn name(&self) -> String {
        match self {
            Source::File(p) | Source::Skipped(p, _) => p.display().to_string(),
            Source::Stdin => "<stdin>".into(),
            Source::Url(u) => u.clone(),
        }
    }
}

fn target_name(inputs: &[String]) -> String {
    match inputs {
        [one] => one.clone(),
        many => format!("{} inputs", many.len()),
    }
}

/// Files, folders (recursively, sorted), `-` and URLs.
fn expand(inputs: &[String]) -> anyhow::Result<Vec<Source>> {
    let mut out = Vec::new();
    for i in inputs {
        if i == "-" {
            out.push(Source::Stdin);
        } else if i.starts_with("https://") || i.starts_with("http://") {
            out.push(Source::Url(i.clone()));
        } else {
            let p = Path::new(i);
            if p.is_dir() {
                let mut files = Vec::new();
                let mut seen = std::collections::HashSet::new();
                walk(p, &mut files, &mut seen)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
                files.sort_by_key(Source::name);
                if files.is_empty() {
                    anyhow::bail!(
                        "{}: no credential files (.{}) in this folder",
                        p.display(),
                        EXTENSIONS.join(", .")
                    );
                }
                out.extend(files);
            } else if p.exists() {
                out.push(Source::File(p.to_path_buf()));
            } else {
                anyhow::bail!("{i}: no such file or folder");
            }
        }
    }
    Ok(out)
}

/// Credential files under `dir`, recursively. A folder met twice (through a
/// symlink loop) is walked once; a credential-named entry that is not a
/// regular file (a FIFO would block the read forever) is listed as skipped,
/// so the report says why it was not read.
fn walk(
    dir: &Path,
    out: &mut Vec<Source>,
    seen: &mut std::collections::HashSet<PathBuf>,
) -> std::io::Result<()> {
    let real = std::fs::canonicalize(dir)?;
    if !seen.insert(real) {
        out.push(Source::Skipped(
            dir.to_path_buf(),
            "folder already walked (a symlink loop or a second link to it); not walked again"
                .into(),
        ));
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        // Follows symlinks: a dangling one is skipped with its error.
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                if has_credential_extension(&path) {
                    out.push(Source::Skipped(path, e.to_string()));
                }
                continue;
            }
        };
        if meta.is_dir() {
            walk(&path, out, seen)?;
        } else if has_credential_extension(&path) {
            if meta.is_file() {
                out.push(Source::File(path));
            } else {
                out.push(Source::Skipped(
                    path,
                    "not a regular file (a FIFO, socket or device); not read".into(),
                ));
            }
        }
    }
    Ok(())
}

fn has_credential_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Read at most MAX_INPUT_BYTES + 1 bytes, so an oversized input is detected without reading it whole.
fn read(src: &Source, online: Option<&FetchPolicy>) -> Result<Vec<u8>, String> {
    let limit = (MAX_INPUT_BYTES + 1) as u64;
    let mut buf = Vec::new();
    match src {
        Source::Skipped(_, why) => return Err(why.clone()),
        Source::File(p) => {
            std::fs::File::open(p)
                .and_then(|f| f.take(limit).read_to_end(&mut buf))
                .map_err(|e| e.to_string())?;
        }
        Source::Stdin => {
            std::io::stdin()
                .take(limit)
                .read_to_end(&mut buf)
                .map_err(|e| e.to_string())?;
        }
        Source::Url(u) => {
            let Some(policy) = online else {
                return Err("URL inputs need --online".into());
            };
            let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            if let Some(why) = documents::refused(u, policy) {
                return Err(why);
            }
            let client = documents::client(policy).map_err(|e| e.to_string())?;
            // The bytes as served: a baked PNG by URL is judged like the same file.
            buf = rt.block_on(documents::fetch_bytes(&client, u, MAX_INPUT_BYTES + 1))?;
        }
    };
    Ok(buf)
}

/// Fetch what the credentials name: status lists, key documents, JWK Sets,
/// refresh services (and, second, the keys of the status lists).
fn prefetch(decoded: &[(String, Document)], policy: &FetchPolicy) -> anyhow::Result<Documents> {
    let mut json = Vec::new();
    let mut jws = Vec::new();
    for (_, doc) in decoded {
        match &doc.input {
            Input::Json(v) => json.push(v),
            Input::Jws(j) => jws.push(j.as_str()),
        }
    }
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(documents::prefetch(&json, &jws, policy))
}

/// `--document URL=FILE`: documents given offline (JSON, or text such as a VC-JWT).
pub(crate) fn supplied(args: &[String]) -> anyhow::Result<Vec<(String, documents::Fetched)>> {
    let mut out = Vec::new();
    for a in args {
        let Some((url, file)) = a.rsplit_once('=') else {
            anyhow::bail!("{a}: --document takes URL=FILE");
        };
        let bytes = std::fs::File::open(file)
            .and_then(|f| {
                let mut buf = Vec::new();
                f.take((MAX_INPUT_BYTES + 1) as u64).read_to_end(&mut buf)?;
                Ok(buf)
            })
            .map_err(|e| anyhow::anyhow!("{file}: cannot read --document file: {e}"))?;
        if bytes.len() > MAX_INPUT_BYTES {
            anyhow::bail!("{file}: --document file larger than {MAX_INPUT_BYTES} bytes");
        }
        let doc = match serde_json::from_slice(&bytes) {
            Ok(v) => documents::Fetched::Json(v),
            Err(_) => documents::Fetched::Text(String::from_utf8_lossy(&bytes).into_owned()),
        };
        out.push((url.to_string(), doc));
    }
    Ok(out)
}

/// The `--online` fetch policy from the command line.
fn fetch_policy(a: &VerifyArgs) -> anyhow::Result<FetchPolicy> {
    let mut trust_ca_pem = Vec::new();
    for path in &a.trust_ca {
        let pem = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("{}: cannot read CA file: {e}", path.display()))?;
        let mut probe = rustls::RootCertStore::empty();
        crate::http::client::add_pem(&mut probe, &pem)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        trust_ca_pem.push(pem);
    }
    Ok(FetchPolicy {
        allow_http: a.allow_http_fetch,
        allow_private: a.allow_private_fetch,
        trust_ca_pem,
        ..FetchPolicy::default()
    })
}
