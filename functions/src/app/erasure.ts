// GDPR for one patient (SPEC §9): export everything held about them; erase it, keeping only anonymous statistics.
import { createHash } from 'node:crypto';
import { addressHashOf, hashForLog, outreachIdOf } from '../core/ids';
import type { Appointment, OutreachRow, Patient, Practice } from '../core/model';
import type { FeedbackEntry, SuppressionReason } from '../core/ports';
import type { Deps } from './deps';
import { withOptimisticRetry } from './patientRecords';

const ERASED_PREFIX = 'erased-';

/**
 * The pseudonym that replaces a patient id on the ledger rows kept for statistics. Deterministic, so that
 * an erasure that died half-way finishes under the same keys, and the rows of one episode stay together.
 */
export function erasedPatientIdOf(practiceId: string, patientId: string): string {
  const digest = createHash('sha256').update(`${practiceId}|${patientId}`, 'utf8').digest('hex');
  return `${ERASED_PREFIX}${digest.slice(0, 16)}`;
}

/**
 * A ledger row without its personal content: the patient id becomes the pseudonym (and with it the row
 * key), the therapist goes; template, locale, status, dates, delivery, answer and rebooking remain for
 * the practice's report. A row still waiting to be sent is marked skipped, so it is never sent.
 */
export function erasedRowOf(row: OutreachRow, now: Date): OutreachRow {
  const patientId = erasedPatientIdOf(row.practiceId, row.patientId);
  return {
    ...row,
    id: outreachIdOf({ patientId, campaign: row.campaign, episodeKey: row.episodeKey, step: row.step }),
    patientId,
    therapistId: null,
    status: row.status === 'planned' ? 'skipped:patient_erased' : row.status,
    erasedAt: now.toISOString(),
  };
}

export type FeedbackOnErasure = 'delete' | 'keep_rating';

/**
 * Moves one ledger row to its pseudonymous key: the new row is written first, the MessageIndex re-pointed
 * (late delivery reports still land on it), the row's feedback deleted or reduced to its rating, and the
 * old row deleted last, so that running it again after a crash finishes the job.
 */
