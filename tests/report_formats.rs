//! The report formats, end to end: a fixture run built through the real path
//! (catalog -> checks -> recorder -> `Report::build`), rendered to JSON, JUnit,
//! Markdown and HTML, with snapshots, a schema check, a JUnit parse, hostile
//! content, exit codes, and the HTML page loaded in headless Chromium.

use clr_conformance::catalog::{Catalog, Role};
use clr_conformance::evidence::transcript::{Message, Request, Response};
use clr_conformance::evidence::{Check, Recorder, Transcript};
use clr_conformance::report::model::{Certifiable, Tool, exit};
use clr_conformance::report::{self, FailOn, Format, Header, Outcome, Report};
use quick_xml::events::Event;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CATALOG: &str = include_str!("fixtures/report/catalog.toml");
const HOSTILE: &str = "<script>alert(1)</script> & \"quotes\" | pipes \u{1b}[31m";

fn catalog() -> Catalog {
    Catalog::from_files(&[("catalog.toml", CATALOG)]).expect("fixture catalog parses")
}

fn header(fail_on: FailOn) -> Header {
    Header {
        tool: Tool {
            name: "clr-conformance".into(),
            version: "0.0.0-test".into(),
            git_revision: "0123456789abcdef".into(),
        },
        catalog_hash: String::new(),
        command: "run".into(),
        target: "https://provider.test/ims/clr/v2p0".into(),
        profile: "clr".into(),
        roles: vec![
            Role::Issuer,
            Role::Displayer,
            Role::ServiceProviderRead,
            Role::ServiceProviderWrite,
            Role::Host,
        ],
        scope: vec!["fx".into()],
        only: vec![],
        skip: vec![],
        fail_on,
        started: "2026-01-02T03:04:05Z".into(),
        finished: "2026-01-02T03:04:09Z".into(),
        config_fingerprint: format!("sha256:{}", "ab".repeat(32)),
        interrupted: false,
        notes: vec!["--insecure was given".into()],
        baseline: None,
    }
}

fn transcripts(rec: &mut Recorder) -> (String, String) {
    let get = Transcript {
        id: String::new(),
        label: "getCredentials limit=1 offset=0".into(),
        request: Request {
            method: "GET".into(),
            url: "https://provider.test/ims/clr/v2p0/credentials?limit=1".into(),
            message: Message {
                headers: vec![
                    ("accept".into(), "application/json".into()),
                    ("authorization".into(), "Bearer [redacted]".into()),
                ],
                body: None,
                truncated: false,
            },
        },
        response: Some(Response {
            status: 200,
            message: Message {
                headers: vec![("content-type".into(), "application/json".into())],
                body: Some(format!(
                    "{{\n  \"compactJwsStrings\": [],\n  \"note\": \"{}\"\n}}",
                    HOSTILE.replace('"', "\\\"").replace('\u{1b}', "\\u001b")
                )),
                truncated: false,
            },
            elapsed_ms: 12,
        }),
        error: None,
    };
    let upsert = Transcript {
        id: String::new(),
        label: "upsertCredential".into(),
        request: Request {
            method: "POST".into(),
            url: "https://provider.test/ims/clr/v2p0/credentials".into(),
            message: Message {
                headers: vec![("content-type".into(), "text/plain".into())],
                body: Some("eyJhbGciOiJFUzI1NiJ9.e30.sig".into()),
                truncated: true,
            },
        },
        response: None,
        error: Some("connection refused (os error 111)".into()),
    };
    (rec.transcript(get), rec.transcript(upsert))
}

