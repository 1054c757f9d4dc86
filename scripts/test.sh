#!/usr/bin/env bash
# The README's test command: installs what the tests need, runs the TypeScript suite and the C# suite, and ends
# with one line `N passed, N failed, N skipped` summing the two runners' own counts.
set -uo pipefail
cd "$(dirname "$0")/.."
results=artifacts/test-results
rm -rf "$results" && mkdir -p "$results"
status=0

# npm install, not npm ci: this registry serves only the linux-x64 build of Biome, so the lock cannot list the other
# platforms' optional packages and npm ci refuses it; npm install still follows the lock. Azurite comes from here too.
npm install --no-audit --no-fund || { echo "npm install failed"; exit 1; }

echo "== TypeScript: lint, type checks and tests"
npm test -- --reporter=default --reporter=json --outputFile.json="$results/typescript.json" || status=1

echo "== C#: formatting, the app project (its functions.metadata), and every test project"
dotnet format ReengageFunctions.sln --verify-no-changes --verbosity quiet || { echo "dotnet format found changes to make"; status=1; }
if dotnet build functions/Reengage.FunctionApp --nologo --verbosity quiet; then
  dotnet test ReengageFunctions.sln --nologo --logger "trx" --results-directory "$results/dotnet" || status=1
else
  echo "the app project did not build"; status=1
fi

node scripts/test-summary.mjs "$results" || status=1
exit "$status"
