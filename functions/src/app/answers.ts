// A patient's answers through the signed links of an email: book, not now, feedback, unsubscribe (SPEC §4, §9).
//
// Mail security scanners open every link of an email. So a GET never changes anything except the click
// record of a `book` link (the patient is being sent to the booking page anyway); pausing, feedback and
// unsubscribing happen only on a POST, which scanners do not send. A `later` or `feedback` GET records
// nothing at all, not even a click: a scanner's visit must not read as the patient's answer.
import { addressHashOf, hashForLog, isValidId } from '../core/ids';
import type { Locale, OutreachResponse, OutreachRow, Patient } from '../core/model';
import type { Versioned } from '../core/ports';
import { type LinkAction, type LinkToken, verifyToken } from '../core/tokens';
import { checkFeedbackForm, type FeedbackFormValues, type FeedbackProblem } from './answerForms';
import type { Deps } from './deps';
import { withOptimisticRetry } from './patientRecords';

export const PAUSE_DAYS = 90;
const DAY_MS = 86_400_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The three HTTP functions that take answer links, and the link actions each one accepts. */
export type AnswerRoute = 'respond' | 'feedback' | 'unsubscribe';
const ROUTE_ACTIONS: Record<AnswerRoute, readonly LinkAction[]> = {
  respond: ['book', 'later', 'feedback'],
  feedback: ['feedback'],
  unsubscribe: ['unsubscribe'],
};

/** What a page needs to speak to the patient: their email's language and their practice. */
export interface AnswerContext {
  locale: Locale;
  practiceName: string;
  /** The practice's booking page, only when it is a web address. */
  bookingUrl: string | null;
  timeZone: string;
  /** The verified token, for the pages' form actions. */
  token: string;
}

export interface FeedbackFormState {
  values: FeedbackFormValues;
  problems: FeedbackProblem[];
  /** The patient already sent feedback for this email: a new submission replaces it. */
  answeredBefore: boolean;
}

/** The outcome of an answer, as the page (or redirect) to show. */
export type AnswerView =
  | { kind: 'redirect'; status: 302 | 303; location: string }
  | { kind: 'invalid_link'; status: 400; route: AnswerRoute }
  | { kind: 'unknown_link'; status: 404; route: AnswerRoute }
  | { kind: 'expired_link'; status: 410; action: LinkAction; context: AnswerContext | null }
  | { kind: 'book_unavailable'; status: 200; context: AnswerContext }
  | { kind: 'later_confirm'; status: 200; context: AnswerContext }
  | { kind: 'later_done'; status: 200; context: AnswerContext; pausedUntil: string }
  | { kind: 'feedback_form'; status: 200 | 400; context: AnswerContext; form: FeedbackFormState }
  | { kind: 'feedback_thanks'; status: 200; context: AnswerContext; updated: boolean }
  | { kind: 'unsubscribe_confirm'; status: 200; context: AnswerContext }
  | { kind: 'unsubscribe_done'; status: 200; context: AnswerContext };

interface Link {
  token: LinkToken;
  row: OutreachRow;
  context: AnswerContext;
}

type Resolution = { ok: true; link: Link } | { ok: false; view: AnswerView };

/**
 * Verifies the token and finds its ledger row: through MessageIndex (the token carries the row's opaque
 * operation id), whose practice must be the token's, so a token of practice A never acts on practice B.
 * Every refusal happens before any write.
 */
async function resolveLink(deps: Deps, raw: string, route: AnswerRoute): Promise<Resolution> {
  const check = verifyToken(raw, deps.links.keys, deps.clock.now());
  if (!check.valid && check.reason !== 'expired') {
    deps.log.warn('answer link refused', { route, reason: check.reason });
    return { ok: false, view: { kind: 'invalid_link', status: 400, route } };
  }
  const token = check.token;
  if (!token || !ROUTE_ACTIONS[route].includes(token.action)) {
    deps.log.warn('answer link refused', { route, reason: 'wrong_route' });
    return { ok: false, view: { kind: 'invalid_link', status: 400, route } };
  }
  const link = await findLink(deps, token, raw);
  // An unsubscribe link is honoured past its expiry when its signature is ours: stopping emails is always
  // safe, and a patient who digs out an old email to stop them should not be told to find another way.
  if (!check.valid && token.action !== 'unsubscribe') {
    return {
      ok: false,
      view: { kind: 'expired_link', status: 410, action: token.action, context: link?.context ?? null },
    };
  }
  if (!link) {
    deps.log.warn('answer link refused', { route, reason: 'unknown_outreach' });
    return { ok: false, view: { kind: 'unknown_link', status: 404, route } };
  }
  return { ok: true, link };
}