/// The fixture run: every outcome, every certification verdict.
fn fixture(fail_on: FailOn) -> Report {
    let cat = catalog();
    let mut rec = Recorder::new();
    let (tx_get, tx_upsert) = transcripts(&mut rec);

    let mut c = Check::new(
        "credential-shape",
        &["fx.data.context", "fx.data.type", "fx.data.name"],
    );
    c.subject("credential.json").cite("vector:clr-basic");
    c.pass("fx.data.context", "@context[0] is the VC 2.0 context");
    c.cite(tx_get.clone());
    c.fail("fx.data.type", format!("type is {HOSTILE}\nsecond line"));
    c.subject("credential.json#/credentialSubject")
        .ensure_eq(
            "fx.data.type",
            "ClrCredential",
            "Person",
            "credentialSubject type",
        )
        .expected("[\"VerifiableCredential\", \"ClrCredential\"]")
        .actual(format!("[\"{HOSTILE}\"]"));
    c.clear_citations();
    c.fail("fx.data.name", "name is missing\u{7} (bell)");
    rec.finish(c);

    let mut c = Check::new("displayer", &["fx.display.shows", "fx.display.verify"]);
    c.pass("fx.display.shows", "the name appears in the rendered page");
    c.skip(
        "fx.display.verify",
        "no displayer hook configured (--displayer-url)",
    );
    rec.finish(c);

    let mut c = Check::new(
        "get-credentials",
        &["fx.api.get", "fx.api.paging", "fx.api.limit"],
    );
    c.subject("GET /credentials").cite(tx_get);
    c.ensure_eq("fx.api.get", 200, 200, "status is 200");
    c.fail(
        "fx.api.paging",
        "no Link header although X-Total-Count exceeds limit",
    )
    .expected("Link: <...>; rel=\"next\"")
    .actual("(absent)");
    c.pass("fx.api.limit", "limit=1 returned one credential");
    rec.finish(c);

    let mut c = Check::new("sort", &["fx.api.sort"]);
    c.fail("fx.api.sort", "page 2 repeated a credential of page 1");
    rec.finish(c);

    let mut c = Check::new("upsert", &["fx.api.upsert", "fx.api.profile-update"]);
    c.subject("POST /credentials").cite(tx_upsert);
    c.error(
        "fx.api.upsert",
        "transport: connection refused (os error 111)",
    );
    c.clear_citations();
    c.not_applicable(
        "fx.api.profile-update",
        "the provider does not offer the profile update scope",
    );
    rec.finish(c);

    let rows = cat.select(&[], &[]);
    let mut h = header(fail_on);
    h.catalog_hash = cat.hash.clone();
    let mut report = Report::build(h, &rows, &rec, |id| cat.get(id).is_some());
    let baseline = report::baseline::Baseline {
        file: "known.toml".into(),
        entries: vec![report::baseline::Entry {
            id: "fx.api.sort".into(),
            reason: "vendor ticket 42".into(),
            expires: None,
        }],
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
    report.apply_baseline(&baseline, today, false);
    // Durations come from the clock; pin them so renderings are deterministic.
    for (i, row) in report.requirements.iter_mut().enumerate() {
        row.duration_ms = 7 * (i as u64 + 1) + 1000 * (i as u64 % 2);
    }
    report
}

fn outcome_of(r: &Report, id: &str) -> Outcome {
    r.requirements
        .iter()
        .find(|row| row.id == id)
        .map(|row| row.outcome)
        .unwrap()
}

#[test]
fn fixture_covers_every_outcome_and_verdict() {
    let r = fixture(FailOn::Must);
    for o in Outcome::ALL {
        assert!(
            r.requirements.iter().any(|row| row.outcome == o),
            "no row with outcome {o:?}"
        );
    }
    for v in [Certifiable::Yes, Certifiable::No, Certifiable::Incomplete] {
        assert!(
            r.certification.iter().any(|c| c.certifiable == v),
            "no role with verdict {v:?}"
        );
    }
    assert_eq!(outcome_of(&r, "fx.display.human"), Outcome::Skipped);
    assert_eq!(outcome_of(&r, "fx.host.store"), Outcome::NotRun);
    assert_eq!(r.transcripts.len(), 2);
    assert_eq!(r.exit_code, exit::MUST_FAILED);
}

#[test]
fn snapshots() {
    let r = fixture(FailOn::Must);
    insta::assert_snapshot!("report_json", report::to_json(&r));
    insta::assert_snapshot!("report_junit", Format::Junit.render(&r));
    insta::assert_snapshot!("report_markdown", Format::Md.render(&r));
}

#[test]
fn json_round_trips_through_load() {
    let r = fixture(FailOn::Must);
    let dir = TempDir::new("roundtrip");
    let written = report::write_all(&r, dir.path(), &[Format::Json]).unwrap();
    let back = report::load(&written[0]).unwrap();
    assert_eq!(back, r);
}

#[test]
fn json_validates_against_the_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/report.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(
        jsonschema::meta::is_valid(&schema),
        "report.schema.json is not a valid schema"
    );
    let validator = jsonschema::validator_for(&schema).unwrap();
    for fail_on in [FailOn::Must, FailOn::Should] {
        let doc: serde_json::Value =
            serde_json::from_str(&report::to_json(&fixture(fail_on))).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "schema errors: {errors:#?}");
    }
    // The schema is closed: an unknown member or a bad enum value is refused.
    let mut doc: serde_json::Value =
        serde_json::from_str(&report::to_json(&fixture(FailOn::Must))).unwrap();
    doc["requirements"][0]["extra"] = serde_json::json!(1);
    assert!(!validator.is_valid(&doc));
    let mut doc: serde_json::Value =
        serde_json::from_str(&report::to_json(&fixture(FailOn::Must))).unwrap();
    doc["requirements"][0]["outcome"] = serde_json::json!("passed");
    assert!(!validator.is_valid(&doc));
}

