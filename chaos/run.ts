// `npm run chaos [-- --runs 200 --seed 1 --concurrency 2 --outages 2 --no-sweeps --only <i>]`: crash sweeps
// and seeded random fault runs of planning and sending on a private Azurite; prints a summary and exits
// non-zero when an invariant broke (see docs/chaos.md).
import { parseArgs } from 'node:util';
import { startAzurite } from '../scripts/lib/azurite';
import { runScenario, runStorageOutage } from './lib/scenario';
import { ONE_SEND_WORLD, randomSpec, runPool, Summary, SWEEP_WORLD, sweep } from './lib/suite';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '2' },
    outages: { type: 'string', default: '2' },
    'no-sweeps': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
const concurrency = Number(values.concurrency);
const outages = Number(values.outages);
const only = values.only === undefined ? null : Number(values.only);
for (const [name, value] of Object.entries({ runs, seed, concurrency, outages })) {
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`--${name} must be a whole number\n`);
    process.exit(2);
  }
}

function progress(symbol: string): void {
  process.stdout.write(symbol);
}

async function main(): Promise<number> {
  const started = performance.now();
  const summary = new Summary();
  const mark = (violations: number) => progress(violations === 0 ? '.' : 'F');
  const azurite = await startAzurite();
  try {
    if (only !== null) {
      const spec = randomSpec(seed, only);
      process.stdout.write(`run ${only} (seed ${spec.seed}): ${spec.features.join(', ') || 'no faults'}\n`);
      summary.add(await runScenario(azurite.connectionString, spec), spec.features);
    } else {
      process.stdout.write(
        `Reengage chaos: seed ${seed}, ${runs} random runs, ${values['no-sweeps'] ? 'no' : 'three'} crash sweeps, ${outages} storage outages, ${concurrency} runs at a time\n`,
      );
      if (!values['no-sweeps']) {
        process.stdout.write(
          'planner crash sweep (crash after each call k of one planning pass, then restart)\n',
        );
        for (const result of await sweep(
          azurite.connectionString,
          { label: 'planner crash sweep', seed, world: SWEEP_WORLD },
          'planning',
          { concurrency, onResult: (r) => mark(r.check.violations.length) },
        )) {
          summary.add(result, result.crashes.length ? ['crash sweep'] : []);
        }
        process.stdout.write('\nsend crash sweep (crash after each call k of one send, then redelivery)\n');
        for (const result of await sweep(
          azurite.connectionString,
          { label: 'send crash sweep', seed, world: ONE_SEND_WORLD },
          'sending',
          { concurrency, onResult: (r) => mark(r.check.violations.length) },
        )) {
          summary.add(result, result.crashes.length ? ['crash sweep'] : []);
        }
        process.stdout.write(
          '\ndrain crash sweep (crash after each call k of a whole drain, then restart)\n',
        );
        for (const result of await sweep(
          azurite.connectionString,
          { label: 'drain crash sweep', seed, world: SWEEP_WORLD },
          'sending',
          { concurrency, onResult: (r) => mark(r.check.violations.length) },
        )) {
          summary.add(result, result.crashes.length ? ['crash sweep'] : []);
        }
        process.stdout.write('\n');
      }
      process.stdout.write(`random runs\n`);
      await runPool(
        Array.from({ length: runs }, (_, i) => async () => {
          const spec = randomSpec(seed, i);
          const result = await runScenario(azurite.connectionString, spec);
          summary.add(result, spec.features);
          mark(result.check.violations.length);
        }),
        concurrency,
      );
      process.stdout.write('\n');
    }
  } finally {
    await azurite.stop();
  }
  if (only === null && outages > 0) {
    process.stdout.write(
      'storage outages (Azurite on disk stopped mid-drain, restarted on the same ports)\n',
    );
    for (let i = 0; i < outages; i++) {
      const spec = randomSpec(seed, 1_000_000 + i);
      const result = await runStorageOutage({
        ...spec,
        label: 'storage outage',
        id: `storage outage #${i}`,
        planning: {},
        stopAfter: 1 + i,
        downMs: 8_000 + 4_000 * i,
      });
      summary.add(result, [...spec.features.filter((f) => !f.includes('planner')), 'storage outage']);
      mark(result.check.violations.length);
    }
    process.stdout.write('\n');
  }
  const seconds = Math.round((performance.now() - started) / 1000);
  process.stdout.write(
    `\n${summary.render()}\n${'time'.padEnd(40)} ${Math.floor(seconds / 60)}m${seconds % 60}s\n`,
  );
  return summary.violations.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
