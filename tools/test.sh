#!/usr/bin/env bash
# The README's test command: installs what the tests need (Azurite, Chromium), checks the formatting, builds the app
# project, runs every test project of the solution, and ends with one line `N passed, N failed, N skipped` summing the
# runner's own counts.
set -uo pipefail
cd "$(dirname "$0")/.."
results=artifacts/test-results
rm -rf "$results" && mkdir -p "$results"
status=0

# Azurite and the Node.js that runs it (package.json); the tests start and stop their own Azurite.
npm install --no-audit --no-fund || { echo "npm install failed"; exit 1; }
# Debian's Chromium for the browser tests (tests/Reengage.Browser.Tests).
bash tools/ensure-chromium.sh || { echo "ensure-chromium failed: the browser tests will fail"; status=1; }

echo "== formatting, the app project (its functions.metadata), and every test project"
dotnet format ReengageFunctions.sln --verify-no-changes --verbosity quiet || { echo "dotnet format found changes to make"; status=1; }
if dotnet build functions/Reengage.FunctionApp --nologo --verbosity quiet; then
  dotnet test ReengageFunctions.sln --nologo --logger "trx" --results-directory "$results/dotnet" || status=1
else
  echo "the app project did not build"; status=1
fi

node tools/test-summary.mjs "$results" || status=1
exit "$status"