/// Counts from parsing JUnit XML.
#[derive(Debug, Default, PartialEq)]
struct Junit {
    testcases: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    /// testsuite name -> (tests, failures, errors, skipped) attributes.
    suites: BTreeMap<String, [usize; 4]>,
    failure_types: Vec<String>,
    messages: Vec<String>,
}

fn parse_junit(xml: &str) -> Junit {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut j = Junit::default();
    loop {
        let ev = reader
            .read_event()
            .unwrap_or_else(|e| panic!("junit does not parse: {e}"));
        let e = match &ev {
            Event::Start(e) | Event::Empty(e) => e,
            Event::Eof => break,
            _ => continue,
        };
        let attr = |name: &str| {
            e.try_get_attribute(name)
                .unwrap()
                .map(|a| a.unescape_value().unwrap().into_owned())
        };
        let num = |name: &str| attr(name).unwrap().parse::<usize>().unwrap();
        match e.name().as_ref() {
            b"testsuite" => {
                let counts = [num("tests"), num("failures"), num("errors"), num("skipped")];
                j.suites.insert(attr("name").unwrap(), counts);
            }
            b"testcase" => j.testcases += 1,
            b"failure" => {
                j.failures += 1;
                j.failure_types.push(attr("type").unwrap());
                j.messages.push(attr("message").unwrap());
            }
            b"error" => j.errors += 1,
            b"skipped" => j.skipped += 1,
            _ => {}
        }
    }
    j
}

