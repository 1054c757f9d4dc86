// The DueIndex planner works many entries at once and reserves their send slots together, on the real Azurite.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PLANNER_CONCURRENCY, planLapsedOutreach } from '../../functions/src/app/planOutreach';
import type { PatientStore, QuotaLimits, SendSlotStore, SlotRequest } from '../../functions/src/core/ports';
import { slotLengthFor } from '../../functions/src/core/quota';
import { Harness } from '../../scripts/lib/harness';
import { aPractice, aTherapist } from '../support/builders';
import { completedVisit, listLedger } from '../support/flowFixtures';

const practice = aPractice({ id: 'prac_many' });
const PATIENTS = 40;

describe('planner concurrency', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await new Harness({
      connectionString: inject('azuriteConnectionString'),
      start: '2026-12-01T12:00:00Z',
    }).ready();
    await h.addPractice({ ...practice, defaultTherapistId: 'th_1' }, [
      aTherapist({ practiceId: practice.id }),
    ]);
    for (let k = 0; k < PATIENTS; k++) {
      await completedVisit(h, practice.id, `pat_${String(k).padStart(2, '0')}`);
    }
  });
  afterAll(() => h.dispose());

  it('plans every due patient once, in distinct slots, with few grouped reservations and bounded reads in flight', async () => {
    h.clock.set('2026-12-31T05:00:00Z');
    const reservations: number[] = [];
    const slots: SendSlotStore = {
      reserveSlots: (requests: SlotRequest[], limits: QuotaLimits) => {
        reservations.push(requests.length);
        return h.deps.slots.reserveSlots(requests, limits);
      },
    };
    let reading = 0;
    let peakReading = 0;
    const patients: PatientStore = Object.create(h.deps.patients);
    patients.getPatient = async (practiceId, patientId) => {
      reading++;
      peakReading = Math.max(peakReading, reading);
      try {
        return await h.deps.patients.getPatient(practiceId, patientId);
      } finally {
        reading--;
      }
    };

    const report = await planLapsedOutreach({ ...h.deps, slots, patients });

    expect(report.entriesRead).toBe(PATIENTS);
    expect(report.outcomes.filter((o) => o.kind === 'planned')).toHaveLength(PATIENTS);
    const rows = await listLedger(h, practice.id);
    expect(rows.map((r) => r.patientId).sort()).toEqual(
      Array.from({ length: PATIENTS }, (_, k) => `pat_${String(k).padStart(2, '0')}`),
    );
    // One send per slot: the planned instants are all different and at least one slot apart.
    const instants = rows.map((r) => Date.parse(r.notBefore)).sort((a, b) => a - b);
    const slotMs = slotLengthFor(h.deps.quota) * 1000;
    for (let k = 1; k < instants.length; k++) {
      expect((instants[k] ?? 0) - (instants[k - 1] ?? 0)).toBeGreaterThanOrEqual(slotMs);
    }
    // The 40 reservations reached the store in a handful of grouped calls, not 40.
    expect(reservations.reduce((a, b) => a + b, 0)).toBe(PATIENTS);
    expect(reservations.length).toBeLessThanOrEqual(PATIENTS / 4);
    // Several patients were read at once, never more than the planner's limit.
    expect(peakReading).toBeGreaterThan(1);
    expect(peakReading).toBeLessThanOrEqual(PLANNER_CONCURRENCY);
  });

  it('a second run on the same day plans nothing new', async () => {
    const before = await listLedger(h, practice.id);
    const report = await planLapsedOutreach(h.deps);
    expect(report.outcomes.filter((o) => o.kind !== 'already_planned' && o.kind !== 'stale_index')).toEqual(
      [],
    );
    const after = await listLedger(h, practice.id);
    expect(after.map((r) => `${r.id}:${r.status}:${r.notBefore}`).sort()).toEqual(
      before.map((r) => `${r.id}:${r.status}:${r.notBefore}`).sort(),
    );
  });
});
