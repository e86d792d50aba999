//! Markdown rendering, sized for GitHub's `$GITHUB_STEP_SUMMARY`.
//!
//! Reads top down: the verdict per role, counts, then what a reviewer must act
//! on (failed MUSTs, errors, warnings), then every row in one compact table.
//! Target-supplied text is escaped so it cannot break tables or inject markup,
//! and long lists are capped with a count of what was left out.

use super::model::{Certifiable, FailOn, Outcome, Report, Row, exit, omitted_note};
use crate::evidence::{Finding, Verdict};
use std::fmt::Write;

/// Findings shown per row; the rest are counted.
const MAX_FINDINGS: usize = 5;
/// Rows detailed per section; the rest are counted.
const MAX_DETAILED: usize = 50;
/// Rows in the closing table; the rest are counted.
const MAX_TABLE_ROWS: usize = 1000;
/// Characters kept of a value or reason.
const MAX_TEXT: usize = 300;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    title(&mut out, report);
    certification(&mut out, report);
    summary(&mut out, report);
    let strict = report.header.fail_on == FailOn::Should;
    let failing = |r: &&Row| r.outcome == Outcome::Fail;
    let warnings = |r: &&Row| r.outcome == Outcome::Warning;
    let errors = |r: &&Row| r.outcome == Outcome::Error;
    let known = |r: &&Row| r.outcome == Outcome::KnownFailure;
    section(&mut out, report, "Failed MUSTs", failing);
    section(
        &mut out,
        report,
        "Known failures (listed in --baseline)",
        known,
    );
    section(&mut out, report, "Errors (could not judge)", errors);
    let title = if strict {
        "Unmet SHOULD/MAY (fail the run: --fail-on should)"
    } else {
        "Warnings: unmet SHOULD/MAY"
    };
    section(&mut out, report, title, warnings);
    all_rows(&mut out, report);
    out
}

fn title(out: &mut String, report: &Report) {
    let h = &report.header;
    let mark = if report.exit_code == exit::OK {
        "✅"
    } else {
        "❌"
    };
    let _ = writeln!(
        out,
        "# {mark} CLR conformance: {} — profile {} — {}\n",
        code(&h.target),
        inline(&h.profile),
        exit::describe(report.exit_code)
    );
    let _ = writeln!(
        out,
        "{} {} (rev {}) · `{}` · catalog {} · fail on {} · {} → {}\n",
        inline(&h.tool.name),
        inline(&h.tool.version),
        inline(&h.tool.git_revision),
        inline(&h.command),
        inline(&h.catalog_hash),
        match h.fail_on {
            FailOn::Must => "MUST",
            FailOn::Should => "SHOULD",
        },
        inline(&h.started),
        inline(&h.finished)
    );
    if h.interrupted {
        out.push_str("> **Interrupted:** the run stopped early; rows not reached are not run.\n\n");
    }
    for n in &h.notes {
        let _ = writeln!(out, "> {}\n", line(n));
    }
}

fn certification(out: &mut String, report: &Report) {
    if report.certification.is_empty() {
        return;
    }
    out.push_str("## Certification\n\n");
    out.push_str(
        "| Role | Verdict | Blocking MUSTs | of which unconfirmed for CLR | Unjudged MUSTs |\n|---|---|---|---:|---|\n",
    );
    for v in &report.certification {
        let verdict = match v.certifiable {
            Certifiable::Yes => "✅ certifiable",
            Certifiable::No => "❌ not certifiable",
            Certifiable::Incomplete => "⚠️ incomplete",
        };
        let _ = writeln!(
            out,
            "| {} | {verdict} | {} | {} | {} |",
            v.role,
            id_list(&v.blocking),
            v.blocking_unconfirmed.len(),
            id_list(&v.unjudged)
        );
    }
    out.push_str(
        "\nUnconfirmed: the rule's basis is `ob-inherited` (OB 3.0 text applied to CLR) or `inferred` \
         (our reading); no CLR 2.0 text confirms it. Each row names its basis.\n\n",
    );
}

/// Up to ten ids as code spans, then a count.
fn id_list(ids: &[String]) -> String {
    if ids.is_empty() {
        return "—".to_string();
    }
    let mut s: Vec<String> = ids.iter().take(10).map(|i| code(i)).collect();
    if ids.len() > 10 {
        s.push(format!("and {} more", ids.len() - 10));
    }
    cell(&s.join(", "))
}

fn summary(out: &mut String, report: &Report) {
    out.push_str("## Summary\n\n| Role | Level |");
    for o in report.shown_outcomes() {
        let _ = write!(out, " {} |", o.as_str());
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---:|".repeat(report.shown_outcomes().len()));
    out.push('\n');
    for (role, levels) in &report.summary.by_role {
        for (level, counts) in levels {
            let _ = write!(out, "| {role} | {level} |");
            for o in report.shown_outcomes() {
                let _ = write!(out, " {} |", counts.get(o));
            }
            out.push('\n');
        }
    }
    let t = &report.summary.totals;
    out.push_str("| **all rows** | |");
    for o in report.shown_outcomes() {
        let _ = write!(out, " **{}** |", t.get(o));
    }
    let _ = writeln!(
        out,
        "\n\n{} requirements, {} assertions, {} checks run.\n",
        t.total(),
        report.summary.assertions,
        report.summary.checks_run
    );
}

fn section(out: &mut String, report: &Report, title: &str, pick: impl Fn(&&Row) -> bool) {
    let rows: Vec<&Row> = report.requirements.iter().filter(pick).collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "## {title} ({})\n", rows.len());
    for row in rows.iter().take(MAX_DETAILED) {
        detail(out, row);
    }
    if rows.len() > MAX_DETAILED {
        let _ = writeln!(
            out,
            "… and {} more (see report.html)\n",
            rows.len() - MAX_DETAILED
        );
    }
}