#[test]
fn junit_parses_and_counts_match_the_report() {
    for fail_on in [FailOn::Must, FailOn::Should] {
        let r = fixture(fail_on);
        let xml = Format::Junit.render(&r);
        assert!(
            !xml.chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')),
            "junit holds a character XML 1.0 forbids"
        );
        let j = parse_junit(&xml);
        // A row is a test case in each judged role it names.
        let mut want = Junit::default();
        for role in &r.header.roles {
            let rows: Vec<_> = r
                .requirements
                .iter()
                .filter(|x| x.roles.contains(role))
                .collect();
            let count =
                |pick: &dyn Fn(Outcome) -> bool| rows.iter().filter(|x| pick(x.outcome)).count();
            let strict = fail_on == FailOn::Should;
            let failures = count(&|o| o == Outcome::Fail || (strict && o == Outcome::Warning));
            let errors = count(&|o| o == Outcome::Error);
            let skipped = count(&|o| {
                matches!(
                    o,
                    Outcome::Skipped
                        | Outcome::NotApplicable
                        | Outcome::NotRun
                        | Outcome::KnownFailure
                )
            });
            want.suites.insert(
                format!("clr-conformance.{role}"),
                [rows.len(), failures, errors, skipped],
            );
            want.testcases += rows.len();
            want.failures += failures;
            want.errors += errors;
            want.skipped += skipped;
        }
        assert_eq!(j.suites, want.suites, "fail_on {fail_on:?}");
        assert_eq!(
            (j.testcases, j.failures, j.errors, j.skipped),
            (want.testcases, want.failures, want.errors, want.skipped)
        );
        // service-consumer-read is named by a row but not judged by the run.
        assert!(!xml.contains("clr-conformance.service-consumer-read"));
        let should = j.failure_types.iter().filter(|t| *t == "SHOULD").count();
        match fail_on {
            FailOn::Must => {
                assert_eq!(should, 0);
                assert!(xml.contains("<system-out>warning: SHOULD not met"));
            }
            FailOn::Should => assert_eq!(should, 2, "{:?}", j.failure_types),
        }
        // The hostile reason survives escaping intact (its control character made visible).
        let reason = &r
            .requirements
            .iter()
            .find(|x| x.id == "fx.data.type")
            .unwrap()
            .reason;
        assert!(
            j.messages.contains(&reason.replace('\u{1b}', "\\u{1b}")),
            "{:?}",
            j.messages
        );
        assert!(xml.contains(
            "<testcase name=\"[MUST] fx.data.type\" classname=\"clr-conformance.issuer\""
        ));
    }
}

#[test]
fn markdown_escapes_tables_and_caps_findings() {
    let md = Format::Md.render(&fixture(FailOn::Must));
    // Raw markup only inside code spans (an odd number of backticks before it on its line).
    for line in md.lines() {
        for (i, _) in line.match_indices("<script>") {
            let ticks = line[..i].matches('`').count();
            assert!(ticks % 2 == 1, "raw <script> outside a code span: {line}");
        }
    }
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"quotes\" \\| pipes"));
    assert!(!md.contains('\u{1b}') && !md.contains('\u{7}'));
    // Every table line has the same number of unescaped pipes as its header.
    let mut expected = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            expected = None;
            continue;
        }
        let pipes = line.replace("\\|", "").matches('|').count();
        match expected {
            None => expected = Some(pipes),
            Some(n) => assert_eq!(pipes, n, "table row breaks its columns: {line}"),
        }
    }
    let failed = md.find("## Failed MUSTs (1)").expect("failed MUST section");
    assert!(!md.contains("more findings"));
    let errors = md.find("## Errors").expect("errors section");
    let warnings = md.find("## Warnings").expect("warnings section");
    assert!(failed < errors && errors < warnings);

    // Long lists and long values are capped, saying how much was left out.
    let mut r = fixture(FailOn::Must);
    let row = r
        .requirements
        .iter_mut()
        .find(|x| x.id == "fx.data.type")
        .unwrap();
    let extra = row.findings[0].clone();
    row.findings.extend(std::iter::repeat_n(extra, 6));
    row.reason = "x".repeat(5000);
    let md = Format::Md.render(&r);
    assert!(md.contains("- … and 3 more findings"), "{md}");
    assert!(!md.contains(&"x".repeat(301)));
}

/// A run with 250 passes and 150 failures on one requirement, the last
/// failure citing evidence no kept finding cites.
fn huge(rec: &mut Recorder) -> Report {
    let cat = catalog();
    let mut c = Check::new("many", &["fx.data.type"]);
    for i in 0..400 {
        c.subject(format!(
            "credential.json#/credentialSubject/verifiableCredential/{i}"
        ));
        if i % 8 < 5 {
            c.pass("fx.data.type", format!("type {i} holds"));
        } else {
            if i == 399 {
                c.cite("tx-late");
            }
            c.fail("fx.data.type", format!("type {i} is wrong"));
            c.clear_citations();
        }
    }
    rec.finish(c);
    let rows = cat.select(&["fx.data".to_string()], &[]);
    let mut h = header(FailOn::Must);
    h.catalog_hash = cat.hash.clone();
    Report::build(h, &rows, rec, |id| cat.get(id).is_some())
}

