//! `clr-conformance verify`: judge credentials from files, folders, stdin, URLs and
//! JSON Lines streams. Inputs are read one at a time ([`inputs`]) and verified as they
//! come ([`stream`]), so memory stays flat in their number; `--online` first gathers
//! what they name ([`online`]); `--per-credential` writes a line per input
//! ([`per_credential`]). The arguments become a [`VerifyPlan`] first ([`plan`]).

mod inputs;
mod online;
mod per_credential;
mod plan;
mod stream;

pub use plan::VerifyPlan;

use super::args::VerifyArgs;
use super::common::{self, RunInfo};
use crate::catalog::Catalog;
use crate::credential::parse::{self, Input, MAX_INPUT_BYTES};
use crate::credential::verify::documents::FetchPolicy;
use crate::credential::verify::{self, VerifyOptions, documents};
use crate::credential::{jsonld, schema};
use crate::evidence::Recorder;
use crate::report::model::{MAX_ROW_FINDINGS, Report};
use inputs::{Inputs, Source};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

pub fn run(a: &VerifyArgs) -> anyhow::Result<i32> {
    super::common::check_out(&a.report)?;
    let plan = VerifyPlan::new(a)?;
    let report = execute(&plan)?;
    Ok(common::finish(&report, &plan.report))
}

/// Verify the plan's inputs and build the report (not written).
pub fn execute(plan: &VerifyPlan) -> anyhow::Result<Report> {
    let (profile, role) = (plan.profile, plan.role);
    let sources = &plan.sources;
    let policy = &plan.policy;
    let online = plan.online.then_some(policy);
    let kept = inputs::Kept::default();
    let items = || Inputs::new(sources, online, &kept, plan.shard);
    let mut info = RunInfo::new("verify", &plan.target, &profile.id, &[role], verify::SCOPE);
    info.config = plan.summary.clone();
    let mut rec = Recorder::capped(MAX_ROW_FINDINGS);
    // Start-up work that verification need not wait for runs beside it on one
    // thread (on two cores more threads only compete): the JSON-LD contexts, the
    // schemas the first input needs past the first (the verifier compiles that one
    // itself, on this thread), then the catalog, needed last, for the report.
    let kinds = match sources.first() {
        // Only a file can be read ahead: stdin is read once.
        Some(Source::File(_) | Source::Lines(Some(_))) => first_kinds(items()),
        _ => Vec::new(),
    };
    let warm = std::thread::spawn(move || {
        jsonld::Loader::builtin();
        schema::prepare(kinds.get(1..).unwrap_or_default());
        Catalog::embedded();
    });
    let mut opts = VerifyOptions::new(role, profile);
    opts.now = plan.now;
    opts.online = plan.online;
    opts.expect_recipient = plan.expect_recipient.clone();
    opts.certification = plan.certification;
    let mut context_pairs = plan.contexts.clone();
    if plan.online {
        let named = online::named(items());
        opts.documents = online::prefetch(&named, policy)?;
        context_pairs.extend(online::contexts(&named, &context_pairs, policy, &mut rec)?);
    }
    if !context_pairs.is_empty() {
        opts.contexts = Some(std::sync::Arc::new(
            jsonld::Loader::with_overrides(context_pairs)
                .map_err(|e| anyhow::anyhow!("--context: {e}"))?,
        ));
    }
    if !plan.documents.is_empty() {
        opts.documents = opts.documents.with(plan.documents.clone());
    }
    let catalog = Catalog::embedded();
    let rows = common::rows(catalog, &plan.report, &[role], verify::SCOPE);
    let mut lines = match &plan.per_credential {
        Some(path) => Some(PerCredential::create(path)?),
        None => None,
    };
    // A JSON Lines stream has no known length.
    let at_most = (!inputs::has_lines(sources)).then_some(sources.len());
    let quiet = plan.report.quiet;
    let progress = match at_most {
        None => common::Progress::unbounded("verify", quiet),
        Some(total) => common::Progress::new("verify", total as u64, quiet || total <= 100),
    };
    let levels = lines
        .as_ref()
        .map(|_| per_credential::Levels::new(&rows, profile));
    let (found, count) = stream::verify_all(
        items(),
        at_most,
        &opts,
        &progress,
        levels.as_ref(),
        |line| {
            if let Some(l) = &mut lines {
                l.write(&line);
            }
        },
    );
    progress.finish();
    rec.merge(found);
    // Only a cache warmer: a panic there would show again where it matters.
    let _ = warm.join();
    if count == 0 {
        match plan.shard {
            Some(s) => anyhow::bail!("--shard {}/{}: this shard has no inputs", s.k, s.n),
            None => anyhow::bail!(
                "{}: no credentials to verify (empty JSON Lines input)",
                plan.target
            ),
        }
    }
    if let Some(l) = lines {
        rec.note(l.finish()?);
    }
    let rec = common::outside_profile(rec, profile, &rows);
    let mut report = info.report(&plan.report, &rows, &rec, false);
    common::speak(&mut report, profile);
    not_verified(&mut report);
    Ok(report)
}

/// The schema kinds the first input needs (to compile them beside its verification).
/// A large input is not parsed twice for that: its verification dwarfs the compiling.
fn first_kinds(mut items: Inputs) -> Vec<(schema::SchemaKind, schema::Generation)> {
    const AHEAD_LIMIT: usize = 256 * 1024;
    let Some(Ok(bytes)) = items.next().map(|i| i.bytes()) else {
        return Vec::new();
    };
    if bytes.len() > AHEAD_LIMIT {
        return Vec::new();
    }
    match parse::parse_document(&bytes).map(|d| d.input) {
        Ok(Input::Json(v)) => {
            let mut kinds = Vec::new();
            for k in schema::kinds_in(&v) {
                if !kinds.contains(&k) {
                    kinds.push(k);
                }
            }
            kinds
        }
        _ => Vec::new(),
    }
}

fn target_name(inputs: &[String]) -> String {
    match inputs {
        [one] => one.clone(),
        many => format!("{} inputs", many.len()),
    }
}

/// The `--per-credential` file, written a line per input as each is verified.
struct PerCredential {
    path: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
    lines: usize,
    failed: Option<std::io::Error>,
}

impl PerCredential {
    fn create(path: &Path) -> anyhow::Result<Self> {
        let file = std::fs::File::create(path).map_err(|e| unwritable(path, e))?;
        Ok(PerCredential {
            path: path.to_path_buf(),
            out: std::io::BufWriter::new(file),
            lines: 0,
            failed: None,
        })
    }

    fn write(&mut self, line: &str) {
        if self.failed.is_some() {
            return;
        }
        match writeln!(self.out, "{line}") {
            Ok(()) => self.lines += 1,
            Err(e) => self.failed = Some(e),
        }
    }

    /// The header note naming the file, or the error that stopped it.
    fn finish(mut self) -> anyhow::Result<String> {
        if let Some(e) = self.failed.take() {
            return Err(unwritable(&self.path, e));
        }
        self.out.flush().map_err(|e| unwritable(&self.path, e))?;
        Ok(format!(
            "per-credential verdicts: {} ({} lines)",
            self.path.display(),
            self.lines
        ))
    }
}

fn unwritable(path: &Path, e: std::io::Error) -> anyhow::Error {
    anyhow::anyhow!("{}: cannot write --per-credential: {e}", path.display())
}

/// Exit 3 when the run would pass but a needed MUST was not judged.
pub fn not_verified(report: &mut Report) {
    report.mark_not_verified();
}

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
