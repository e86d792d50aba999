#!/usr/bin/env bash
# Installs Debian's headless Chromium and its chromedriver, for the HTML
# report test (tests/report_formats.rs) and the browser login strategy
# (tests/logins.rs). Idempotent: does nothing when both are present.
# Needs root (CI containers run as root); uses sudo when it is not.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  echo "chromium: already installed ($(/usr/bin/chromium --version 2>/dev/null || echo unknown version))"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "chromium: not installed and not root (no sudo): cannot install" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null

for b in /usr/bin/chromium /usr/bin/chromedriver; do
  if [ ! -x "$b" ]; then
    echo "chromium: apt-get finished but $b is missing" >&2
    exit 1
  fi
done
echo "chromium: installed ($(/usr/bin/chromium --version 2>/dev/null || echo unknown version))"
