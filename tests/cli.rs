//! The command line as a user meets it: report folders that never collide,
//! and output to a closed pipe that ends quietly instead of panicking.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_clr-conformance");

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("clr-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A valid signed credential from the committed corpus, written to `dir`.
fn a_credential(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/vectors/provider-seeds.json"
    ))
    .expect("vectors/provider-seeds.json");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let case = v["testGroups"][0]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["result"] == "valid" && t["credential"].is_object())
        .expect("a valid JSON seed");
    let p = dir.join("clr.json");
    std::fs::write(&p, serde_json::to_vec(&case["credential"]).unwrap()).unwrap();
    p
}

fn report_dirs(cwd: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(cwd.join("reports"))
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn assert_full_report(dir: &Path) {
    for f in ["report.json", "junit.xml", "report.md", "report.html"] {
        assert!(dir.join(f).is_file(), "{}: {f} missing", dir.display());
    }
}

#[test]
fn runs_started_together_each_keep_their_own_report() {
    let cwd = scratch("parallel");
    let cred = a_credential(&cwd);
    // Four at once: at least two of them start in the same second.
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(BIN)
                .current_dir(&cwd)
                .args(["verify", "--quiet"])
                .arg(&cred)
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert_eq!(c.wait().unwrap().code(), Some(0));
    }
    // Then two in a row, as a CI script runs them.
    for cmd in [["verify", "--quiet"], ["verify", "--quiet"]] {
        let st = Command::new(BIN)
            .current_dir(&cwd)
            .args(cmd)
            .arg(&cred)
            .status()
            .unwrap();
        assert_eq!(st.code(), Some(0));
    }
    let dirs = report_dirs(&cwd);
    assert_eq!(dirs.len(), 6, "one folder per run: {dirs:?}");
    for d in &dirs {
        assert_full_report(d);
        let name = d.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            name.contains("-verify"),
            "{name}: the folder names the command"
        );
    }
}

#[test]
fn an_explicit_out_holding_a_report_is_refused_unless_forced() {
    let cwd = scratch("out");
    let cred = a_credential(&cwd);
    let out = cwd.join("r");
    let run = |extra: &[&str]| {
        Command::new(BIN)
            .args(["verify", "--quiet", "--out"])
            .arg(&out)
            .args(extra)
            .arg(&cred)
            .output()
            .unwrap()
    };
    assert_eq!(run(&[]).status.code(), Some(0));
    let before = std::fs::read(out.join("report.json")).unwrap();
    let again = run(&[]);
    assert_eq!(again.status.code(), Some(2), "usage error");
    let msg = String::from_utf8_lossy(&again.stderr);
    assert!(
        msg.contains(&out.display().to_string()) && msg.contains("--force"),
        "the message names the folder and the way out: {msg}"
    );
    assert_eq!(
        std::fs::read(out.join("report.json")).unwrap(),
        before,
        "first report kept"
    );
    assert_eq!(run(&["--force"]).status.code(), Some(0));
}

/// Run with stdout (and, when asked, stderr) connected to a pipe whose reader is already gone.
fn with_closed_pipe(args: &[&str], close_stderr: bool) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut cmd = Command::new(BIN);
    cmd.args(args).stdout(writer.try_clone().unwrap());
    if close_stderr {
        cmd.stderr(writer);
        let st = cmd.status().unwrap();
        (st.code(), String::new())
    } else {
        drop(writer);
        let out = cmd.stderr(Stdio::piped()).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    }
}

