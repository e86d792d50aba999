#!/usr/bin/env bash
# One CI step for implementers (the GitHub action in action.yml and the GitLab
# template ci/gitlab-ci.yml both call it): install clr-conformance with cargo
# unless CLR_CONFORMANCE_BIN names a binary, run one command, append the Markdown
# report to $GITHUB_STEP_SUMMARY when set, leave JUnit XML in the report folder,
# and exit with the harness's own exit code.
#
#   CLR_ARGS              the command and its arguments, split on white space
#                         (e.g. "run --target https://host/base --config target.toml")
#   CLR_REPORT_DIR        report folder [clr-conformance-report]; do not pass --out in CLR_ARGS
#   CLR_CONFORMANCE_BIN   an installed binary to use instead of installing one
#   CLR_SOURCE            this repository's checkout to install from [the folder above this script]
#   CLR_CONFORMANCE_GIT   or a git URL to install from (with CLR_CONFORMANCE_REV, optional)
set -uo pipefail

args="${CLR_ARGS:-}"
if [ -z "$args" ]; then
    echo "clr-conformance step: CLR_ARGS is empty; set it to a command, e.g. 'run --builtin'" >&2
    exit 2
fi
out="${CLR_REPORT_DIR:-clr-conformance-report}"
bin="${CLR_CONFORMANCE_BIN:-}"
if [ -z "$bin" ]; then
    root="${CLR_INSTALL_ROOT:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/clr-conformance}"
    if [ -n "${CLR_CONFORMANCE_GIT:-}" ]; then
        from=(--git "$CLR_CONFORMANCE_GIT")
        [ -n "${CLR_CONFORMANCE_REV:-}" ] && from+=(--rev "$CLR_CONFORMANCE_REV")
    else
        from=(--path "${CLR_SOURCE:-$(cd "$(dirname "$0")/.." && pwd)}")
    fi
    cargo install --locked --quiet --root "$root" "${from[@]}" clr-conformance || {
        echo "clr-conformance step: cargo install failed" >&2
        exit 3
    }
    bin="$root/bin/clr-conformance"
fi

read -r -a argv <<<"$args"
"$bin" "${argv[@]}" --out "$out" --force
code=$?

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    if [ -f "$out/report.md" ]; then
        cat "$out/report.md" >>"$GITHUB_STEP_SUMMARY"
    else
        printf 'clr-conformance: no Markdown report in %s (exit %s)\n' "$out" "$code" >>"$GITHUB_STEP_SUMMARY"
    fi
fi
[ -f "$out/junit.xml" ] && echo "clr-conformance step: JUnit XML at $out/junit.xml"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
    {
        echo "exit-code=$code"
        echo "report-dir=$out"
    } >>"$GITHUB_OUTPUT"
fi
exit "$code"
