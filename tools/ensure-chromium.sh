#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (tests/Reengage.Browser.Tests) when it is missing; run by
# tools/test.sh. Microsoft.Playwright drives this system browser: it never downloads one of its own.
# fonts-liberation (a recommendation of chromium) gives the pages their Arial and Times metrics, as patients would see
# them.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "ensure-chromium: $($CHROMIUM --version 2>/dev/null || echo chromium) already at $CHROMIUM, nothing to do"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and apt-get is not available; install Debian's chromium by hand" >&2
  exit 1
fi

# Root on the build machines; elsewhere sudo, if there is one, asks for the password.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 && SUDO="sudo"
fi

started=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
# Quiet, but the log is shown if anything fails: a silent failed install would be hard to diagnose.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-chromium: installing chromium with apt-get failed" >&2
  exit 1
fi
echo "ensure-chromium: installed $($CHROMIUM --version 2>/dev/null || echo chromium) with apt-get in $(($(date +%s) - started)) s"
