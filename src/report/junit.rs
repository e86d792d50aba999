//! JUnit XML rendering, for CI systems that show test results natively.
//!
//! One `<testsuite>` per judged role, one `<testcase>` per requirement row in
//! that role. A failed MUST is a `<failure>`, an unmet SHOULD is a failure only
//! under `--fail-on should`, a harness error is an `<error>`, and rows nothing
//! judged are `<skipped>`. Every string is escaped for XML 1.0.

use super::model::{FailOn, Outcome, Report, Row, exit, omitted_note};
use crate::catalog::Role;
use crate::evidence::{Finding, Verdict};
use std::fmt::Write;

/// Findings listed in one failure body; the rest are counted.
const MAX_FINDINGS: usize = 20;

pub fn render(report: &Report) -> String {
    let suites: Vec<(Role, Vec<&Row>)> = report
        .judged_roles()
        .into_iter()
        .map(|role| {
            let rows = report
                .requirements
                .iter()
                .filter(|r| report.roles_of(r).contains(&role))
                .collect();
            (role, rows)
        })
        .collect();
    let mut total = Tally::default();
    let mut body = String::new();
    for (role, rows) in &suites {
        let tally = Tally::of(report, rows);
        total.add(&tally);
        suite(&mut body, report, *role, rows, &tally);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"clr-conformance\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">",
        total.tests,
        total.failures,
        total.errors,
        total.skipped,
        seconds(total.ms)
    );
    out.push_str(&body);
    out.push_str("</testsuites>\n");
    out
}

/// The counts a `<testsuite>` carries.
#[derive(Default)]
struct Tally {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    ms: u64,
}

impl Tally {
    fn of(report: &Report, rows: &[&Row]) -> Tally {
        let mut t = Tally::default();
        for r in rows {
            t.tests += 1;
            t.ms += r.duration_ms;
            match kind(report, r) {
                Kind::Failure => t.failures += 1,
                Kind::Error => t.errors += 1,
                Kind::Skipped => t.skipped += 1,
                Kind::Passed => {}
            }
        }
        t
    }

    fn add(&mut self, o: &Tally) {
        self.tests += o.tests;
        self.failures += o.failures;
        self.errors += o.errors;
        self.skipped += o.skipped;
        self.ms += o.ms;
    }
}

enum Kind {
    Passed,
    Failure,
    Error,
    Skipped,
}

fn kind(report: &Report, row: &Row) -> Kind {
    match row.outcome {
        Outcome::Pass => Kind::Passed,
        Outcome::Fail => Kind::Failure,
        Outcome::Warning if report.header.fail_on == FailOn::Should => Kind::Failure,
        Outcome::Warning => Kind::Passed,
        Outcome::Error => Kind::Error,
        // Listed in --baseline: a test reporter shows it as skipped with the reason.
        Outcome::Skipped | Outcome::NotApplicable | Outcome::NotRun | Outcome::KnownFailure => {
            Kind::Skipped
        }
    }
}

fn suite(out: &mut String, report: &Report, role: Role, rows: &[&Row], t: &Tally) {
    let h = &report.header;
    let _ = writeln!(
        out,
        "  <testsuite name=\"clr-conformance.{role}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" timestamp=\"{}\">",
        t.tests,
        t.failures,
        t.errors,
        t.skipped,
        seconds(t.ms),
        attr(&h.started)
    );
    out.push_str("    <properties>\n");
    let verdict = report
        .certification
        .iter()
        .find(|v| v.role == role)
        .map(|v| format!("{:?}", v.certifiable).to_lowercase());
    let mut props: Vec<(&str, String)> = vec![
        ("tool", format!("{} {}", h.tool.name, h.tool.version)),
        ("git_revision", h.tool.git_revision.clone()),
        ("catalog_hash", h.catalog_hash.clone()),
        ("command", h.command.clone()),
        ("target", h.target.clone()),
        ("profile", h.profile.clone()),
        ("fail_on", format!("{:?}", h.fail_on).to_lowercase()),
        ("config_fingerprint", h.config_fingerprint.clone()),
        ("exit_code", report.exit_code.to_string()),
        ("exit", exit::describe(report.exit_code)),
    ];
    if let Some(v) = report.certification.iter().find(|v| v.role == role) {
        props.push((
            "blocking_unconfirmed",
            v.blocking_unconfirmed.len().to_string(),
        ));
    }
    if let Some(v) = verdict {
        props.push(("certifiable", v));
    }
    if h.interrupted {
        props.push(("interrupted", "true".to_string()));
    }
    for n in &h.notes {
        props.push(("note", n.clone()));
    }
    for (name, value) in props {
        let _ = writeln!(
            out,
            "      <property name=\"{name}\" value=\"{}\"/>",
            attr(&value)
        );
    }
    out.push_str("    </properties>\n");
    for row in rows {
        case(out, report, role, row);
    }
    out.push_str("  </testsuite>\n");
}

