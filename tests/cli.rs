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