async function findLink(deps: Deps, token: LinkToken, raw: string): Promise<Link | null> {
  if (!isValidId(token.practiceId) || !UUID.test(token.outreachRef)) return null;
  const entry = await deps.messageIndex.getMessage(token.outreachRef);
  if (!entry || entry.practiceId !== token.practiceId) return null;
  const [row, practice] = await Promise.all([
    deps.ledger.getOutreach(entry.practiceId, entry.outreachId),
    deps.practices.getPractice(entry.practiceId),
  ]);
  if (!row || !practice || row.value.operationId !== token.outreachRef) return null;
  return {
    token,
    row: row.value,
    context: {
      locale: row.value.locale,
      practiceName: practice.value.name,
      bookingUrl: webAddress(practice.value.bookingUrl),
      timeZone: practice.value.timeZone,
      token: raw,
    },
  };
}

function webAddress(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/** GET /api/r/{token}: a book click is recorded and redirected; `later` and `feedback` only show a page. */
export async function openAnswerLink(deps: Deps, raw: string): Promise<AnswerView> {
  const resolved = await resolveLink(deps, raw, 'respond');
  if (!resolved.ok) return resolved.view;
  const { link } = resolved;
  switch (link.token.action) {
    case 'book':
      return book(deps, link, 302);
    case 'later':
      return { kind: 'later_confirm', status: 200, context: link.context };
    default:
      return feedbackForm(deps, link);
  }
}

/** POST /api/r/{token}: the confirm button of the `later` page (and, for completeness, the other actions). */
export async function confirmAnswerLink(
  deps: Deps,
  raw: string,
  fields: URLSearchParams,
): Promise<AnswerView> {
  const resolved = await resolveLink(deps, raw, 'respond');
  if (!resolved.ok) return resolved.view;
  const { link } = resolved;
  switch (link.token.action) {
    case 'book':
      return book(deps, link, 303);
    case 'later':
      return pause(deps, link);
    default:
      return saveFeedback(deps, link, fields);
  }
}

/** POST /api/feedback/{token}. */
export async function submitFeedback(deps: Deps, raw: string, fields: URLSearchParams): Promise<AnswerView> {
  const resolved = await resolveLink(deps, raw, 'feedback');
  return resolved.ok ? saveFeedback(deps, resolved.link, fields) : resolved.view;
}

/** GET /api/unsubscribe/{token}: a confirmation page only. */
export async function showUnsubscribe(deps: Deps, raw: string): Promise<AnswerView> {
  const resolved = await resolveLink(deps, raw, 'unsubscribe');
  return resolved.ok
    ? { kind: 'unsubscribe_confirm', status: 200, context: resolved.link.context }
    : resolved.view;
}

/** POST /api/unsubscribe/{token}: RFC 8058 one-click, or the confirmation page's button. Idempotent. */
export async function unsubscribeByLink(deps: Deps, raw: string): Promise<AnswerView> {
  const resolved = await resolveLink(deps, raw, 'unsubscribe');
  if (!resolved.ok) return resolved.view;
  await unsubscribe(deps, resolved.link);
  return { kind: 'unsubscribe_done', status: 200, context: resolved.link.context };
}

async function book(deps: Deps, link: Link, status: 302 | 303): Promise<AnswerView> {
  const now = deps.clock.now();
  if (await recordResponse(deps, link.row, 'book', now)) {
    await updatePatient(deps, link.row, (patient) => answered(patient, now));
  }
  logAnswer(deps, link, 'book');
  const location = link.context.bookingUrl;
  return location
    ? { kind: 'redirect', status, location }
    : { kind: 'book_unavailable', status: 200, context: link.context };
}

async function pause(deps: Deps, link: Link): Promise<AnswerView> {
  const now = deps.clock.now();
  let pausedUntil = new Date(now.getTime() + PAUSE_DAYS * DAY_MS).toISOString();
  await updatePatient(deps, link.row, (patient) => {
    // A second confirmation never shortens a longer pause already in place.
    if (patient.pausedUntil && Date.parse(patient.pausedUntil) > Date.parse(pausedUntil)) {
      pausedUntil = patient.pausedUntil;
    }
    return { ...answered(patient, now), pausedUntil };
  });
  await recordResponse(deps, link.row, 'later', now);
  logAnswer(deps, link, 'later');
  return { kind: 'later_done', status: 200, context: link.context, pausedUntil };
}

async function feedbackForm(deps: Deps, link: Link): Promise<AnswerView> {
  const [patient, existing] = await Promise.all([
    deps.patients.getPatient(link.row.practiceId, link.row.patientId),
    deps.feedback.getFeedback(link.row.practiceId, link.row.id),
  ]);
  // An erased patient's link must not collect new personal data about them.
  if (!patient) return { kind: 'unknown_link', status: 404, route: 'respond' };
  return {
    kind: 'feedback_form',
    status: 200,
    context: link.context,
    form: { values: { rating: '', comment: '' }, problems: [], answeredBefore: existing !== null },
  };
}

async function saveFeedback(deps: Deps, link: Link, fields: URLSearchParams): Promise<AnswerView> {
  const { row } = link;
  const [patient, existing] = await Promise.all([
    deps.patients.getPatient(row.practiceId, row.patientId),
    deps.feedback.getFeedback(row.practiceId, row.id),
  ]);
  if (!patient) return { kind: 'unknown_link', status: 404, route: 'feedback' };
  const check = checkFeedbackForm(fields);
  if (!check.ok) {
    return {
      kind: 'feedback_form',
      status: 400,
      context: link.context,
      form: { values: check.values, problems: check.problems, answeredBefore: existing !== null },
    };
  }
  const now = deps.clock.now();
  await deps.feedback.upsertFeedback({
    practiceId: row.practiceId,
    outreachId: row.id,
    patientId: row.patientId,
    rating: check.rating,
    comment: check.comment,
    // One feedback per email: a second submission replaces the first but keeps when it was first given.
    createdAt: existing?.createdAt ?? now.toISOString(),
    updatedAt: now.toISOString(),
  });
  await recordResponse(deps, row, 'feedback', now);
  await updatePatient(deps, row, (current) => answered(current, now));
  logAnswer(deps, link, 'feedback');
  return { kind: 'feedback_thanks', status: 200, context: link.context, updated: existing !== null };
}

/**
 * Writes the suppression first (it outlives erasure and re-import), then withdraws consent on the patient,
 * then skips every email still planned, then records the answer. Each step is idempotent, so a repeated or
 * interrupted request converges on the same state without writing again.
 */
async function unsubscribe(deps: Deps, link: Link): Promise<void> {
  const now = deps.clock.now();
  const { row } = link;
  const patient = await deps.patients.getPatient(row.practiceId, row.patientId);
  if (patient?.value.email) {
    const addressHash = addressHashOf(row.practiceId, patient.value.email);
    if (!(await deps.suppressions.getSuppression(row.practiceId, addressHash))) {
      await deps.suppressions.upsertSuppression({
        practiceId: row.practiceId,
        addressHash,
        reason: 'unsubscribed',
        at: now.toISOString(),
      });
    }
  }
  await updatePatient(deps, row, (current) => {
    const done =
      current.suppressed && !current.emailConsent.granted && current.emailConsent.source === 'unsubscribe';
    if (done) return null;
    return {
      ...answered(current, now),
      emailConsent: { granted: false, at: now.toISOString(), source: 'unsubscribe' },
      suppressed: true,
    };
  });
  for await (const planned of deps.ledger.listOutreachForPatient(row.practiceId, row.patientId)) {
    if (planned.status !== 'planned') continue;
    await withOptimisticRetry(async () => {
      const current = await deps.ledger.getOutreach(row.practiceId, planned.id);
      if (current?.value.status !== 'planned') return;
      await deps.ledger.updateOutreach(
        { ...current.value, status: 'skipped:unsubscribed', failureReason: 'unsubscribed' },
        current.etag,
      );
    });
  }
  await recordResponse(deps, row, 'unsubscribe', now);
  logAnswer(deps, link, 'unsubscribe');
}

/**
 * The ledger keeps one response per email. A stronger answer replaces a weaker one (unsubscribe over not now
 * or feedback, over a book click), never the reverse; the same answer again changes nothing, so scanners and
 * repeated clicks do not move `respondedAt`.
 */
const RESPONSE_RANK: Record<OutreachResponse, number> = { book: 1, later: 2, feedback: 2, unsubscribe: 3 };

async function recordResponse(
  deps: Deps,
  row: OutreachRow,
  response: OutreachResponse,
  now: Date,
): Promise<boolean> {
  return withOptimisticRetry(async () => {
    const current = await deps.ledger.getOutreach(row.practiceId, row.id);
    if (!current) return false;
    const previous = current.value.response;
    if (previous === response || (previous && RESPONSE_RANK[previous] > RESPONSE_RANK[response]))
      return false;
    await deps.ledger.updateOutreach(
      { ...current.value, response, respondedAt: now.toISOString() },
      current.etag,
    );
    return true;
  });
}

function answered(patient: Patient, now: Date): Patient {
  const at = now.toISOString();
  const lastAnsweredAt =
    patient.lastAnsweredAt && Date.parse(patient.lastAnsweredAt) > now.getTime()
      ? patient.lastAnsweredAt
      : at;
  return { ...patient, lastAnsweredAt, updatedAt: at };
}

/**
 * ETag-conditional read-modify-write of the row's patient; `change` returns null to write nothing. A patient
 * who is gone (deleted by the booking tool, erased) is left gone. The DueIndex is not touched: none of the
 * fields an answer changes moves the patient's next due day.
 */
async function updatePatient(
  deps: Deps,
  row: OutreachRow,
  change: (patient: Patient) => Patient | null,
): Promise<void> {
  await withOptimisticRetry(async () => {
    const current: Versioned<Patient> | null = await deps.patients.getPatient(row.practiceId, row.patientId);
    if (!current) return;
    const next = change(current.value);
    if (next) await deps.patients.updatePatient(next, current.etag);
  });
}

function logAnswer(deps: Deps, link: Link, response: OutreachResponse): void {
  deps.log.info('answer recorded', {
    practiceId: link.row.practiceId,
    outreach: link.row.operationId,
    patientRef: hashForLog(`${link.row.practiceId}/${link.row.patientId}`),
    response,
  });
}