#[test]
fn every_printing_command_survives_a_closed_pipe() {
    let cwd = scratch("pipe");
    let cred = a_credential(&cwd);
    let cred = cred.to_str().unwrap();
    let out = |n: &str| cwd.join(n).display().to_string();
    let (o1, o2, o3) = (out("verify"), out("run"), out("rerender"));
    // (arguments, the exit code the work itself earns)
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["requirements"], 0),
        (vec!["requirements", "--show", "proof.di.signature"], 0),
        (vec!["requirements", "--untested"], 0),
        (vec!["requirements", "--only", "no.such.id"], 4),
        (vec!["--help"], 0),
        (vec!["--version"], 0),
        (vec!["serve", "--list-faults"], 0),
        (vec!["verify", cred, "--out", &o1], 0),
        (vec!["run", "--builtin", "--out", &o2], 0),
    ];
    for close_stderr in [false, true] {
        for (args, want) in &cases {
            let mut args = args.clone();
            let forced;
            if args.contains(&"--out") {
                forced = "--force";
                args.push(forced);
            }
            let (code, stderr) = with_closed_pipe(&args, close_stderr);
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
            assert_eq!(
                code,
                Some(*want),
                "{args:?} (stderr closed: {close_stderr}): {stderr}"
            );
        }
    }
    // A saved report re-rendered to the closed pipe.
    let saved = format!("{o1}/report.json");
    let (code, stderr) = with_closed_pipe(&["report", &saved, "--format", "md", "--stdout"], false);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stderr) = with_closed_pipe(&["report", &saved, "--out", &o3], false);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn report_diff_puts_new_must_failures_first_and_exits_1_on_a_regression() {
    let cwd = scratch("diff");
    let cred = a_credential(&cwd);
    let old_dir = cwd.join("old");
    let st = Command::new(BIN)
        .args(["verify", "--quiet", "--format", "json", "--out"])
        .arg(&old_dir)
        .arg(&cred)
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(0));
    let old = old_dir.join("report.json");
    let mut r: serde_json::Value = serde_json::from_slice(&std::fs::read(&old).unwrap()).unwrap();
    let rows = r["requirements"].as_array_mut().unwrap();
    let must = rows
        .iter()
        .position(|x| x["level"] == "MUST" && x["outcome"] == "pass")
        .expect("a passing MUST");
    let must_id = rows[must]["id"].as_str().unwrap().to_string();
    rows[must]["outcome"] = "fail".into();
    rows[must]["reason"] = "made to fail by the test".into();
    let should = rows
        .iter()
        .position(|x| x["level"] != "MUST" && x["outcome"] == "pass");
    let should_id = should.map(|i| {
        rows[i]["outcome"] = "warning".into();
        rows[i]["id"].as_str().unwrap().to_string()
    });
    let gone = rows.pop().unwrap()["id"].as_str().unwrap().to_string();
    r["header"]["tool"]["version"] = "9.9.9".into();
    let new = cwd.join("new.json");
    std::fs::write(&new, serde_json::to_vec(&r).unwrap()).unwrap();

    let diff = |a: &Path, b: &Path, fmt: &str| {
        let o = Command::new(BIN)
            .args(["report", "diff", "--format", fmt])
            .arg(a)
            .arg(b)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).to_string(),
        )
    };
    let (code, text) = diff(&old, &new, "text");
    assert_eq!(code, Some(1), "{text}");
    let first = text
        .lines()
        .find(|l| l.contains(" -> ") && l.contains('['))
        .unwrap_or_default();
    assert!(
        first.starts_with("REGRESSED") && first.contains(&must_id),
        "{text}"
    );
    assert!(
        text.contains(&format!("{gone}: ")) && text.contains("-> absent"),
        "{text}"
    );
    assert!(
        text.contains("tool version: ") && text.contains("-> 9.9.9"),
        "{text}"
    );
    if let Some(id) = &should_id {
        assert!(text.contains(&format!("{id}: pass -> warning")), "{text}");
    }
    let (code, md) = diff(&old, &new, "md");
    assert_eq!(code, Some(1));
    assert!(md.contains("regressed") && md.contains(&must_id), "{md}");
    let (code, json) = diff(&old, &new, "json");
    assert_eq!(code, Some(1));
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(j["regressions"], 1, "{json}");
    assert_eq!(j["changes"][0]["id"], must_id.as_str());
    // The other way round it is an improvement: exit 0.
    let (code, text) = diff(&new, &old, "text");
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains(&format!("{must_id}: fail -> pass")), "{text}");
    // A run compared with itself: nothing changed.
    let (code, text) = diff(&old, &old, "text");
    assert_eq!(code, Some(0));
    assert!(text.starts_with("0 rows changed"), "{text}");
}