fn detail(out: &mut String, row: &Row) {
    let _ = writeln!(out, "### {} {}\n", code(&row.id), row.level);
    let _ = writeln!(out, "> {}\n", line(&row.statement));
    if let Some(b) = row.basis {
        let _ = writeln!(out, "- **Basis:** `{b}`");
    }
    let _ = writeln!(out, "- **Reason:** {}", inline(&row.reason));
    let wanted = match row.outcome {
        Outcome::Error => Verdict::Error,
        _ => Verdict::Fail,
    };
    let list: Vec<&Finding> = row
        .findings
        .iter()
        .filter(|f| f.verdict == wanted)
        .collect();
    for f in list.iter().take(MAX_FINDINGS) {
        finding(out, f);
    }
    if list.len() > MAX_FINDINGS {
        let _ = writeln!(out, "- … and {} more findings", list.len() - MAX_FINDINGS);
    }
    if row.findings_omitted > 0 {
        let _ = writeln!(out, "- {}", inline(&omitted_note(row)));
    }
    let _ = writeln!(
        out,
        "- **Source:** {}\n",
        source(&row.source.url, &row.source.tag)
    );
}

fn finding(out: &mut String, f: &Finding) {
    let _ = writeln!(out, "- {} (check {})", inline(&f.message), code(&f.check));
    if let Some(s) = &f.subject {
        let _ = writeln!(out, "  - subject: {}", code(s));
    }
    if let Some(e) = &f.expected {
        let _ = writeln!(out, "  - expected: {}", code(e));
    }
    if let Some(a) = &f.actual {
        let _ = writeln!(out, "  - actual: {}", code(a));
    }
    if !f.evidence.is_empty() {
        let refs: Vec<String> = f.evidence.iter().map(|e| code(e)).collect();
        let _ = writeln!(out, "  - evidence: {}", refs.join(", "));
    }
}

fn all_rows(out: &mut String, report: &Report) {
    let n = report.requirements.len();
    let _ = writeln!(out, "<details><summary>All requirements ({n})</summary>\n");
    out.push_str("| Outcome | Level | Basis | Requirement | Reason |\n|---|---|---|---|---|\n");
    for row in report.requirements.iter().take(MAX_TABLE_ROWS) {
        let _ = writeln!(
            out,
            "| {} {} | {} | {} | {} | {} |",
            emoji(row.outcome),
            row.outcome.as_str(),
            row.level,
            row.basis.map(|b| b.as_str()).unwrap_or("—"),
            cell(&code(&row.id)),
            cell(&inline(&row.reason))
        );
    }
    if n > MAX_TABLE_ROWS {
        let _ = writeln!(
            out,
            "\n… and {} more rows (see report.html)",
            n - MAX_TABLE_ROWS
        );
    }
    out.push_str("\n</details>\n");
}

/// A Markdown link to the spec when the URL is plain http(s); escaped text otherwise.
fn source(url: &str, tag: &str) -> String {
    let label = inline(if tag.is_empty() { url } else { tag });
    let plain = url
        .chars()
        .all(|c| c.is_ascii_graphic() && !"()<>[]`\\|".contains(c));
    if plain && (url.starts_with("https://") || url.starts_with("http://")) {
        format!("[{label}]({url})")
    } else {
        format!("{label} ({})", code(url))
    }
}

fn emoji(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "✅",
        Outcome::Fail => "❌",
        Outcome::Warning => "⚠️",
        Outcome::Error => "💥",
        Outcome::Skipped => "⏭️",
        Outcome::NotApplicable => "➖",
        Outcome::NotRun => "⬜",
        Outcome::KnownFailure => "🔕",
    }
}

/// Cut to `MAX_TEXT` characters and flatten line breaks and control characters.
fn flatten(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(MAX_TEXT)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if s.chars().count() > MAX_TEXT {
        out.push('…');
    }
    out
}

/// Plain text with Markdown and HTML punctuation escaped, on one line.
pub(crate) fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in flatten(s).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `inline` text that starts a line: a leading `-`, `+`, `=` or `1.` would
/// otherwise start a list or a heading underline (`#` is always escaped).
fn line(s: &str) -> String {
    let text = inline(s);
    if text.starts_with(['-', '+', '=']) {
        return format!("\\{text}");
    }
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    match text[digits..].chars().next() {
        Some(c @ ('.' | ')')) if digits > 0 => {
            format!("{}\\{c}{}", &text[..digits], &text[digits + 1..])
        }
        _ => text,
    }
}

/// A code span that survives backticks in the value.
pub(crate) fn code(s: &str) -> String {
    let s = flatten(s);
    let mut run = 0;
    let mut longest = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    if longest > 0 || s.starts_with(' ') || s.ends_with(' ') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

/// Make inline text safe in a table cell: pipes escaped (also inside code spans).
pub(crate) fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev = ' ';
    for c in s.chars() {
        if c == '|' && prev != '\\' {
            out.push('\\');
        }
        out.push(c);
        prev = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_escapes_markup_and_line_breaks() {
        assert_eq!(inline("a|b\nc <x> *y*"), "a\\|b c &lt;x&gt; \\*y\\*");
        assert_eq!(inline("# h"), "\\# h");
        assert_eq!(inline("0.1.0"), "0.1.0");
        assert_eq!(line("- x"), "\\- x");
        assert_eq!(line("12. x"), "12\\. x");
        assert_eq!(line("12 x."), "12 x.");
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(cell(&code("a|b")), "`a\\|b`");
        assert_eq!(cell(&inline("a|b")), "a\\|b");
    }
}