fn case(out: &mut String, report: &Report, role: Role, row: &Row) {
    let _ = write!(
        out,
        "    <testcase name=\"[{}] {}\" classname=\"clr-conformance.{role}\" time=\"{}\" basis=\"{}\"",
        row.level,
        attr(&row.id),
        seconds(row.duration_ms),
        row.basis.map(|b| b.as_str()).unwrap_or("unknown")
    );
    let reason = attr(&row.reason);
    match (kind(report, row), row.outcome) {
        (Kind::Passed, Outcome::Warning) => {
            let _ = writeln!(
                out,
                ">\n      <system-out>{}</system-out>\n    </testcase>",
                text(&format!(
                    "warning: {} not met (passes with --fail-on must): {}\n{}",
                    row.level,
                    row.reason,
                    findings(row, Verdict::Fail)
                ))
            );
        }
        (Kind::Passed, _) => out.push_str("/>\n"),
        (Kind::Failure, _) => {
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{reason}\" type=\"{}\">{}</failure>\n    </testcase>",
                row.level,
                text(&format!(
                    "{}\n{}",
                    row.statement,
                    findings(row, Verdict::Fail)
                ))
            );
        }
        (Kind::Error, _) => {
            let _ = writeln!(
                out,
                ">\n      <error message=\"{reason}\" type=\"harness-error\">{}</error>\n    </testcase>",
                text(&findings(row, Verdict::Error))
            );
        }
        (Kind::Skipped, o) => {
            let _ = writeln!(
                out,
                ">\n      <skipped message=\"{}: {reason}\"/>\n    </testcase>",
                o.as_str()
            );
        }
    }
}

/// The findings with `verdict`, one block each, capped at `MAX_FINDINGS`.
fn findings(row: &Row, verdict: Verdict) -> String {
    let list: Vec<&Finding> = row
        .findings
        .iter()
        .filter(|f| f.verdict == verdict)
        .collect();
    let mut s = String::new();
    for f in list.iter().take(MAX_FINDINGS) {
        let _ = writeln!(s, "- {} [check {}]", f.message, f.check);
        for (k, v) in [
            ("expected", &f.expected),
            ("actual", &f.actual),
            ("subject", &f.subject),
        ] {
            if let Some(v) = v {
                let _ = writeln!(s, "  {k}: {v}");
            }
        }
        if !f.evidence.is_empty() {
            let _ = writeln!(s, "  evidence: {}", f.evidence.join(", "));
        }
    }
    if list.len() > MAX_FINDINGS {
        let _ = writeln!(
            s,
            "... and {} more findings (see report.json)",
            list.len() - MAX_FINDINGS
        );
    }
    if row.findings_omitted > 0 {
        let _ = writeln!(s, "{}", omitted_note(row));
    }
    s
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// True for characters XML 1.0 allows in a document.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escape text content. Characters XML 1.0 forbids become a visible `\u{..}`.
pub(crate) fn text(s: &str) -> String {
    escape(s, false)
}

/// Escape an attribute value; tabs and line breaks survive attribute normalization.
pub(crate) fn attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, in_attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if in_attr => out.push_str("&quot;"),
            '\'' if in_attr => out.push_str("&apos;"),
            '\n' if in_attr => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if in_attr => out.push_str("&#9;"),
            c if !allowed(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_forbidden_characters() {
        assert_eq!(text("a<b>&c"), "a&lt;b&gt;&amp;c");
        assert_eq!(attr("\"x'\n"), "&quot;x&apos;&#10;");
        assert_eq!(text("bell\u{7}esc\u{1b}"), "bell\\u{7}esc\\u{1b}");
        assert_eq!(text("\u{FFFE}ok"), "\\u{fffe}ok");
        assert_eq!(text("tab\tkept"), "tab\tkept");
    }

    #[test]
    fn seconds_have_millisecond_precision() {
        assert_eq!(seconds(0), "0.000");
        assert_eq!(seconds(1234), "1.234");
    }
}
