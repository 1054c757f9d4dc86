// Shared by the flow tests: generic booking events, a completed visit on 1 Dec 2026, and the ledger of a practice.
import { expect } from 'vitest';
import type { OutreachRow } from '../../functions/src/core/model';
import type { Harness } from '../../scripts/lib/harness';

export const VISIT_AT = '2026-12-01T12:00:00Z';

/** A generic event for a consenting French patient of therapist th_1, unless `patient` says otherwise. */
export function bookingEvent(
  id: string,
  type: string,
  occurredAt: string,
  patient: Record<string, unknown>,
  appointment?: Record<string, unknown>,
) {
  return {
    id,
    type,
    occurredAt,
    patient: { therapistId: 'th_1', locale: 'fr', emailConsent: true, ...patient },
    ...(appointment ? { appointment } : {}),
  };
}

/** The patient's last visit: 1 Dec 2026 at 10:00 Paris, reported completed at noon UTC. */
export async function completedVisit(
  h: Harness,
  practiceId: string,
  patientId: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const patient = {
    id: patientId,
    firstName: `Prénom ${patientId}`,
    email: `${patientId}@example.org`,
    ...extra,
  };
  h.clock.set(VISIT_AT);
  const response = await h.postEvent(
    practiceId,
    bookingEvent(`${patientId}-c`, 'appointment.completed', VISIT_AT, patient, {
      id: `${patientId}-apt`,
      startsAt: '2026-12-01T10:00:00+01:00',
    }),
  );
  expect(response.status).toBe(202);
}

export async function listLedger(h: Harness, practiceId: string): Promise<OutreachRow[]> {
  const rows: OutreachRow[] = [];
  for await (const row of h.deps.ledger.listOutreach(practiceId)) rows.push(row);
  return rows;
}
