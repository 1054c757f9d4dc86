// Patient import (CSV): a dry run that says what each line would change, and an all-or-nothing apply that
// writes through the booking-event path (ingestBookingEvent), so imported patients follow the webhook's rules.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { BookingEvent, BookingEventType, PatientFields } from '../core/bookingEvents';
import { localDateOf } from '../core/cadence';
import {
  type CsvEncoding,
  type CsvSeparator,
  decodeCsv,
  type ImportDate,
  type ImportedPatient,
  type ImportField,
  type ImportFileOptions,
  type LineError,
  validateImportFile,
} from '../core/csvImport';
import { addressHashOf } from '../core/ids';
import type { Appointment, Patient, Practice } from '../core/model';
import { forEachConcurrently } from './concurrency';
import type { Deps } from './deps';
import { ingestBookingEvent } from './ingestBookingEvent';
import { refreshVisits } from './patientRecords';

/** Patients read or written at once: enough to hide storage latency, few enough not to be throttled. */
export const DEFAULT_IMPORT_CONCURRENCY = 16;

/**
 * From this many lines on, the practice's patients and suppressed addresses are read in one partition
 * scan each (a page per 1,000 rows) instead of one point read per line.
 */
export const BULK_READ_LINES = 500;

/** Appointment ids the import owns; a booking tool's webhooks never produce them. */
const VISIT_ID_PREFIX = 'import-visit-';
const NEXT_ID_PREFIX = 'import-next-';

export type LineAction = 'create' | 'update' | 'unchanged' | 'invalid';

export interface LineReport {
  line: number;
  patientId: string | null;
  action: LineAction;
  /** For `update`: what changes. */
  fields?: ImportField[];
  /** The address is on the practice's suppression list: the patient is imported but never written to. */
  suppressed?: true;
  errors?: LineError[];
}

export interface ImportReport {
  practiceId: string;
  /** `invalid`: nothing was (or would be) written; fix the lines listed and send the file again. */
  outcome: 'dry_run' | 'applied' | 'invalid';
  dryRun: boolean;
  encoding: CsvEncoding;
  separator: CsvSeparator;
  /** Field -> the header it was read from. */
  columns: Partial<Record<ImportField, string>>;
  ignoredColumns: string[];
  fileErrors: { line: number | null; message: string }[];
  totals: {
    lines: number;
    create: number;
    update: number;
    unchanged: number;
    invalid: number;
    suppressed: number;
  };
  lines: LineReport[];
}

export interface ImportProgress {
  /** `checking`: lines compared with what is stored; `writing`: lines written (apply only). */
  phase: 'checking' | 'writing';
  done: number;
  total: number;
}

export interface ImportPatientsOptions extends ImportFileOptions {
  dryRun: boolean;
  concurrency?: number;
  onProgress?: (progress: ImportProgress) => void;
}

/**
 * Validates the whole file before anything is written: one invalid line (or a file-level problem) and
 * the answer is `invalid` with every problem listed, and nothing is written. Otherwise each line is
 * compared with the stored patient and appointments; lines that change something become booking
 * events with ids derived from their content and the state they apply to, so the same file imported
 * again changes nothing and writes nothing.
 */