#[test]
fn huge_rows_keep_100_findings_per_verdict_and_say_so() {
    let row_of = |r: &Report| {
        r.requirements
            .iter()
            .find(|row| row.id == "fx.data.type")
            .cloned()
            .unwrap()
    };
    // The same run through an uncapped recorder (capped in Report::build)
    // and a capped one (as `verify` records) gives the same row.
    let full = huge(&mut Recorder::new());
    let capped = huge(&mut Recorder::capped(100));
    let (mut a, mut b) = (row_of(&full), row_of(&capped));
    // Timing is not part of the row's content (a loaded machine takes 1 ms).
    (a.duration_ms, b.duration_ms) = (0, 0);
    assert_eq!(a, b);
    assert_eq!((a.passed, a.failed, a.assertions), (250, 150, 400));
    assert_eq!(a.outcome, Outcome::Fail);
    assert_eq!(a.reason, "type 5 is wrong (and 149 more)");
    let kept = |v| a.findings.iter().filter(|f| f.verdict == v).count();
    use clr_conformance::evidence::Verdict;
    assert_eq!((kept(Verdict::Pass), kept(Verdict::Fail)), (100, 100));
    assert_eq!(a.findings_omitted, 200);
    // Evidence cited only by a finding that was not kept still counts.
    assert!(a.findings.iter().all(|f| f.evidence.is_empty()));
    assert_eq!(a.evidence, vec!["tx-late".to_string()]);
    assert_eq!(full.summary, capped.summary);
    assert_eq!(full.exit_code, exit::MUST_FAILED);
    // Every format says findings were left out; report.json stays valid and loads.
    let note = "200 findings were counted but not stored";
    assert!(full.header.notes.iter().any(|n| n.starts_with(note)));
    for f in Format::ALL {
        assert!(f.render(&full).contains(note), "{f:?} lacks the note");
    }
    let row_note = "200 more findings were counted but not stored";
    for f in [Format::Junit, Format::Md, Format::Html] {
        assert!(
            f.render(&full).contains(row_note),
            "{f:?} lacks the row note"
        );
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/report.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&report::to_json(&full)).unwrap();
    assert!(validator.is_valid(&doc));
    assert_eq!(doc["requirements"][1]["findings_omitted"], 200);
    let dir = TempDir::new("huge");
    let written = report::write_all(&full, dir.path(), &[Format::Json]).unwrap();
    // Streamed to the file, the same bytes as the rendered text.
    assert_eq!(
        std::fs::read_to_string(&written[0]).unwrap(),
        report::to_json(&full)
    );
    assert_eq!(report::load(&written[0]).unwrap(), full);
    // A small run never writes the member.
    assert!(!report::to_json(&fixture(FailOn::Must)).contains("findings_omitted"));
}

#[test]
fn html_is_self_contained_and_escapes_hostile_content() {
    let html = Format::Html.render(&fixture(FailOn::Must));
    assert!(
        !html.contains("<script>alert(1)"),
        "hostile script tag rendered raw"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"));
    assert!(!html.contains('\u{1b}'));
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the page's own inline script"
    );
    for bad in ["<link", "@import", "url(", " src=", "<iframe", "<img"] {
        assert!(!html.contains(bad), "html holds {bad}");
    }
    // External links are only the catalog's spec sources, which open on click and fetch nothing.
    for (i, _) in html.match_indices("href=\"") {
        let rest = &html[i + 6..];
        if rest.starts_with("http") || rest.starts_with("//") {
            let tag_start = html[..i].rfind('<').unwrap();
            assert!(
                html[tag_start..i].starts_with("<a class=\"spec\""),
                "external href: {}",
                &rest[..60]
            );
        }
    }
    assert!(html.contains("default-src 'none'"));
    // Rows carry the attributes the filters use; evidence links reach the transcripts.
    assert!(html.contains(
        "id=\"req-fx.data.type\" data-outcome=\"fail\" data-level=\"MUST\" data-roles=\"issuer\""
    ));
    assert!(html.contains("<a href=\"#tx-0001\">tx-0001</a>"));
    assert!(html.contains("<article class=\"tx\" id=\"tx-0002\">"));
}

