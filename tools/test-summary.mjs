// Sums the runner's own counts: every .trx file that `dotnet test` wrote, then the line `N passed, N failed, N skipped`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
let passed = 0;
let failed = 0;
let skipped = 0;
let broken = false;

const trxDir = path.join(dir, 'dotnet');
const trx = existsSync(trxDir) ? readdirSync(trxDir).filter((f) => f.endsWith('.trx')) : [];
if (trx.length === 0) {
  console.log('no test results (the build failed before the tests ran)');
  broken = true;
}
for (const file of trx) {
  const xml = readFileSync(path.join(trxDir, file), 'utf8');
  const counters = xml.match(/<Counters\b[^>]*>/)?.[0] ?? '';
  const count = (name) => Number(counters.match(new RegExp(`\\b${name}="(\\d+)"`))?.[1] ?? 0);
  const name = path.basename(xml.match(/\bstorage="([^"]+)"/)?.[1] ?? file);
  passed += count('passed');
  failed += count('failed') + count('error') + count('timeout') + count('aborted');
  skipped += count('notExecuted');
  console.log(`${name}: ${count('passed')} passed, ${count('failed') + count('error')} failed`);
}

console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(broken || failed > 0 ? 1 : 0);
