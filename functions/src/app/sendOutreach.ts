// Sends one planned email: claim the ledger row, re-check eligibility, render, send, record. Exactly once.
import { whyIneligible } from '../core/eligibility';
import { isReengageError, ReengageError } from '../core/errors';
import { hashForLog } from '../core/ids';
import type { OutreachRow } from '../core/model';
import type { SendRequest, Versioned } from '../core/ports';
import { buildEmail, buildLinks, buildRenderContext } from './composeEmail';
import type { Deps } from './deps';
import { renderOutreachEmail } from './templateOverrides';

/** A claim older than this is presumed dead; its fate is then asked of the transport, never guessed. */
export const CLAIM_TIMEOUT_MS = 10 * 60_000;
/** failureReason of a row whose last send attempt ended without an answer: ACS may or may not have it. */
export const IN_DOUBT = 'in_doubt';
/**
 * How long after an attempt ended in doubt the transport's "unknown" is believed: beyond the time ACS may
 * still take a request whose client gave up. It equals the host's retry delay (host.json visibilityTimeout),
 * so a redelivery after a failure is never held back; a duplicate delivery arriving sooner looks again later
 * instead of sending a second time.
 */
export const IN_DOUBT_SETTLE_MS = 2 * 60_000;
/** Early deliveries within this margin are sent rather than re-scheduled (queue timers are not exact). */
const EARLY_MARGIN_MS = 60_000;

export type SendResult =
  | 'sent'
  | 'skipped'
  | 'failed'
  | 'throttled'
  | 'rescheduled'
  | 'in_progress'
  | 'already_done'
  | 'not_found';

export async function sendOutreach(deps: Deps, request: SendRequest): Promise<SendResult> {
  const now = deps.clock.now();
  const current = await deps.ledger.getOutreach(request.practiceId, request.outreachId);
  if (!current) {
    deps.log.warn('send request for an unknown ledger row', { practiceId: request.practiceId });
    return 'not_found';
  }
  const row = current.value;
  const log = { practiceId: row.practiceId, outreach: row.operationId, template: row.templateId };
  if (row.status === 'planned' && Date.parse(row.notBefore) - now.getTime() > EARLY_MARGIN_MS) {
    await deps.scheduler.scheduleSend({ ...request, notBefore: row.notBefore }, new Date(row.notBefore));
    return 'rescheduled';
  }
  let claimed: Versioned<OutreachRow>;
  if (row.status === 'planned') {
    const won = await claim(deps, current, now);
    if (!won) return 'in_progress';
    claimed = won;
  } else if (row.status === 'sending') {
    const claimedAt = row.claimedAt ? Date.parse(row.claimedAt) : Number.NEGATIVE_INFINITY;
    if (row.failureReason !== IN_DOUBT && now.getTime() - claimedAt < CLAIM_TIMEOUT_MS) {
      // Another worker holds the row (or this is a duplicate delivery): look again once its claim expires.
      const lookAgain = new Date(claimedAt + CLAIM_TIMEOUT_MS + 1_000);
      await deps.scheduler.scheduleSend({ ...request, notBefore: lookAgain.toISOString() }, lookAgain);
      return 'in_progress';
    }
    const fate = await deps.sender.getStatus(row.operationId);
    if (fate === 'succeeded' || fate === 'running') {
      await record(deps, current, {
        status: 'sent',
        // The claim time is when the transport took it (to within the request), not when we found out.
        sentAt: row.claimedAt ?? now.toISOString(),
        claimedAt: null,
        failureReason: null,
      });
      deps.log.info('stale claim resolved: the transport had accepted it', log);
      return 'sent';
    }
    if (fate === 'failed') {
      await record(deps, current, { status: 'failed', failureReason: 'transport_failed', claimedAt: null });
      return 'failed';
    }
    if (now.getTime() - claimedAt < IN_DOUBT_SETTLE_MS) {
      // Unknown to the transport so far, but the attempt that left the row in doubt may still be taken (a
      // request can land after its client gave up): only an answer after the settling time means it never was.
      const lookAgain = new Date(claimedAt + IN_DOUBT_SETTLE_MS + 1_000);
      await deps.scheduler.scheduleSend({ ...request, notBefore: lookAgain.toISOString() }, lookAgain);
      return 'in_progress';
    }
    // Never accepted: safe to send with the same operation id.
    const reclaimed = await claim(deps, current, now);
    if (!reclaimed) return 'in_progress';
    claimed = reclaimed;
  } else {
    return 'already_done';
  }
  return deliver(deps, request, claimed);
}

async function claim(
  deps: Deps,
  current: Versioned<OutreachRow>,
  now: Date,
): Promise<Versioned<OutreachRow>> {
  const value: OutreachRow = {
    ...current.value,
    status: 'sending',
    claimedAt: now.toISOString(),
    attempts: current.value.attempts + 1,
  };
  // A lost race throws precondition_failed: the host redelivers and the winner's state decides.
  const etag = await deps.ledger.updateOutreach(value, current.etag);
  return { value, etag };
}

