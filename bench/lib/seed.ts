// Writes a Population straight into the Patients and DueIndex tables with entity-group transactions (100 rows,
// one partition each), many at a time: seeding 100,000 patients through the webhook would take far too long.
import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';
import { type StoredProperties, toEntity } from '../../functions/src/adapters/tables/entityCodec';
import { checkedKey } from '../../functions/src/adapters/tables/keys';
import { patientToEntity } from '../../functions/src/adapters/tables/TablePatientStore';
import { forEachConcurrently } from '../../functions/src/app/concurrency';
import type { Harness } from '../../scripts/lib/harness';
import type { PatientKind, Population } from './population';

/** An entity-group transaction holds at most 100 operations, all in one partition. */
const BATCH_SIZE = 100;

export interface SeedOptions {
  /** Transactions in flight at once. */
  concurrency?: number;
  onProgress?: (patientsWritten: number, total: number) => void;
}

export interface SeedResult {
  patients: number;
  dueIndexRows: number;
  transactions: number;
  /** `practiceId|patientId` of every patient due on the planning date, by construction. */
  dueOnPlanningDay: Set<string>;
  byKind: Record<PatientKind, number>;
  elapsedMs: number;
}

export async function seedPopulation(
  harness: Harness,
  population: Population,
  options: SeedOptions = {},
): Promise<SeedResult> {
  const started = performance.now();
  const concurrency = options.concurrency ?? 16;
  const { patients: patientsTable, dueIndex: dueTable } = harness.composition.storage.tables;
  const window = population.plannerWindow();
  await forEachConcurrently(population.practices, concurrency, async ({ practice, therapists }) => {
    await harness.addPractice(practice, therapists);
  });

  const result: SeedResult = {
    patients: 0,
    dueIndexRows: 0,
    transactions: 0,
    dueOnPlanningDay: new Set(),
    byKind: {
      due: 0,
      recent_visit: 0,
      future_booking: 0,
      mid_cadence: 0,
      cadence_done: 0,
      discharged: 0,
      never_visited: 0,
    },
    elapsedMs: 0,
  };
  const total = population.options.patients;
  const dueRows = new Map<string, TableEntity<StoredProperties>[]>();
  const inFlight = new Set<Promise<void>>();
  const submit = async (client: TableClient, rows: TableEntity<StoredProperties>[], patients: number) => {
    // Backpressure: never more than `concurrency` transactions on the wire.
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    const done = submitCreates(client, rows).then(() => {
      inFlight.delete(done);
      result.transactions++;
      result.patients += patients;
      if (patients > 0) options.onProgress?.(result.patients, total);
    });
    inFlight.add(done);
  };

  for (let p = 0; p < population.practices.length; p++) {
    let batch: TableEntity<StoredProperties>[] = [];
    for (const { patient, kind } of population.patientsOf(p)) {
      result.byKind[kind]++;
      const key = `${patient.practiceId}|${patient.id}`;
      const inWindow =
        patient.dueDay !== null && patient.dueDay >= window.from && patient.dueDay <= window.to;
      if (kind === 'due') {
        if (patient.dueDay !== population.planningDay) {
          throw new Error(`seeding bug: due patient ${key} has dueDay ${patient.dueDay}`);
        }
        result.dueOnPlanningDay.add(key);
      } else if (inWindow) {
        throw new Error(
          `seeding bug: ${kind} patient ${key} has dueDay ${patient.dueDay} in the planner window`,
        );
      }
      batch.push(patientToEntity(patientsTable.tableName, patient));
      if (patient.dueDay) {
        const row = toEntity(dueTable.tableName, patient.dueDay, checkedKey(key, 'due entry key'), {
          day: patient.dueDay,
          practiceId: patient.practiceId,
          patientId: patient.id,
        });
        const rows = dueRows.get(patient.dueDay) ?? [];
        rows.push(row);
        dueRows.set(patient.dueDay, rows);
        if (rows.length === BATCH_SIZE) {
          dueRows.delete(patient.dueDay);
          result.dueIndexRows += rows.length;
          await submit(dueTable, rows, 0);
        }
      }
      if (batch.length === BATCH_SIZE) {
        await submit(patientsTable, batch, batch.length);
        batch = [];
      }
    }
    if (batch.length > 0) await submit(patientsTable, batch, batch.length);
  }
  for (const rows of dueRows.values()) {
    result.dueIndexRows += rows.length;
    await submit(dueTable, rows, 0);
  }
  await Promise.all(inFlight);
  result.elapsedMs = performance.now() - started;
  return result;
}

async function submitCreates(client: TableClient, rows: TableEntity<StoredProperties>[]): Promise<void> {
  const actions: TransactionAction[] = rows.map((row) => ['create', row]);
  const response = await client.submitTransaction(actions);
  if (response.status !== 202) throw new Error(`${client.tableName} transaction answered ${response.status}`);
}