export async function importPatients(
  deps: Deps,
  practice: Practice,
  file: string | Uint8Array,
  options: ImportPatientsOptions,
): Promise<ImportReport> {
  const startedMs = performance.now();
  const { text, encoding } =
    typeof file === 'string' ? { text: file, encoding: 'utf-8' as const } : decodeCsv(file);
  const now = deps.clock.now();
  const therapists = [];
  for await (const t of deps.practices.listTherapists(practice.id))
    therapists.push({ id: t.id, displayName: t.displayName });
  const validated = validateImportFile(text, { timeZone: practice.timeZone, now, therapists }, options);

  const reports: LineReport[] = [];
  const plans: (LinePlan | null)[] = [];
  const validLines: number[] = [];
  validated.lines.forEach((line, index) => {
    if (line.patient) validLines.push(index);
    reports.push(
      line.patient
        ? { line: line.line, patientId: line.patientId, action: 'unchanged' }
        : { line: line.line, patientId: line.patientId, action: 'invalid', errors: line.errors },
    );
    plans.push(null);
  });

  let checked = 0;
  const bulk = validLines.length >= BULK_READ_LINES;
  const [storedPatients, suppressed] = bulk
    ? await Promise.all([readPatients(deps, practice.id), readSuppressions(deps, practice.id)])
    : [null, null];
  const isSuppressed = async (email: string) => {
    const hash = addressHashOf(practice.id, email);
    return suppressed
      ? suppressed.has(hash)
      : (await deps.suppressions.getSuppression(practice.id, hash)) !== null;
  };
  await forEachConcurrently(validLines, options.concurrency ?? DEFAULT_IMPORT_CONCURRENCY, async (index) => {
    const imported = validated.lines[index]?.patient;
    const report = reports[index];
    if (!imported || !report) return;
    const stored = storedPatients
      ? (storedPatients.get(imported.id) ?? null)
      : ((await deps.patients.getPatient(practice.id, imported.id))?.value ?? null);
    const plan = await planLine(deps, practice, imported, stored, now, isSuppressed);
    plans[index] = plan;
    report.action = plan.action;
    if (plan.action === 'update') report.fields = plan.fields;
    if (plan.suppressed) report.suppressed = true;
    options.onProgress?.({ phase: 'checking', done: ++checked, total: validLines.length });
  });

  const invalid = validated.fileErrors.length > 0 || reports.some((r) => r.action === 'invalid');
  const outcome = invalid ? 'invalid' : options.dryRun ? 'dry_run' : 'applied';
  if (outcome === 'applied') {
    const writes = plans.filter((plan): plan is LinePlan => plan !== null && plan.events.length > 0);
    let written = 0;
    await forEachConcurrently(writes, options.concurrency ?? DEFAULT_IMPORT_CONCURRENCY, async (plan) => {
      // One line's events in order (cancellations, the visit, the booking): they touch the same patient.
      for (const event of plan.events) {
        const bodyHash = createHash('sha256').update(JSON.stringify(event), 'utf8').digest('hex');
        await ingestBookingEvent(deps, practice, 'generic', event, bodyHash);
      }
      options.onProgress?.({ phase: 'writing', done: ++written, total: writes.length });
    });
  }

  const count = (action: LineAction) => reports.filter((r) => r.action === action).length;
  const result: ImportReport = {
    practiceId: practice.id,
    outcome,
    dryRun: options.dryRun,
    encoding,
    separator: validated.separator,
    columns: validated.columns,
    ignoredColumns: validated.ignoredColumns,
    fileErrors: validated.fileErrors,
    totals: {
      lines: reports.length,
      create: count('create'),
      update: count('update'),
      unchanged: count('unchanged'),
      invalid: count('invalid'),
      suppressed: reports.filter((r) => r.suppressed).length,
    },
    lines: reports,
  };
  deps.log.info('patient import', {
    practiceId: practice.id,
    outcome,
    lines: result.totals.lines,
    created: result.totals.create,
    updated: result.totals.update,
    unchanged: result.totals.unchanged,
    invalid: result.totals.invalid,
    durationInMs: Math.round(performance.now() - startedMs),
  });
  return result;
}

interface LinePlan {
  action: 'create' | 'update' | 'unchanged';
  fields: ImportField[];
  suppressed: boolean;
  events: BookingEvent[];
}

async function readPatients(deps: Deps, practiceId: string): Promise<Map<string, Patient>> {
  const found = new Map<string, Patient>();
  for await (const patient of deps.patients.listPatients(practiceId)) found.set(patient.id, patient);
  return found;
}

async function readSuppressions(deps: Deps, practiceId: string): Promise<Set<string>> {
  const found = new Set<string>();
  for await (const entry of deps.suppressions.listSuppressions(practiceId)) found.add(entry.addressHash);
  return found;
}

async function planLine(
  deps: Deps,
  practice: Practice,
  imported: ImportedPatient,
  storedPatient: Patient | null,
  now: Date,
  isSuppressed: (email: string) => Promise<boolean>,
): Promise<LinePlan> {
  // The stored summary (last visit, next booking) answers most lines; the appointments are listed only
  // when the file's next appointment is not the booking already known.
  const stored = storedPatient && (await refreshVisits(deps, storedPatient, now));
  const appointments: Appointment[] = [];
  const next = imported.nextBookingAt;
  if (stored && next && !(stored.nextBookingAt && isSameBooking(practice, next, stored.nextBookingAt))) {
    for await (const a of deps.appointments.listAppointments(practice.id, imported.id)) appointments.push(a);
  }
  const plan = changesOf(practice, imported, stored, appointments, now);
  // Reported only; ingestBookingEvent checks the list again when it writes the address.
  const email = plan.profile.email;
  const suppressed =
    email !== undefined && email !== null && !stored?.suppressed && (await isSuppressed(email));
  return { ...plan, suppressed };
}

type ProfileFields = Omit<PatientFields, 'id' | 'progressNote' | 'plan'>;

/** A date alone matches any time that day (practice time); a date-time, that instant. */
function isSameBooking(practice: Practice, next: ImportDate, startsAt: string): boolean {
  return next.hasTime
    ? Date.parse(startsAt) === Date.parse(next.at)
    : localDateOf(startsAt, practice.timeZone) === next.date;
}

/**
 * What a valid line changes, and the booking events that make the change. Profile cells that differ
 * become the events' patient fields (only those, so an unchanged consent keeps its date and source).
 * The last visit becomes a completed appointment unless the patient's last visit is that day or later.
 * The next appointment becomes a booked one unless the patient's next booking is at that time (that
 * day, for a date alone) or `appointments` hold such a booking; a future booking an earlier import made
 * that `appointments` show and the file no longer does is cancelled. `stored` must have its visits
 * derived (refreshVisits); `appointments` matter only when its next booking is not the file's.
 */