async function record(
  deps: Deps,
  current: Versioned<OutreachRow>,
  change: Partial<OutreachRow>,
): Promise<Versioned<OutreachRow>> {
  const value = { ...current.value, ...change };
  const etag = await deps.ledger.updateOutreach(value, current.etag);
  return { value, etag };
}

async function deliver(
  deps: Deps,
  request: SendRequest,
  claimed: Versioned<OutreachRow>,
): Promise<SendResult> {
  const now = deps.clock.now();
  const row = claimed.value;
  const log = { practiceId: row.practiceId, outreach: row.operationId, template: row.templateId };
  const [practice, patient] = await Promise.all([
    deps.practices.getPractice(row.practiceId),
    deps.patients.getPatient(row.practiceId, row.patientId),
  ]);
  if (!practice || !patient) {
    await record(deps, claimed, { status: 'skipped:patient_deleted', claimedAt: null });
    return 'skipped';
  }
  const lapseEpisodeKey = patient.value.touchLog.find((t) => t.outreachId === row.id)?.episodeKey ?? null;
  const reason = whyIneligible({
    practice: practice.value,
    patient: patient.value,
    at: now,
    episodeKey: lapseEpisodeKey,
    plannedAt: row.plannedAt,
    outreachId: row.id,
  });
  if (reason) {
    await record(deps, claimed, { status: `skipped:${reason}`, failureReason: reason, claimedAt: null });
    deps.log.info('outreach skipped at send time', { ...log, reason });
    return 'skipped';
  }
  const therapist = row.therapistId
    ? await deps.practices.getTherapist(row.practiceId, row.therapistId)
    : null;
  const links = buildLinks(deps.links, row.practiceId, row, now);
  let email: ReturnType<typeof buildEmail>;
  try {
    const context = buildRenderContext(practice.value, therapist, patient.value, row, links, now);
    const rendered = await renderOutreachEmail(deps, row, context);
    email = buildEmail(practice.value, therapist, patient.value, row, rendered, links);
  } catch (error) {
    if (!isReengageError(error, 'render_failed')) throw error;
    await record(deps, claimed, { status: 'failed', failureReason: 'render_failed', claimedAt: null });
    deps.log.error('template failed to render', log);
    return 'failed';
  }
  await deps.messageIndex.upsertMessage({
    messageId: row.operationId,
    practiceId: row.practiceId,
    outreachId: row.id,
  });
  let outcome: Awaited<ReturnType<typeof deps.sender.send>>;
  try {
    outcome = await deps.sender.send(email, row.operationId);
  } catch (error) {
    if (isReengageError(error) && error.retryable) {
      // The transport may or may not have taken it: mark the row in doubt so the redelivery asks the
      // transport at once (by operation id) instead of waiting for the claim to expire. claimedAt becomes
      // the end of the attempt, which the settling time counts from, however long the worker took to send.
      await record(deps, claimed, {
        failureReason: IN_DOUBT,
        claimedAt: deps.clock.now().toISOString(),
      }).catch(() => undefined);
    }
    throw error;
  }
  switch (outcome.kind) {
    case 'accepted':
      await record(deps, claimed, { status: 'sent', sentAt: now.toISOString(), claimedAt: null });
      deps.log.info('outreach sent', { ...log, recipientRef: hashForLog(patient.value.email ?? '') });
      return 'sent';
    case 'throttled': {
      await record(deps, claimed, { status: 'planned', claimedAt: null });
      const retryAt = new Date(now.getTime() + outcome.retryAfterMs);
      await deps.scheduler.scheduleSend({ ...request, notBefore: retryAt.toISOString() }, retryAt);
      deps.log.warn('transport throttled; re-queued', { ...log, retryAfterMs: outcome.retryAfterMs });
      return 'throttled';
    }
    case 'rejected':
      await record(deps, claimed, {
        status: 'failed',
        failureReason: `rejected:${outcome.code}`,
        claimedAt: null,
      });
      deps.log.error('transport rejected the email', { ...log, code: outcome.code });
      return 'failed';
  }
}

export function parseSendRequest(body: unknown): SendRequest {
  if (typeof body !== 'object' || body === null)
    throw new ReengageError('invalid_input', 'send request must be an object');
  const { v, practiceId, outreachId, notBefore } = body as Record<string, unknown>;
  if (
    v !== 1 ||
    typeof practiceId !== 'string' ||
    typeof outreachId !== 'string' ||
    typeof notBefore !== 'string'
  ) {
    throw new ReengageError(
      'invalid_input',
      'send request must have v=1, practiceId, outreachId and notBefore',
    );
  }
  return { v: 1, practiceId, outreachId, notBefore };
}