/// The CI step the GitHub action and the GitLab template run, driven the way a
/// runner drives it: environment variables in, summary and outputs files written.
#[test]
fn the_ci_step_publishes_the_summary_and_keeps_the_exit_code() {
    let cwd = scratch("step");
    let root = env!("CARGO_MANIFEST_DIR");
    let action = std::fs::read_to_string(format!("{root}/action.yml")).unwrap();
    assert!(action.contains("ci/step.sh") && action.contains("CLR_ARGS: ${{ inputs.args }}"));
    let gitlab = std::fs::read_to_string(format!("{root}/ci/gitlab-ci.yml")).unwrap();
    assert!(gitlab.contains("ci/step.sh") && gitlab.contains("junit: $CLR_REPORT_DIR/junit.xml"));
    let cred = a_credential(&cwd);
    let step = |args: &str, dir: &str| {
        let summary = cwd.join(format!("{dir}.summary.md"));
        let outputs = cwd.join(format!("{dir}.outputs"));
        let st = Command::new("bash")
            .arg(format!("{root}/ci/step.sh"))
            .current_dir(&cwd)
            .env("CLR_ARGS", args)
            .env("CLR_REPORT_DIR", dir)
            .env("CLR_CONFORMANCE_BIN", BIN)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &outputs)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
        (st.code(), read(&summary), read(&outputs))
    };
    let (code, summary, outputs) = step("run --builtin --only discovery", "builtin");
    assert_eq!(code, Some(0), "{summary}");
    assert!(
        summary.starts_with("# ") && summary.contains("exit 0 (passed)"),
        "{summary}"
    );
    assert!(cwd.join("builtin/junit.xml").is_file());
    assert!(
        outputs.contains("exit-code=0") && outputs.contains("report-dir=builtin"),
        "{outputs}"
    );
    // A failing verdict keeps its exit code through the step.
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&cred).unwrap()).unwrap();
    v["credentialSubject"]["id"] = "did:example:tampered".into();
    let bad = cwd.join("tampered.json");
    std::fs::write(&bad, serde_json::to_vec(&v).unwrap()).unwrap();
    let (code, summary, outputs) = step(&format!("verify {}", bad.display()), "tampered");
    assert_eq!(code, Some(1), "{summary}");
    assert!(summary.contains("exit 1 (failed)"), "{summary}");
    assert!(outputs.contains("exit-code=1"));
    // No command: a usage error, said in words.
    let (code, _, _) = step("", "none");
    assert_eq!(code, Some(2));
}