#[test]
fn exit_codes() {
    let cat = Catalog::from_files(&[(
        "x.toml",
        "[[requirement]]\nid='x.must'\nlevel='MUST'\nroles=['issuer']\nstatement='s'\nsource={url='u',tag='t'}\n\
         [[requirement]]\nid='x.should'\nlevel='SHOULD'\nroles=['issuer']\nstatement='s'\nsource={url='u',tag='t'}\n",
    )])
    .unwrap();
    let run = |fail_on: FailOn, record: &dyn Fn(&mut Check)| {
        let mut rec = Recorder::new();
        let mut c = Check::new("c", &["x.must", "x.should"]);
        record(&mut c);
        rec.finish(c);
        let rows = cat.select(&[], &[]);
        Report::build(header(fail_on), &rows, &rec, |id| cat.get(id).is_some()).exit_code
    };
    let must = FailOn::Must;
    assert_eq!(
        run(must, &|c| {
            c.skip("x.must", "no");
        }),
        exit::NOTHING_RAN
    );
    assert_eq!(run(must, &|_| {}), exit::NOTHING_RAN);
    assert_eq!(
        run(must, &|c| {
            c.pass("x.must", "ok");
        }),
        exit::OK
    );
    assert_eq!(
        run(must, &|c| {
            c.fail("x.must", "bad");
        }),
        exit::MUST_FAILED
    );
    let should_fails = |c: &mut Check| {
        c.pass("x.must", "ok");
        c.fail("x.should", "meh");
    };
    assert_eq!(run(must, &should_fails), exit::OK);
    assert_eq!(run(FailOn::Should, &should_fails), exit::MUST_FAILED);
    let errors = |c: &mut Check| {
        c.error("x.must", "connection refused");
        c.pass("x.should", "ok");
    };
    assert_eq!(run(must, &errors), exit::HARNESS);
    // An unreachable target errors every check and asserts nothing: 3, not 4.
    assert_eq!(
        run(must, &|c| {
            c.error("x.must", "connection refused");
        }),
        exit::HARNESS
    );
    let empty = Report::build(header(must), &[], &Recorder::new(), |_| true);
    assert_eq!(empty.exit_code, exit::NOTHING_RAN);
    // An empty report still renders in every format, and its JUnit parses.
    for f in Format::ALL {
        assert!(!f.render(&empty).is_empty(), "{f:?} renders nothing");
    }
    let j = parse_junit(&Format::Junit.render(&empty));
    assert_eq!((j.testcases, j.suites.len()), (0, 5));
}

/// A temp folder removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("clr-report-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(60);

/// Run headless Chromium with `args`, killed after `CHROMIUM_TIMEOUT`; returns stdout.
fn chromium(profile: &Path, args: &[String]) -> String {
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    // Read stdout on a thread so a large DOM cannot fill the pipe and stall the browser.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium exited with {status}");
            break;
        }
        if start.elapsed() > CHROMIUM_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took longer than {CHROMIUM_TIMEOUT:?}; killed");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap()
}

/// The opening tags of the requirement rows in a DOM dump.
fn row_tags(dom: &str) -> Vec<&str> {
    dom.match_indices("<tr class=\"req ")
        .map(|(i, _)| &dom[i..i + dom[i..].find('>').unwrap()])
        .collect()
}

