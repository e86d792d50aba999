//! Arguments as clap parses them. Help text here is the manual.

use super::values::{
    DiffFormat, ProfileParser, RoleParser, Timestamp, parse_duration, parse_timestamp,
};
use crate::catalog::{Basis, Level, Profile, Role};
use crate::report::{FailOn, Format};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const ABOUT: &str = "Conformance harness for 1EdTech Comprehensive Learner Record (CLR) 2.0.";

const LONG_ABOUT: &str = "\
Conformance harness for 1EdTech Comprehensive Learner Record (CLR) 2.0.

Judges credentials (ClrCredential, nested AchievementCredentials, EndorsementCredentials) and
service APIs against a catalog of requirements, and writes one pass/fail row per requirement
as JSON, JUnit XML, Markdown and a self-contained HTML page.

EXIT CODES:
    0  every selected MUST passed
    1  a MUST failed (or a SHOULD, with --fail-on should)
    2  usage or configuration error
    3  target unreachable or harness error
    4  no requirement selected, or no assertion executed
  130  interrupted (Ctrl-C); the report is still written";

#[derive(Debug, Parser)]
#[command(name = "clr-conformance", version, about = ABOUT, long_about = LONG_ABOUT)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, show and filter the requirement catalog.
    #[command(long_about = "\