#[test]
fn completions_and_the_man_page_come_from_the_argument_definitions() {
    let run = |args: &[&str]| {
        let o = Command::new(BIN).args(args).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        String::from_utf8(o.stdout).unwrap()
    };
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let s = run(&["completions", shell]);
        assert!(
            s.contains("clr-conformance") && s.contains("verify"),
            "{shell}: {s:.200}"
        );
    }
    assert!(run(&["completions", "bash"]).contains("--fail-on"));
    let man = run(&["man"]);
    assert!(man.starts_with(".ie") || man.contains(".TH"), "{man:.200}");
    assert!(
        man.contains("clr\\-conformance") && man.contains("requirements"),
        "{man:.400}"
    );
    let bad = Command::new(BIN)
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_baseline_turns_listed_failures_into_known_failures_and_cannot_rot() {
    let cwd = scratch("baseline");
    let cred = a_credential(&cwd);
    // A tampered subject: the proof fails (a MUST).
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&cred).unwrap()).unwrap();
    v["credentialSubject"]["id"] = "did:example:tampered".into();
    let bad = cwd.join("tampered.json");
    std::fs::write(&bad, serde_json::to_vec(&v).unwrap()).unwrap();
    let verify = |input: &Path, extra: &[&str], out: &str| {
        let o = Command::new(BIN)
            .args(["verify", "--quiet", "--out"])
            .arg(cwd.join(out))
            .args(extra)
            .arg(input)
            .output()
            .unwrap();
        let report = std::fs::read(cwd.join(out).join("report.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
        (
            o.status.code(),
            report,
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let (code, plain, _) = verify(&bad, &[], "plain");
    assert_eq!(code, Some(1));
    let plain = plain.unwrap();
    let failing: Vec<String> = plain["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "fail")
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!failing.is_empty());
    let toml: String = failing
        .iter()
        .map(|id| {
            format!(
                "[[known]]\nid = \"{id}\"\nreason = \"vendor ticket 42\"\nexpires = 2999-01-01\n"
            )
        })
        .collect();
    let list = cwd.join("baseline.toml");
    std::fs::write(&list, &toml).unwrap();
    let b = ["--baseline", list.to_str().unwrap()];
    // Every failure listed: the run passes, the rows say known-failure, certification still says no.
    let (code, r, err) = verify(&bad, &b, "known");
    assert_eq!(code, Some(0), "{err}");
    let r = r.unwrap();
    for id in &failing {
        let row = r["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id.as_str())
            .unwrap();
        assert_eq!(row["outcome"], "known-failure", "{id}");
        assert!(row["reason"].as_str().unwrap().contains("vendor ticket 42"));
    }
    assert_eq!(r["certification"][0]["certifiable"], "no");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schemas/report.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&r).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "report with a baseline breaks its schema: {errors:?}"
    );
    assert_eq!(r["summary"]["totals"]["known_failure"], failing.len());
    let md = std::fs::read_to_string(cwd.join("known/report.md")).unwrap();
    assert!(
        md.contains("Known failures (listed in --baseline)"),
        "{md:.600}"
    );
    // One entry fewer: that failure is new, and fails the run.
    if failing.len() > 1 {
        let first = toml
            .split("[[known]]")
            .nth(2)
            .map(|e| format!("[[known]]{e}"))
            .unwrap();
        std::fs::write(cwd.join("partial.toml"), first).unwrap();
        let (code, _, _) = verify(
            &bad,
            &["--baseline", cwd.join("partial.toml").to_str().unwrap()],
            "partial",
        );
        assert_eq!(code, Some(1));
    }
    // The same list on a clean credential: the entries are stale; strict mode fails the run.
    let (code, r, _) = verify(&cred, &b, "stale");
    assert_eq!(code, Some(0));
    let stale = r.unwrap()["header"]["baseline"]["stale"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(stale, failing.len());
    let strict = ["--baseline", list.to_str().unwrap(), "--strict-baseline"];
    let (code, _, _) = verify(&cred, &strict, "strict");
    assert_eq!(
        code,
        Some(1),
        "a stale entry fails the run with --strict-baseline"
    );
    // An expired entry no longer hides its failure.
    std::fs::write(&list, toml.replace("2999-01-01", "2020-01-01")).unwrap();
    let (code, r, _) = verify(&bad, &b, "expired");
    assert_eq!(code, Some(1));
    assert!(
        r.unwrap()["header"]["notes"]
            .to_string()
            .contains("expired on 2020-01-01")
    );
    // A bad list is a usage error naming the file and the entry, before any work.
    std::fs::write(&list, "[[known]]\nid = \"no.such.rule\"\nreason = \"x\"\n").unwrap();
    let (code, _, err) = verify(&bad, &b, "bad");
    assert_eq!(code, Some(2));
    assert!(
        err.contains("baseline.toml") && err.contains("no.such.rule"),
        "{err}"
    );
    std::fs::write(
        &list,
        format!("[[known]]\nid = \"{}\"\nreason = \"\"\n", failing[0]),
    )
    .unwrap();
    let (code, _, err) = verify(&bad, &b, "noreason");
    assert_eq!(code, Some(2));
    assert!(err.contains("reason is empty"), "{err}");
}

#[test]
fn a_signed_result_verifies_and_ties_the_report_to_its_signer() {
    let cwd = scratch("sign");
    let key = cwd.join("key.json");
    let run = |args: &[&str]| {
        let o = Command::new(BIN)
            .current_dir(&cwd)
            .args(args)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr),
        )
    };
    let (code, said) = run(&["keygen", "--out", "key.json"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("did:key:z6Mk"), "{said}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let (code, said) = run(&["keygen", "--out", "key.json"]);
    assert_eq!(
        code,
        Some(2),
        "an existing key is never overwritten: {said}"
    );

    let (code, said) = run(&[
        "run",
        "--builtin",
        "--only",
        "discovery",
        "--format",
        "md",
        "--out",
        "r",
        "--sign-with",
        "key.json",
    ]);
    assert_eq!(code, Some(0), "{said}");
    assert!(
        cwd.join("r/report.json").is_file(),
        "report.json is written when signing"
    );
    let (code, said) = run(&["report", "check", "r/report.json", "r/result.json"]);
    assert_eq!(code, Some(0), "{said}");
    // The result is an OB 3.0 credential our own verifier accepts.
    let (code, said) = run(&[
        "verify",
        "--profile",
        "ob-3.0",
        "--quiet",
        "--out",
        "v",
        "r/result.json",
    ]);
    assert_eq!(code, Some(0), "{said}");
    let result: serde_json::Value =
        serde_json::from_slice(&std::fs::read(cwd.join("r/result.json")).unwrap()).unwrap();
    let results = result["credentialSubject"]["result"].to_string();
    assert!(
        results.contains("sha256:") && results.contains("certifiable"),
        "{results}"
    );

    // A changed report no longer matches.
    let mut text = std::fs::read_to_string(cwd.join("r/report.json")).unwrap();
    text = text.replacen("\"pass\"", "\"fail\"", 1);
    std::fs::write(cwd.join("changed.json"), &text).unwrap();
    let (code, said) = run(&["report", "check", "changed.json", "r/result.json"]);
    assert_eq!(code, Some(1));
    assert!(said.contains("the report changed"), "{said}");
    // A result whose issuer was swapped for someone else's did:key does not verify.
    let mut forged = result.clone();
    forged["issuer"]["id"] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK".into();
    std::fs::write(
        cwd.join("forged.json"),
        serde_json::to_vec(&forged).unwrap(),
    )
    .unwrap();
    let (code, said) = run(&["report", "check", "r/report.json", "forged.json"]);
    assert_eq!(code, Some(1), "{said}");
    // A bad key file is refused before the run, naming the file.
    std::fs::write(cwd.join("bad.json"), "{}").unwrap();
    let (code, said) = run(&[
        "verify",
        "--sign-with",
        "bad.json",
        "--out",
        "x",
        "r/result.json",
    ]);
    assert_eq!(code, Some(2));
    assert!(
        said.contains("bad.json") && said.contains("keygen"),
        "{said}"
    );
}

/// The reference provider's valid JSON seed credentials (our vectors).
fn valid_seeds() -> Vec<serde_json::Value> {
    let seeds: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/vectors/provider-seeds.json"
        ))
        .unwrap(),
    )
    .unwrap();
    seeds["testGroups"][0]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["result"] == "valid" && t["credential"].is_object())
        .map(|t| t["credential"].clone())
        .collect()
}