export async function eraseOutreachContent(
  deps: Pick<Deps, 'ledger' | 'messageIndex' | 'feedback'>,
  row: OutreachRow,
  now: Date,
  feedback: FeedbackOnErasure,
): Promise<OutreachRow> {
  const erased = erasedRowOf(row, now);
  if ((await deps.ledger.createOutreach(erased)) === null) {
    // Written by an earlier attempt: bring it up to date with the row as it is now.
    await withOptimisticRetry(async () => {
      const existing = await deps.ledger.getOutreach(erased.practiceId, erased.id);
      if (existing) await deps.ledger.updateOutreach(erased, existing.etag);
      else await deps.ledger.createOutreach(erased);
    });
  }
  const indexed = await deps.messageIndex.getMessage(row.operationId);
  if (indexed && indexed.practiceId === row.practiceId && indexed.outreachId === row.id) {
    await deps.messageIndex.upsertMessage({ ...indexed, outreachId: erased.id });
  }
  const answer = await deps.feedback.getFeedback(row.practiceId, row.id);
  if (answer) {
    if (feedback === 'keep_rating') {
      await deps.feedback.upsertFeedback({
        ...answer,
        outreachId: erased.id,
        patientId: erased.patientId,
        comment: null,
      });
    }
    await deps.feedback.deleteFeedback(row.practiceId, row.id);
  }
  await deps.ledger.deleteOutreach(row.practiceId, row.id);
  return erased;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

export interface PatientExport {
  format: 'reengage.patient-export.v1';
  practiceId: string;
  patientId: string;
  exportedAt: string;
  /** The patient row as stored, health data (progressNote, plan.summary) included; null if gone. */
  patient: Patient | null;
  appointments: Appointment[];
  /** Every ledger row of the patient: one per planned, held-out or skipped email. */
  outreach: OutreachRow[];
  feedback: FeedbackEntry[];
  suppression: {
    /** Whether the patient's current address is on the practice's suppression list; null without an address. */
    listed: boolean | null;
    reason: SuppressionReason | null;
    at: string | null;
  };
  /** What else the app keeps, and why it is not personal data about this patient. */
  notes: string[];
}

const EXPORT_NOTES = [
  "Booking-tool events are kept 30 days for de-duplication, keyed by the booking tool's event id, with a hash of the body: they hold no personal data.",
  'The suppression list holds salted hashes of addresses only, never the addresses themselves.',
  "The message index maps each email's ACS message id (the operationId of the outreach rows above) to its outreach row, and holds nothing else.",
  'Outreach rows whose content was erased (after the retention period) carry a pseudonym instead of the patient id and are not part of this export.',
];

/** Everything held about one patient of one practice, and nothing about anyone else; null when nothing is held. */
export async function exportPatient(
  deps: Deps,
  practice: Practice,
  patientId: string,
): Promise<PatientExport | null> {
  const [patient, appointments, outreach, feedback] = await Promise.all([
    deps.patients.getPatient(practice.id, patientId),
    collect(deps.appointments.listAppointments(practice.id, patientId)),
    collect(deps.ledger.listOutreachForPatient(practice.id, patientId)),
    collect(deps.feedback.listFeedbackForPatient(practice.id, patientId)),
  ]);
  if (!patient && appointments.length + outreach.length + feedback.length === 0) return null;
  const email = patient?.value.email ?? null;
  const entry = email
    ? await deps.suppressions.getSuppression(practice.id, addressHashOf(practice.id, email))
    : null;
  deps.log.info('patient exported', {
    practiceId: practice.id,
    patientRef: hashForLog(`${practice.id}/${patientId}`),
  });
  return {
    format: 'reengage.patient-export.v1',
    practiceId: practice.id,
    patientId,
    exportedAt: deps.clock.now().toISOString(),
    patient: patient?.value ?? null,
    appointments,
    outreach,
    feedback,
    suppression: {
      listed: email ? entry !== null : null,
      reason: entry?.reason ?? null,
      at: entry?.at ?? null,
    },
    notes: EXPORT_NOTES,
  };
}

export type ErasureResult =
  | {
      kind: 'erased';
      outreachRows: number;
      appointments: number;
      feedback: number;
      /** Whether this erasure put the address on the suppression list (false: it already was, or none). */
      suppressionAdded: boolean;
    }
  | { kind: 'not_found' };

/**
 * Erases a patient: the patient row, its DueIndex row, appointments and feedback are deleted; ledger rows
 * lose their personal content but stay, under a pseudonym, for the practice's statistics. The address
 * stays on the suppression list as a salted hash, so a patient imported again is still not written to.
 * The patient row goes last: an erasure that died half-way is finished by calling it again.
 */
export async function erasePatient(
  deps: Deps,
  practice: Practice,
  patientId: string,
): Promise<ErasureResult> {
  const now = deps.clock.now();
  const [patient, appointments, outreach, feedback] = await Promise.all([
    deps.patients.getPatient(practice.id, patientId),
    collect(deps.appointments.listAppointments(practice.id, patientId)),
    collect(deps.ledger.listOutreachForPatient(practice.id, patientId)),
    collect(deps.feedback.listFeedbackForPatient(practice.id, patientId)),
  ]);
  if (!patient && appointments.length + outreach.length + feedback.length === 0) return { kind: 'not_found' };

  let suppressionAdded = false;
  const email = patient?.value.email;
  if (email) {
    const addressHash = addressHashOf(practice.id, email);
    // An existing entry keeps its reason (unsubscribed, bounced): it says more than the erasure does.
    if (!(await deps.suppressions.getSuppression(practice.id, addressHash))) {
      await deps.suppressions.upsertSuppression({
        practiceId: practice.id,
        addressHash,
        reason: 'suppressed',
        at: now.toISOString(),
      });
      suppressionAdded = true;
    }
  }
  for (const entry of feedback) await deps.feedback.deleteFeedback(practice.id, entry.outreachId);
  for (const row of outreach) await eraseOutreachContent(deps, row, now, 'delete');
  for (const appointment of appointments) {
    await deps.appointments.deleteAppointment(practice.id, patientId, appointment.id);
  }
  if (patient?.value.dueDay) {
    await deps.dueIndex.deleteDue({ day: patient.value.dueDay, practiceId: practice.id, patientId });
  }
  if (patient) await deps.patients.deletePatient(practice.id, patientId);
  deps.log.info('patient erased', {
    practiceId: practice.id,
    patientRef: hashForLog(`${practice.id}/${patientId}`),
    outreachRows: outreach.length,
    appointments: appointments.length,
    feedback: feedback.length,
  });
  return {
    kind: 'erased',
    outreachRows: outreach.length,
    appointments: appointments.length,
    feedback: feedback.length,
    suppressionAdded,
  };
}