#[test]
fn html_renders_and_filters_in_headless_chromium() {
    if !Path::new(CHROMIUM).exists() {
        if std::env::var_os("CI").is_some() {
            panic!(
                "{CHROMIUM} is missing: .ci/run must install chromium (.ci/install-chromium.sh)"
            );
        }
        println!("skipped: chromium not installed");
        return;
    }
    let report = fixture(FailOn::Must);
    let dir = TempDir::new("chromium");
    let page = dir.path().join("report.html");
    std::fs::write(&page, Format::Html.render(&report)).unwrap();
    let url = format!("file://{}", page.display());

    let shot = dir.path().join("shot.png");
    chromium(
        &dir.path().join("profile-shot"),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000".into(),
            url.clone(),
        ],
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    assert!(png.len() > 20_000, "screenshot is only {} bytes", png.len());
    // CLR_REPORT_KEEP=<dir> keeps the page and the screenshot for a human to look at.
    if let Some(keep) = std::env::var_os("CLR_REPORT_KEEP") {
        let keep = PathBuf::from(keep);
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(&shot, keep.join("shot.png")).unwrap();
        std::fs::copy(&page, keep.join("report.html")).unwrap();
    }

    // Unfiltered: the script ran and every row shows.
    let dom = chromium(
        &dir.path().join("profile-all"),
        &["--dump-dom".into(), url.clone()],
    );
    assert!(
        dom.contains("data-filters=\"ready\""),
        "the page script did not run"
    );
    let tags = row_tags(&dom);
    assert_eq!(tags.len(), report.requirements.len());
    assert!(tags.iter().all(|t| !t.contains(" hidden")));

    // ?outcome=fail: only failing rows remain visible.
    let dom = chromium(
        &dir.path().join("profile-fail"),
        &["--dump-dom".into(), format!("{url}?outcome=fail")],
    );
    let tags = row_tags(&dom);
    assert_eq!(tags.len(), report.requirements.len());
    let visible: Vec<&&str> = tags.iter().filter(|t| !t.contains(" hidden")).collect();
    let failing = report
        .requirements
        .iter()
        .filter(|r| r.outcome == Outcome::Fail)
        .count();
    assert_eq!(visible.len(), failing, "visible rows: {visible:#?}");
    assert!(visible.iter().all(|t| t.contains("data-outcome=\"fail\"")));
    assert!(dom.contains(&format!("data-shown=\"{failing}\"")));
    assert!(
        !dom.contains("<script>alert(1)"),
        "hostile script tag in the live DOM"
    );

    // #level=SHOULD&q=link: the fragment form and the text search work too.
    let dom = chromium(
        &dir.path().join("profile-q"),
        &[
            "--dump-dom".into(),
            format!("{url}#level=SHOULD&q=link%20header"),
        ],
    );
    let visible: Vec<&str> = row_tags(&dom)
        .into_iter()
        .filter(|t| !t.contains(" hidden"))
        .collect();
    assert_eq!(visible.len(), 1, "{visible:#?}");
    assert!(visible[0].contains("id=\"req-fx.api.paging\""));
}

/// A blocking MUST whose rule rests on our own reading says so in every format.
#[test]
fn an_inferred_blocking_must_is_marked_in_every_format() {
    let r = fixture(FailOn::Must);
    let row = r
        .requirements
        .iter()
        .find(|x| x.id == "fx.data.type")
        .unwrap();
    assert_eq!(row.outcome, Outcome::Fail);
    assert_eq!(row.basis, Some(clr_conformance::catalog::Basis::Inferred));
    let issuer = r
        .certification
        .iter()
        .find(|v| v.role.as_str() == "issuer")
        .unwrap();
    assert!(
        issuer
            .blocking_unconfirmed
            .contains(&"fx.data.type".to_string())
    );
    let json: serde_json::Value = serde_json::from_str(&report::to_json(&r)).unwrap();
    let j = json["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "fx.data.type")
        .unwrap();
    assert_eq!(j["basis"], "inferred");
    let md = Format::Md.render(&r);
    assert!(
        md.contains("| ❌ fail | MUST | inferred | `fx.data.type` |"),
        "{md}"
    );
    assert!(md.contains("of which unconfirmed for CLR"));
    let html = Format::Html.render(&r);
    assert!(
        html.contains("data-basis=\"inferred\">basis: inferred</span>"),
        "html"
    );
    let xml = Format::Junit.render(&r);
    assert!(
        xml.contains("name=\"[MUST] fx.data.type\"") && xml.contains("basis=\"inferred\""),
        "{xml}"
    );
    assert!(
        xml.contains("<property name=\"blocking_unconfirmed\" value=\"1\"/>"),
        "{xml}"
    );
}