List, show and filter the requirement catalog (suites/*.toml, embedded at build time).

Every report row is one catalog entry: a stable id, a level (MUST/SHOULD/MAY), the roles it
judges, our statement of the rule, and its source in the specification.

EXAMPLES:
    clr-conformance requirements                       # the whole catalog
    clr-conformance requirements --only api.paging     # one section (id prefix)
    clr-conformance requirements --only issuer --level must
    clr-conformance requirements --show proof.di.signature
    clr-conformance requirements --untested            # entries no check can fail yet")]
    Requirements(RequirementsArgs),
    /// Re-render a saved report.json into other formats.
    #[command(long_about = "\
Re-render a saved report.json into other formats, without re-running anything.

The JSON report is the canonical record of a run; JUnit XML, Markdown and HTML are
renderings of it. The file's format version is checked first.

EXAMPLES:
    clr-conformance report reports/20261126T101500Z/report.json --format html --out /tmp/r
    clr-conformance report report.json --format md --stdout >> \"$GITHUB_STEP_SUMMARY\"")]
    Report(ReportArgs),
    /// Judge a CLR service provider over HTTP (discovery, OAuth, the REST API).
    #[command(long_about = "\
Judge a CLR 2.0 service provider over HTTP, as a real client meets it: discovery (the SDD),
dynamic client registration, the authorization code grant with PKCE, the token endpoint,
getCredentials (schema, verification of every credential, limit/offset, X-Total-Count,
Link, since), upsertCredential, getProfile/putProfile, scope enforcement, Imsx_StatusInfo
error bodies, refresh and revocation. Every exchange is recorded (secrets redacted) as
evidence in the report.

TARGETS:
    --target URL   the base URL: everything before /ims/clr/v2p0 (https required; a plain
                   http:// target only with --allow-http, and every transport row then fails)
    --builtin      start the built-in reference provider in-process on 127.0.0.1 and judge
                   it; --fault NAME switches on one of its faults, --variant NAME one of its
                   correct variants (passwordless, refuse-offline-access, ...; repeatable)

LOGIN (in --config, see target.example.toml):
    form     fill the authorization server's HTML login form (credentials from env vars)
    session  send an existing session's cookies/headers (env vars) with the authorization
             request and submit the consent form (passwordless and SSO sites)
    browser  headless Chromium runs the config's login.steps (goto, fill, click, wait_for)
    manual   print the authorization URL, paste the redirected URL on standard input,
             once per login the checks need
    token    pre-issued tokens from env vars (registration/authorization skipped)
    Scopes are the SDD's advertised ones for the roles judged; offline_access only when
    advertised or login.offline_access = always (refused with invalid_scope: retried
    once without it, and noted). Passwords, cookies and client secrets go only over https
    to the target's origin or one listed in allowed_origins.

ROLES:
    service-provider-read, service-provider-write, host (= both; the default)

TLS:
    The server certificate is verified against the system roots plus --trust-ca files.
    --insecure turns verification off and says so in the report.

LIMITS:
    No redirect is followed automatically (the login walk follows same-origin ones only and
    never sends a token elsewhere). Response bodies are read up to 8 MiB; a longer one is cut
    and noted. --timeout bounds each request, --deadline the whole run (the report is then
    marked interrupted).

EXAMPLES:
    clr-conformance run --builtin --out /tmp/r
    clr-conformance run --builtin --fault omit-x-total-count
    clr-conformance run --target https://clr.example.edu --config target.toml --role host
    clr-conformance run --target https://localhost:8443 --trust-ca ca.pem --timeout 10s")]
    Run(super::run::RunArgs),
    /// Verify credentials: schema, proofs, dates, status, nested credentials.
    #[command(long_about = "\
Verify ClrCredentials (and standalone AchievementCredentials, OpenBadgeCredentials and
EndorsementCredentials) and write the per-requirement report.

Inputs: JSON files, compact JWS (VC-JWT) files, folders (searched recursively for .json,
.jsonld, .jwt, .jws, .1ob, .clr), `-` for standard input, and https URLs (with --online).

Each step of the CLR 2.0 verification algorithm is a named check tied to catalog ids:
@context order, types, required properties, JSON Schema (our bundled schemas; official
credentialSchema ids map to them offline), embedded Data Integrity proofs (eddsa-rdfc-2022,
legacy eddsa-2022 and Ed25519Signature2020), VC-JWT, dates, status, endorsements, and every
nested credential in credentialSubject.verifiableCredential, verified on its own with a JSON
pointer naming it.

ROLES:
    issuer     what an issuer must produce under CLR 2.0 (VC 2.0 contexts, eddsa-rdfc-2022
               or VC-JWT, the official credentialSchema)
    displayer  what a verifier must accept, including VC 1.1 credentials signed with
               Ed25519Signature2020

Two questions are kept apart: does the signature hold with the key the proof names, and is
that key the issuer's (proof.key-provenance). Offline, a did:key issuer signing with its own
key is proven; a key in a URL fragment (`<url>#z6Mk...`) only says which key signed: its
provenance, status lists and https keys are 'not judged: needs --online'. A run in which
a needed proof, key provenance or status could not be judged exits 3, the reason first.
--online fetches key documents, did:web DID documents, JWK Sets, status lists and refresh
services (and the keys of those lists): https only (--allow-http-fetch), public addresses
only (--allow-private-fetch), no redirect to another host, at most 64 URLs, 1 MiB each,
16 MiB and 60 s in all; --trust-ca FILE adds a CA. A failed fetch names its HTTP or TLS cause.

EXIT CODES: 0 every needed rule passed; 1 a MUST failed (or an input is undecodable);
3 something needed could not be judged (offline, a fetch failed); 4 nothing judged.

EXAMPLES:
    clr-conformance verify clr.json
    clr-conformance verify --role displayer --now 2026-01-01T00:00:00Z vectors/
    cat clr.jwt | clr-conformance verify - --format md --out /tmp/r")]
    Verify(VerifyArgs),
    /// Generate or check the signed test-vector corpus (vectors/).
    #[command(long_about = "\
Generate or check the signed CLR 2.0 test-vector corpus: case files grouped by topic, each
case a credential (JSON or compact JWS) with its expected verdict (valid, invalid,
acceptable) and the catalog ids it exercises, signed with the TEST ONLY keys in
vectors/keys/.

ACTIONS:
    generate   write the corpus into --dir (default vectors); byte-identical on every run
    check      regenerate in memory, name the committed files that differ, then verify every
               case and compare with its expected result; print per requirement how many
               invalid vectors exercise it and the credential MUSTs with none

Exit codes: 0 fresh and every verdict holds, 1 stale file or mismatch, 2 usage.

EXAMPLES:
    clr-conformance vectors generate
    clr-conformance vectors check --dir vectors")]
    Vectors(super::vectors::VectorsArgs),
    /// Run the built-in reference service provider (optionally with faults).
    #[command(long_about = "\
Run the built-in reference CLR 2.0 service provider until Ctrl-C.

It serves, under the profile's base path (/ims/clr/v2p0, or /ims/ob/v3p0 with --profile ob-3.0):
discovery (the Service Description Document), credentials (GET with limit/offset/since,
X-Total-Count and Link; POST upsert of JSON or compact JWS) and profile (GET, PUT); and the
OAuth 2.0 endpoints under /oauth/: register (RFC 7591), authorize (an HTML login and consent
page; PKCE S256 and state required), token (authorization code, refresh with rotation) and
revoke (RFC 7009). Request bodies are limited to 5 MiB.

TLS: a fresh self-signed certificate for 127.0.0.1, localhost and ::1 is generated at start;
its SHA-256 fingerprint is printed and its PEM written to --ca-out (default
<data dir or temp dir>/ca.pem) for clients to trust. --cert/--key serve given PEM files.
--plain-http serves without TLS, for debugging only (the spec requires TLS).

Storage is SQLite (<data dir>/db.sqlite; a temporary file without --data). The learner's
seed credentials (signed with a fixed test key) are stored on first start. The test user
`learner` gets a fresh random password at every start; it is printed.

FAULTS: each --fault makes the provider break one rule on purpose, so client-side suites
can prove they catch it. --list-faults prints every fault with the requirement ids it breaks.

EXAMPLES:
    clr-conformance serve
    clr-conformance serve --bind 127.0.0.1:8443 --data ./provider-data
    clr-conformance serve --fault omit-x-total-count --fault drop-state
    clr-conformance serve --list-faults")]
    Serve(ServeArgs),
    /// Judge a client: play the provider for a consumer, or serve test records for a displayer.
    #[command(long_about = "\
Judge a client product. The harness stands where the other party stands, records what the
product does, and judges it against the catalog.

MODES:
    consumer-read    start the reference provider with recording on; the product must discover,
                     register, authorize (as the printed test user), get a token, and call
                     getCredentials and getProfile
    consumer-write   the same, but the product must upsert a signed ClrCredential issued to
                     conformance@imsglobal.org (putProfile optional)
    displayer        serve test ClrCredentials (valid, expired, revoked, tampered, not yet valid;
                     VC 2.0 eddsa-rdfc-2022 and VC 1.1 Ed25519Signature2020) with a revocation
                     list, and a page where the operator records what the product showed

The session ends when the flow is done (consumers), the answers are submitted (displayer),
the operator presses Enter or opens the printed finish URL, or --timeout passes. Steps that
never happened are reported as failures naming the step. Recorded exchanges go into the
report with tokens, codes, verifiers, secrets, passwords and the learner e-mail redacted.

EXAMPLES:
    clr-conformance judge consumer-read --bind 127.0.0.1:8443 --timeout 30m --out /tmp/r
    clr-conformance judge consumer-write --profile clr-2.0 --ca-out ./ca.pem
    clr-conformance judge displayer --bind 0.0.0.0:8080")]
    Judge(super::judge::JudgeArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(long_about = "\
Print a shell completion script generated from these argument definitions.

EXAMPLES:
    clr-conformance completions bash > ~/.local/share/bash-completion/completions/clr-conformance
    clr-conformance completions zsh > \"${fpath[1]}/_clr-conformance\"")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Make an Ed25519 key for signing results (--sign-with); its did:key is printed.
    Keygen {
        /// Where to write the key file (never overwritten; mode 0600).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Print the manual page (roff), generated from these argument definitions.
    #[command(long_about = "\
Print the manual page (roff) generated from these argument definitions.

EXAMPLES:
    clr-conformance man > clr-conformance.1 && man ./clr-conformance.1")]
    Man,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub bind: std::net::SocketAddr,
    /// Serve plain HTTP without TLS (debugging only; the spec requires TLS).
    #[arg(long, conflicts_with_all = ["cert", "key"])]
    pub plain_http: bool,
    /// PEM certificate chain to serve instead of a self-signed one (needs --key).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// PEM private key for --cert.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Where to write the certificate PEM clients should trust [default: <data dir or temp>/ca.pem].
    #[arg(long, value_name = "PATH")]
    pub ca_out: Option<PathBuf>,
    /// Break one rule on purpose (see --list-faults). Repeatable.
    #[arg(long, value_name = "NAME")]
    pub fault: Vec<String>,
    /// Behave like a real product in a way the rules allow (passwordless,
    /// refuse-offline-access, refuse-refresh-grant; see --list-faults). Repeatable.
    #[arg(long, value_name = "NAME")]
    pub variant: Vec<String>,
    /// Print every fault, what it does and the requirement ids it breaks, then exit.
    #[arg(long)]
    pub list_faults: bool,
    /// Spec profile to serve: clr-2.0 or ob-3.0.
    #[arg(long, default_value = "clr-2.0", value_name = "ID", value_parser = ProfileParser, hide_possible_values = true)]
    pub profile: &'static Profile,
    /// Folder for the SQLite database (kept across restarts) and, by default, ca.pem.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Connections served at once; more wait in the listen backlog.
    #[arg(long, default_value_t = 256, value_name = "N")]
    pub max_connections: usize,
    /// A request's headers (and a TLS handshake) must arrive within this time.
    #[arg(long, default_value = "10s", value_name = "DURATION", value_parser = parse_duration)]
    pub header_timeout: std::time::Duration,
    /// A connection with no bytes moving for this long is closed.
    #[arg(long, default_value = "60s", value_name = "DURATION", value_parser = parse_duration)]
    pub idle_timeout: std::time::Duration,
    /// Registrations one client IP may make per minute.
    #[arg(long, default_value_t = 60, value_name = "N")]
    pub registrations_per_minute: u32,
    /// SQLite synchronous=FULL: commits survive power loss, at one fsync per
    /// commit (default NORMAL: they survive a crash of the process).
    #[arg(long)]
    pub synchronous_full: bool,
}

#[derive(Debug, Args)]
pub struct RequirementsArgs {
    /// Only entries matching: an id prefix (`api.paging`) or a role (`issuer`). Repeatable.
    #[arg(long, value_name = "SEL")]
    pub only: Vec<String>,
    /// Leave out entries matching an id prefix or role. Repeatable.
    #[arg(long, value_name = "SEL")]
    pub skip: Vec<String>,
    /// Only entries of this level.
    #[arg(long, value_enum)]
    pub level: Option<LevelArg>,
    /// Only entries resting on this basis: clr, clr-schema, ob-inherited, inferred.
    #[arg(long, value_name = "BASIS", value_enum)]
    pub basis: Option<Basis>,
    /// Show one entry in full.
    #[arg(long, value_name = "ID")]
    pub show: Option<String>,
    /// List entries that no check of this harness can fail yet.
    #[arg(long)]
    pub untested: bool,
    /// Print as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LevelArg {
    Must,
    Should,
    May,
}

impl From<LevelArg> for Level {
    fn from(l: LevelArg) -> Level {
        match l {
            LevelArg::Must => Level::Must,
            LevelArg::Should => Level::Should,
            LevelArg::May => Level::May,
        }
    }
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub action: Option<ReportAction>,
    /// The saved report.json.
    #[arg(required = true)]
    pub input: Option<PathBuf>,
    /// Formats to write (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = Format::ALL)]
    pub format: Vec<Format>,
    /// Output folder (default: the folder of the input file).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the single requested format to standard output instead of writing files.
    #[arg(long)]
    pub stdout: bool,
    /// Overwrite report files of another run in the --out folder.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum ReportAction {
    /// Compare two saved runs: rows whose outcome changed (new failures first),
    /// rows added or gone, tool/catalog/target changes. Exit 1 when a MUST regressed.
    #[command(long_about = "\
Compare two saved runs: rows whose outcome changed (new MUST failures first), rows that appeared
or went away, and changes of tool version, git revision, catalog hash, target, profile or
configuration. Exit code 1 when a MUST that did not fail in OLD fails in NEW, else 0.

EXAMPLES:
    clr-conformance report diff last-week/report.json today/report.json
    clr-conformance report diff old.json new.json --format md >> \"$GITHUB_STEP_SUMMARY\"")]
    Diff(DiffArgs),
    /// Join the reports of shards (`verify --shard K/N`) into one report.
    #[command(long_about = "\
Join the report.json files of N CI jobs that judged shards of the same inputs (same tool
version, catalog, command and profile) into one report, written in every --format to --out.
A row takes the worst outcome any shard gave it; findings and counts add up; certification
and the exit code are recomputed. Exit code: the merged report's.

EXAMPLES:
    clr-conformance report merge shard-*/report.json --out merged")]
    Merge {
        /// The shards' report.json files.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output folder (refused when it holds a report, unless --force).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Formats to write (comma-separated).
        #[arg(long, value_enum, value_delimiter = ',', default_values_t = Format::ALL)]
        format: Vec<Format>,
        /// Overwrite report files in --out.
        #[arg(long)]
        force: bool,
    },
    /// Confirm a report is the one a signed result.json was issued for.
    #[command(long_about = "\
Confirm that REPORT (report.json) is the report a signed RESULT (result.json, written with
--sign-with) was issued for: the result's eddsa-rdfc-2022 proof verifies with its did:key
issuer's own key, and the SHA-256 it carries equals REPORT's. Exit 0 when both hold, 1 otherwise.

It proves integrity and who signed (whoever holds the key); it does not prove that the run was
honest or that the key belongs to a particular organisation.

EXAMPLES:
    clr-conformance report check reports/run/report.json reports/run/result.json")]
    Check {
        /// The report.json.
        report: PathBuf,
        /// The signed result.json.
        result: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier report.json.
    pub old: PathBuf,
    /// The later report.json.
    pub new: PathBuf,
    /// Output: `text`, `md` or `json`.
    #[arg(long, default_value = "text", value_enum)]
    pub format: DiffFormat,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Files, folders, `-` (stdin) or https URLs.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// The role judged: `issuer` or `displayer`.
    #[arg(long, default_value = "issuer", value_parser = RoleParser::VERIFY)]
    pub role: Role,
    /// Spec profile: `clr-2.0` or `ob-3.0`.
    #[arg(long, default_value = "clr-2.0", value_parser = ProfileParser)]
    pub profile: &'static Profile,
    /// Pin the clock for date checks (RFC 3339).
    #[arg(long, value_name = "RFC3339", value_parser = parse_timestamp)]
    pub now: Option<Timestamp>,
    /// Allow network access (status lists, https keys, URL inputs).
    #[arg(long)]
    pub online: bool,
    /// Check the credentials are issued to this recipient (e.g. conformance@imsglobal.org).
    #[arg(long, value_name = "IDENTIFIER")]
    pub expect_recipient: Option<String>,
    /// A certification submission: the issuer's record must be baked (PNG or SVG) and issued
    /// to the profile's certification recipient (conformance@imsglobal.org) unless
    /// --expect-recipient names another.
    #[arg(long)]
    pub certification: bool,
    /// Also trust this CA certificate (PEM) for --online fetches, beside the system roots. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub trust_ca: Vec<PathBuf>,
    /// Supply a document offline: what URL would answer (a key or DID document, a JWK Set,
    /// a status list). Repeatable; used instead of fetching it.
    #[arg(long, value_name = "URL=FILE")]
    pub document: Vec<String>,
    /// Let --online fetch plain http URLs (https only by default).
    #[arg(long)]
    pub allow_http_fetch: bool,
    /// Let --online fetch from loopback, private and link-local addresses (refused by default).
    #[arg(long)]
    pub allow_private_fetch: bool,
    /// Serve the JSON-LD context URL from FILE (offline; a context that is not bundled
    /// otherwise leaves the proof not verified). Repeatable.
    #[arg(long = "context", value_name = "URL=FILE")]
    pub contexts: Vec<String>,
    /// Judge only shard K of N (1-based) of the inputs, in their sorted order (JSON
    /// Lines counted line by line), so N CI jobs cover them between them; join the
    /// reports with `report merge`.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Read files and `-` as JSON Lines: one credential (JSON or compact JWS) per line,
    /// named FILE:LINE (files ending .jsonl or .ndjson always are).
    #[arg(long)]
    pub jsonl: bool,
    /// Also write one compact JSON line per input to FILE, in input order, as each is
    /// verified: {"input", "verdict", "must", "should", "errors", "unjudged"}.
    #[arg(long, value_name = "FILE")]
    pub per_credential: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportOpts,
}

/// Flags shared by every subcommand that produces a report (verify, run, judge).
#[derive(Debug, Clone, Args)]
pub struct ReportOpts {
    /// Output folder [default: a new reports/<UTC timestamp>-<command>/ per run].
    /// A folder that already holds a report is refused unless --force.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Overwrite the report files in an existing --out folder.
    #[arg(long)]
    pub force: bool,
    /// Report formats to write (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = Format::ALL)]
    pub format: Vec<Format>,
    /// Judge only requirements matching an id prefix (`api.paging`) or a role. Repeatable.
    #[arg(long, value_name = "SEL")]
    pub only: Vec<String>,
    /// Do not judge requirements matching an id prefix or role. Repeatable.
    #[arg(long, value_name = "SEL")]
    pub skip: Vec<String>,
    /// Which failures make the exit code non-zero: `must`, or `should` (strict mode).
    #[arg(long, value_enum, default_value_t = FailOn::Must)]
    pub fail_on: FailOn,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Known failures (TOML: [[known]] id, reason, optional expires = YYYY-MM-DD): a listed
    /// failure is reported known-failure and does not fail the run.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// With --baseline: an entry that now passes, or has expired, fails the run.
    #[arg(long, requires = "baseline")]
    pub strict_baseline: bool,
    /// Also write result.json: the run's verdicts and the SHA-256 of report.json as an
    /// OB 3.0 AchievementCredential signed with this key (made by `clr-conformance keygen`).
    #[arg(long, value_name = "KEY")]
    pub sign_with: Option<PathBuf>,
}

impl Default for ReportOpts {
    fn default() -> ReportOpts {
        ReportOpts {
            out: None,
            force: false,
            format: Format::ALL.to_vec(),
            only: Vec::new(),
            skip: Vec::new(),
            fail_on: FailOn::Must,
            quiet: false,
            baseline: None,
            strict_baseline: false,
            sign_with: None,
        }
    }
}

/// `--shard K/N`: the inputs at positions K-1, K-1+N, K-1+2N, ... of the expanded list
/// (a JSON Lines input counts each line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

impl Shard {
    /// Keep this shard's items of `items` (already in their deterministic order).
    pub fn select<T>(&self, items: Vec<T>) -> Vec<T> {
        items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % self.n == self.k - 1)
            .map(|(_, x)| x)
            .collect()
    }
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    let bad = || format!("{s}: not K/N with 1 <= K <= N (e.g. 2/4)");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (k.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok(Shard { k, n })
}

impl crate::report::run_info::Selects for ReportOpts {
    fn only(&self) -> &[String] {
        &self.only
    }
    fn skip(&self) -> &[String] {
        &self.skip
    }
    fn fail_on(&self) -> FailOn {
        self.fail_on
    }
    fn baseline(&self) -> Option<&std::path::Path> {
        self.baseline.as_deref()
    }
    fn strict_baseline(&self) -> bool {
        self.strict_baseline
    }
}
