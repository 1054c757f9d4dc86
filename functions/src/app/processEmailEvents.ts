// Applies ACS delivery and engagement reports to the ledger; a bounce puts the address on the suppression list.
import {
  type DeliveryReport,
  type EmailEvent,
  type EngagementReport,
  type ParsedEmailEvents,
  suppressionReasonOf,
  withDeliveryReport,
  withEngagementReport,
} from '../core/emailEvents';
import { addressHashOf, hashForLog } from '../core/ids';
import type { OutreachRow } from '../core/model';
import type { MessageIndexEntry } from '../core/ports';
import type { Deps } from './deps';
import { savePatient, withOptimisticRetry } from './patientRecords';

export type EmailEventOutcome = 'applied' | 'unchanged' | 'unknown_message';

export type EmailEventsResult =
  | { kind: 'poisoned'; reason: string }
  | { kind: 'processed'; outcomes: EmailEventOutcome[]; ignored: number };

/**
 * One `email-events` message. A malformed one cannot get better by retrying: it goes to
 * `email-events-poison` at once, unchanged, and the message completes (the host would otherwise try it
 * five times, two minutes apart, before moving it there itself). Only storage failures throw, so the
 * host retries those. Every step is idempotent: a report applied twice changes nothing.
 */
export async function processEmailEvents(
  deps: Deps,
  parsed: ParsedEmailEvents,
  messageText: () => string,
): Promise<EmailEventsResult> {
  if (!parsed.ok) {
    await deps.emailEventsPoison.sendPoisonMessage(messageText());
    // The reason names fields and rules, never values: the message may carry a recipient address.
    deps.log.error('malformed email event moved to email-events-poison', { reason: parsed.error });
    return { kind: 'poisoned', reason: parsed.error };
  }
  for (const type of parsed.ignoredTypes) {
    deps.log.warn('email event of an unexpected type ignored', { type: type.slice(0, 120) });
  }
  const outcomes: EmailEventOutcome[] = [];
  for (const event of parsed.events) outcomes.push(await applyEmailEvent(deps, event));
  return { kind: 'processed', outcomes, ignored: parsed.ignoredTypes.length };
}

async function applyEmailEvent(deps: Deps, event: EmailEvent): Promise<EmailEventOutcome> {
  const entry = await deps.messageIndex.getMessage(event.messageId);
  const current = entry && (await deps.ledger.getOutreach(entry.practiceId, entry.outreachId));
  if (!entry || !current) {
    // Emails sent by something else on the same ACS resource, or rows erased before their report came.
    deps.log.warn('email event for an unknown message', {
      kind: event.kind,
      messageRef: hashForLog(event.messageId),
    });
    return 'unknown_message';
  }
  if (event.kind === 'delivery') {
    if (!withDeliveryReport(current.value, event)) return 'unchanged';
    const reason = suppressionReasonOf(event.status);
    // Suppressed before the row records the report: if this dies half-way, the redelivery still sees
    // the row unchanged and does it all again.
    if (reason) await suppressAddress(deps, current.value, event, reason);
    return updateRow(deps, entry, (row) => withDeliveryReport(row, event), event);
  }
  return updateRow(deps, entry, (row) => withEngagementReport(row, event), event);
}

async function updateRow(
  deps: Deps,
  entry: MessageIndexEntry,
  change: (row: OutreachRow) => OutreachRow | null,
  event: DeliveryReport | EngagementReport,
): Promise<EmailEventOutcome> {
  return withOptimisticRetry(async () => {
    const current = await deps.ledger.getOutreach(entry.practiceId, entry.outreachId);
    if (!current) return 'unknown_message';
    const next = change(current.value);
    if (!next) return 'unchanged';
    await deps.ledger.updateOutreach(next, current.etag);
    deps.log.info('email event applied', {
      practiceId: next.practiceId,
      outreach: next.operationId,
      kind: event.kind,
      detail: event.kind === 'delivery' ? event.status : event.engagement,
      status: next.status,
    });
    return 'applied';
  });
}

/**
 * The address goes on the practice's suppression list (as a salted hash, so it outlives erasure), and the
 * patient is flagged if that is still their address. An existing entry keeps its first reason.
 */
async function suppressAddress(
  deps: Deps,
  row: OutreachRow,
  report: DeliveryReport,
  reason: 'bounced' | 'suppressed',
): Promise<void> {
  const addressHash = addressHashOf(row.practiceId, report.recipient);
  const existing = await deps.suppressions.getSuppression(row.practiceId, addressHash);
  if (!existing) {
    await deps.suppressions.upsertSuppression({
      practiceId: row.practiceId,
      addressHash,
      reason,
      at: report.at,
    });
  }
  await withOptimisticRetry(async () => {
    const patient = await deps.patients.getPatient(row.practiceId, row.patientId);
    if (!patient || patient.value.suppressed || !patient.value.email) return;
    // The patient may have given another address since this email left.
    if (addressHashOf(row.practiceId, patient.value.email) !== addressHash) return;
    const practice = await deps.practices.getPractice(row.practiceId);
    if (!practice) return;
    const now = deps.clock.now();
    await savePatient(deps, practice.value, { ...patient.value, suppressed: true }, patient.etag, now);
    deps.log.info('patient suppressed after a bounce', {
      practiceId: row.practiceId,
      patientRef: hashForLog(`${row.practiceId}/${row.patientId}`),
      reason,
    });
  });
}