#[test]
fn shards_cover_the_inputs_once_and_their_merge_equals_the_whole_run() {
    let cwd = scratch("shard");
    let dir = cwd.join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let mut n = 0;
    for credential in valid_seeds() {
        n += 1;
        std::fs::write(
            dir.join(format!("{n}.json")),
            serde_json::to_vec(&credential).unwrap(),
        )
        .unwrap();
        let mut bad = credential.clone();
        bad["credentialSubject"]["id"] = "did:example:tampered".into();
        std::fs::write(
            dir.join(format!("{n}-tampered.json")),
            serde_json::to_vec(&bad).unwrap(),
        )
        .unwrap();
    }
    assert!(n >= 2, "need a few seeds");
    let verify = |extra: &[&str], out: &str| {
        let st = Command::new(BIN)
            .args(["verify", "--quiet", "--format", "json", "--out"])
            .arg(cwd.join(out))
            .args(extra)
            .arg(&dir)
            .status()
            .unwrap();
        let r: serde_json::Value =
            serde_json::from_slice(&std::fs::read(cwd.join(out).join("report.json")).unwrap())
                .unwrap();
        (st.code(), r)
    };
    let subjects = |r: &serde_json::Value| -> std::collections::BTreeSet<String> {
        r["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|row| row["findings"].as_array().cloned().unwrap_or_default())
            .filter_map(|f| {
                f["subject"]
                    .as_str()
                    .map(|s| s.split('#').next().unwrap().to_string())
            })
            .collect()
    };
    let (whole_code, whole) = verify(&[], "whole");
    let (c1, s1) = verify(&["--shard", "1/3"], "s1");
    let (c2, s2) = verify(&["--shard", "2/3"], "s2");
    let (c3, s3) = verify(&["--shard", "3/3"], "s3");
    assert_eq!(whole_code, Some(1));
    let (a, b, c) = (subjects(&s1), subjects(&s2), subjects(&s3));
    assert!(
        a.is_disjoint(&b) && b.is_disjoint(&c) && a.is_disjoint(&c),
        "{a:?} {b:?} {c:?}"
    );
    let all: std::collections::BTreeSet<String> = a.iter().chain(&b).chain(&c).cloned().collect();
    assert_eq!(all, subjects(&whole), "the shards cover every input once");
    assert!([c1, c2, c3].contains(&Some(1)));
    let o = Command::new(BIN)
        .args(["report", "merge", "--format", "json,md", "--out"])
        .arg(cwd.join("merged"))
        .args(["s1", "s2", "s3"].map(|s| cwd.join(s).join("report.json")))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        whole_code,
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let merged: serde_json::Value =
        serde_json::from_slice(&std::fs::read(cwd.join("merged/report.json")).unwrap()).unwrap();
    let outcomes = |r: &serde_json::Value| -> Vec<(String, String)> {
        let mut v: Vec<_> = r["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["id"].as_str().unwrap().to_string(),
                    x["outcome"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        outcomes(&merged),
        outcomes(&whole),
        "merged rows equal the whole run's"
    );
    assert_eq!(
        merged["summary"]["assertions"],
        whole["summary"]["assertions"]
    );
    assert_eq!(merged["certification"], whole["certification"]);
    // A bad shard and reports of different runs are refused.
    let bad = Command::new(BIN)
        .args(["verify", "--shard", "4/3"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let (_, ob) = verify(&["--profile", "ob-3.0"], "ob");
    let _ = ob;
    let o = Command::new(BIN)
        .args(["report", "merge", "--out"])
        .arg(cwd.join("mixed"))
        .arg(cwd.join("s1/report.json"))
        .arg(cwd.join("ob/report.json"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("profile"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `verify --online` fetches a context that is not bundled (bounded by the fetch
/// policy), lists it in the report header, and the proof is then judged; offline the
/// same proof is "not verified" (an error), never a failed signature.
#[test]
fn online_verify_fetches_an_unbundled_context_and_lists_it() {
    use std::io::{Read, Write};
    let cwd = scratch("online-context");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten().take(8) {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let body = br#"{"@context": {}}"#;
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/ld+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(body);
        }
    });
    // The corpus case signed with its contexts, then given one more that no verifier bundles.
    let file: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/vectors/clr-credential.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut cred = file["testGroups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["tests"].as_array().unwrap())
        .find(|t| {
            t["flags"]
                .as_array()
                .is_some_and(|f| f.iter().any(|x| x == "ContextUnavailable"))
        })
        .expect("a ContextUnavailable case")["credential"]
        .clone();
    let url = format!("http://127.0.0.1:{port}/unbundled/v1");
    let ctx = cred["@context"].as_array_mut().unwrap();
    *ctx.last_mut().unwrap() = url.clone().into();
    let input = cwd.join("c.json");
    std::fs::write(&input, serde_json::to_vec(&cred).unwrap()).unwrap();
    let verify = |extra: &[&str], out: &str| {
        Command::new(BIN)
            .args(["verify", "--quiet", "--format", "json", "--out"])
            .arg(cwd.join(out))
            .args(extra)
            .arg(&input)
            .status()
            .unwrap();
        let r: serde_json::Value =
            serde_json::from_slice(&std::fs::read(cwd.join(out).join("report.json")).unwrap())
                .unwrap();
        let row = r["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == "proof.di.signature")
            .cloned();
        (
            row.unwrap()["outcome"].as_str().unwrap().to_string(),
            r["header"]["notes"].to_string(),
        )
    };
    let (offline, _) = verify(&[], "offline");
    assert_eq!(
        offline, "error",
        "offline the proof is not verified, not failed"
    );
    let (online, notes) = verify(
        &["--online", "--allow-http-fetch", "--allow-private-fetch"],
        "online",
    );
    assert_eq!(online, "pass", "{notes}");
    assert!(
        notes.contains(&format!("context fetched (--online): {url}")),
        "{notes}"
    );
    // Without the allowances the policy refuses the fetch, and says so.
    let (refused, notes) = verify(&["--online"], "refused");
    assert_eq!(refused, "error");
    assert!(notes.contains("context not fetched (--online)"), "{notes}");
}

/// `verify --certification`: the issuer's submission must be baked and is
/// expected to name the certification recipient; outside certification the
/// baked row is not applicable.
#[test]
fn a_certification_submission_must_be_baked() {
    use base64::Engine;
    let cwd = scratch("certification");
    let file: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/vectors/documents.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let group = &file["testGroups"][0];
    assert_eq!(group["role"], "issuer");
    let bytes = |id: u64| {
        let case = group["tests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["tcId"] == id)
            .unwrap_or_else(|| panic!("documents.json tcId {id}"));
        base64::engine::general_purpose::STANDARD
            .decode(case["document"]["base64"].as_str().unwrap())
            .unwrap()
    };
    // 11000: the signed ClrCredential baked in a PNG; 11002: the same as a .json file.
    let (png, json) = (cwd.join("clr.png"), cwd.join("clr.json"));
    std::fs::write(&png, bytes(11000)).unwrap();
    std::fs::write(&json, bytes(11002)).unwrap();
    let now = group["now"].as_str().unwrap();
    let learner = "did:example:learner-3fa85f64";
    let run = |name: &str, extra: &[&str], input: &Path| {
        let out = cwd.join(name);
        let mut args = vec!["verify", "--now", now, "--quiet", "--out"];
        args.push(out.to_str().unwrap());
        args.extend_from_slice(extra);
        args.push(input.to_str().unwrap());
        let st = Command::new(BIN).args(&args).status().unwrap();
        let r: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
        let row = |id: &str| {
            r["requirements"]
                .as_array()
                .unwrap()
                .iter()
                .find(|q| q["id"] == id)
                .map(|q| q["outcome"].as_str().unwrap().to_string())
                .unwrap_or_default()
        };
        (
            st.code(),
            row("data.cert.baked"),
            row("data.cert.recipient"),
        )
    };
    let cert = ["--certification", "--expect-recipient", learner];
    assert_eq!(
        run("png", &cert, &png),
        (Some(0), "pass".into(), "pass".into())
    );
    assert_eq!(
        run("json", &cert, &json),
        (Some(1), "fail".into(), "pass".into())
    );
    // The default recipient is the profile's: the corpus record is not issued to it.
    assert_eq!(
        run("default-recipient", &["--certification"], &png),
        (Some(1), "pass".into(), "fail".into())
    );
    assert_eq!(
        run("plain", &[], &json),
        (Some(0), "not-applicable".into(), "skipped".into())
    );
}

/// `verify --jsonl`: a stream of credentials (from a file or stdin), each line judged
/// as its own input named FILE:LINE, a compact verdict line per input in input order,
/// the same findings as the same credentials given as files, and shards that split
/// the lines between them.
#[test]
fn json_lines_are_verified_line_by_line_with_a_line_per_credential() {
    let cwd = scratch("jsonl");
    let good: Vec<serde_json::Value> = valid_seeds().into_iter().take(2).collect();
    assert_eq!(good.len(), 2, "two valid seeds");
    let mut tampered = good[0].clone();
    tampered["credentialSubject"]["id"] = "did:example:tampered".into();
    // Lines: good, blank (not an input), garbage, tampered, good.
    let text = format!(
        "{}\n\n{}\n{}\r\n{}\n",
        good[0], "not a credential", tampered, good[1]
    );
    let file = cwd.join("creds.jsonl");
    std::fs::write(&file, &text).unwrap();
    let verify = |args: &[&str], out: &str, stdin: Option<&str>| {
        let mut cmd = Command::new(BIN);
        cmd.args(["verify", "--quiet", "--format", "json", "--out"])
            .arg(cwd.join(out))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            use std::io::Write;
            input.write_all(s.as_bytes()).unwrap();
        }
        drop(input);
        let o = child.wait_with_output().unwrap();
        let report = std::fs::read(cwd.join(out).join("report.json"))
            .map(|b| serde_json::from_slice::<serde_json::Value>(&b).unwrap());
        (
            o.status.code(),
            report,
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let lines_of = |path: &Path| -> Vec<serde_json::Value> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let per = cwd.join("per.ndjson");
    let per_arg = per.to_str().unwrap();
    let (code, report, _) = verify(
        &["--per-credential", per_arg, file.to_str().unwrap()],
        "file",
        None,
    );
    assert_eq!(code, Some(1), "a broken line fails the run");
    let lines = lines_of(&per);
    let verdicts: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| (l["input"].as_str().unwrap(), l["verdict"].as_str().unwrap()))
        .collect();
    let name = file.display().to_string();
    assert_eq!(
        verdicts,
        [
            (format!("{name}:1").as_str(), "pass"),
            (format!("{name}:3").as_str(), "fail"),
            (format!("{name}:4").as_str(), "fail"),
            (format!("{name}:5").as_str(), "pass"),
        ]
    );
    assert_eq!(
        lines[1]["must"][0], "data.document.jws-or-json",
        "{}",
        lines[1]
    );
    assert!(
        lines[2]["must"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "proof.di.signature"),
        "{}",
        lines[2]
    );
    let report = report.unwrap();
    let notes = report["header"]["notes"].to_string();
    assert!(
        notes.contains("per-credential verdicts") && notes.contains("4 lines"),
        "{notes}"
    );

    // The same lines on stdin (--jsonl -) give the same rows as the file.
    let (code, from_stdin, _) = verify(&["--jsonl", "-"], "stdin", Some(&text));
    assert_eq!(code, Some(1));
    let outcomes = |r: &serde_json::Value| -> Vec<(String, String)> {
        r["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| (row["id"].to_string(), row["outcome"].to_string()))
            .collect()
    };
    assert_eq!(outcomes(&from_stdin.unwrap()), outcomes(&report));

    // The same credentials as separate files give the same outcomes.
    let dir = cwd.join("files");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        std::fs::write(dir.join(format!("{i}.json")), line.trim_end()).unwrap();
    }
    let (_, files, _) = verify(&[dir.to_str().unwrap()], "files", None);
    assert_eq!(outcomes(&files.unwrap()), outcomes(&report));

    // Shards count lines: 1/2 holds lines 1 and 4, 2/2 lines 3 and 5.
    for (shard, want) in [("1/2", [":1", ":4"]), ("2/2", [":3", ":5"])] {
        let per = cwd.join(format!("per-{}.ndjson", &shard[..1]));
        let (code, _, _) = verify(
            &[
                "--shard",
                shard,
                "--per-credential",
                per.to_str().unwrap(),
                file.to_str().unwrap(),
            ],
            &format!("shard-{}", &shard[..1]),
            None,
        );
        assert_eq!(code, Some(1), "each shard holds a broken line");
        let got: Vec<String> = lines_of(&per)
            .iter()
            .map(|l| l["input"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, want.map(|w| format!("{name}{w}")), "shard {shard}");
    }

    // An empty stream is an error, not a pass; stdin cannot be read twice for --online.
    let (code, report, err) = verify(&["--jsonl", "-"], "empty", Some("\n\n"));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        report.is_err() && err.contains("no credentials to verify"),
        "{err}"
    );
    let (code, _, err) = verify(&["--jsonl", "--online", "-"], "online", Some(&text));
    assert_eq!(code, Some(2));
    assert!(err.contains("stdin cannot be"), "{err}");
}