export function changesOf(
  practice: Practice,
  imported: ImportedPatient,
  stored: Patient | null,
  appointments: readonly Appointment[],
  now: Date,
): Omit<LinePlan, 'suppressed'> & { profile: ProfileFields } {
  const profile: ProfileFields = {};
  const fields: ImportField[] = [];
  const differs = <K extends keyof ProfileFields>(
    field: K & ImportField,
    value: ProfileFields[K],
    same: boolean,
  ) => {
    if (same) return;
    profile[field] = value;
    fields.push(field);
  };
  if (imported.firstName !== undefined)
    differs('firstName', imported.firstName, stored?.firstName?.normalize('NFC') === imported.firstName);
  if (imported.email !== undefined) differs('email', imported.email, stored?.email === imported.email);
  if (imported.locale !== undefined)
    differs('locale', imported.locale, stored !== null && stored.locale === imported.locale);
  if (imported.therapistId !== undefined)
    differs('therapistId', imported.therapistId, stored?.therapistId === imported.therapistId);
  if (imported.emailConsent !== undefined) {
    differs(
      'emailConsent',
      { granted: imported.emailConsent, at: null, source: 'import' },
      stored?.emailConsent.granted === imported.emailConsent,
    );
  }
  if (imported.careStatus !== undefined)
    differs('careStatus', imported.careStatus, stored?.careStatus === imported.careStatus);
  if (imported.contactPreference !== undefined) {
    differs(
      'contactPreference',
      imported.contactPreference,
      stored?.contactPreference === imported.contactPreference,
    );
  }
  if (imported.focusArea !== undefined)
    differs('focusArea', imported.focusArea, stored?.focusArea === imported.focusArea);

  const appointmentChanges: { type: BookingEventType; id: string; startsAt: string }[] = [];
  const nextBooking = imported.nextBookingAt;
  const known = stored?.nextBookingAt;
  if (nextBooking && !(known && isSameBooking(practice, nextBooking, known))) {
    const matches = (a: Appointment) => isSameBooking(practice, nextBooking, a.startsAt);
    for (const a of appointments) {
      const superseded =
        a.id.startsWith(NEXT_ID_PREFIX) &&
        a.status === 'booked' &&
        Date.parse(a.startsAt) > now.getTime() &&
        !matches(a);
      if (superseded)
        appointmentChanges.push({ type: 'appointment.cancelled', id: a.id, startsAt: a.startsAt });
    }
    if (!appointments.some((a) => a.status === 'booked' && matches(a))) {
      appointmentChanges.push({
        type: 'appointment.booked',
        id: `${NEXT_ID_PREFIX}${compactInstant(nextBooking.at)}`,
        startsAt: nextBooking.at,
      });
    }
  }
  const lastVisit = imported.lastVisitAt;
  if (lastVisit) {
    const lastKnown = stored?.lastVisitAt;
    if (!lastKnown || localDateOf(lastKnown, practice.timeZone) < lastVisit.date) {
      // Before the booking, so that the patient's history reads in order.
      appointmentChanges.unshift({
        type: 'appointment.completed',
        id: `${VISIT_ID_PREFIX}${lastVisit.date.replaceAll('-', '')}`,
        startsAt: lastVisit.at,
      });
    }
  }
  if (lastVisit && appointmentChanges.some((c) => c.type === 'appointment.completed'))
    fields.push('lastVisitAt');
  if (appointmentChanges.some((c) => c.type !== 'appointment.completed')) fields.push('nextBookingAt');

  const action = !stored ? 'create' : fields.length > 0 ? 'update' : 'unchanged';
  if (action === 'unchanged') return { action, fields: [], events: [], profile };

  const occurredAt = now.toISOString();
  const patient = { id: imported.id, ...profile };
  // The state the line applies to is part of the id: a later import of the same line, after the patient
  // changed meanwhile, is a new event and not a duplicate of the first.
  const eventId = (kind: string) =>
    `import:${createHash('sha256')
      .update(JSON.stringify([practice.id, imported, kind, stored?.updatedAt ?? null]), 'utf8')
      .digest('hex')
      .slice(0, 40)}`;
  const events: BookingEvent[] = appointmentChanges.map((change) => ({
    id: eventId(`${change.type}/${change.id}`),
    type: change.type,
    occurredAt,
    patient,
    appointment: {
      id: change.id,
      startsAt: change.startsAt,
      therapistId: imported.therapistId ?? stored?.therapistId ?? null,
    },
  }));
  if (events.length === 0)
    events.push({ id: eventId('patient.upserted'), type: 'patient.upserted', occurredAt, patient });
  return { action, fields: action === 'update' ? fields : [], events, profile };
}

/** `2027-01-10T13:00:00.000Z` -> `20270110T130000Z`: a readable, id-safe instant. */
function compactInstant(iso: string): string {
  return new Date(iso)
    .toISOString()
    .replace(/\.\d{3}/, '')
    .replace(/[-:]/g, '');
}
