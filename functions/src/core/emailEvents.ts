// ACS email delivery and engagement reports, as Event Grid or CloudEvents 1.0 envelopes, validated with zod.
//
// Event Grid puts one event per queue message; an array (the Event Grid webhook shape) is accepted too.
// A message is taken whole or not at all: one bad event makes the whole message malformed, so an
// operator re-drives it as it came once the cause is known (applying a report twice changes nothing).
import { z } from 'zod';
import type { OutreachRow, OutreachStatus } from './model';

export const DELIVERY_REPORT_TYPE = 'Microsoft.Communication.EmailDeliveryReportReceived';
export const ENGAGEMENT_REPORT_TYPE = 'Microsoft.Communication.EmailEngagementTrackingReportReceived';

/** ACS delivery statuses, spelled as ACS documents them; reports are matched case-insensitively. */
export const DELIVERY_STATUSES = [
  'Delivered',
  'Expanded',
  'Failed',
  'Bounced',
  'Suppressed',
  'Quarantined',
  'FilteredSpam',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export type EngagementType = 'view' | 'click';

export interface DeliveryReport {
  kind: 'delivery';
  eventId: string;
  /** The ACS message id, which is the operation id the app sent with. */
  messageId: string;
  status: DeliveryStatus;
  /** Personal data: used only to key the suppression list, never logged or stored as such. */
  recipient: string;
  /** When ACS tried to deliver (ISO, UTC); the event time when the report has none. */
  at: string;
}

export interface EngagementReport {
  kind: 'engagement';
  eventId: string;
  messageId: string;
  engagement: EngagementType;
  /** When the recipient opened or clicked (ISO, UTC); the event time when the report has none. */
  at: string;
}

export type EmailEvent = DeliveryReport | EngagementReport;

export type ParsedEmailEvents =
  | {
      ok: true;
      events: EmailEvent[];
      /** Well-formed events of other types (the subscription should filter them out): skipped. */
      ignoredTypes: string[];
    }
  | { ok: false; error: string };

/** Refuses more than this many events in one message: Event Grid sends one per queue message. */
export const MAX_EVENTS_PER_MESSAGE = 100;

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * ISO 8601 instants as ACS writes them (up to 7 fractional digits, `Z` or an offset), normalised to
 * `toISOString()`. A time without a zone is UTC, as every ACS and Event Grid time is.
 */
export function normalizeInstant(text: string): string | null {
  const match = ISO_DATE_TIME.exec(text.trim());
  if (!match) return null;
  const zone = match[1];
  let iso = text.trim();
  if (!zone) iso += 'Z';
  else if (/^[+-]\d{4}$/.test(zone)) iso = `${iso.slice(0, -4)}${zone.slice(1, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

const instant = z
  .string()
  .max(64)
  .transform((text, ctx) => {
    const normalized = normalizeInstant(text);
    if (normalized === null) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 date-time' });
      return z.NEVER;
    }
    return normalized;
  });

// ACS message ids are UUIDs; the bound keeps the MessageIndex key within Table Storage's limit.
const messageId = z.string().trim().min(1, 'must not be empty').max(128);
const eventId = z.string().trim().min(1, 'must not be empty').max(256);

const deliveryStatus = z
  .string()
  .max(64)
  .transform((text, ctx) => {
    const found = DELIVERY_STATUSES.find((status) => status.toLowerCase() === text.trim().toLowerCase());
    if (!found) {
      ctx.addIssue({ code: 'custom', message: `must be one of ${DELIVERY_STATUSES.join(', ')}` });
      return z.NEVER;
    }
    return found;
  });

const deliveryData = z.object({
  messageId,
  status: deliveryStatus,
  recipient: z.string().trim().min(3, 'must be an address').max(320),
  // Both spellings occur: the SDK models say deliveryAttemptTimestamp, ACS's samples deliveryAttemptTimeStamp.
  deliveryAttemptTimestamp: instant.optional(),
  deliveryAttemptTimeStamp: instant.optional(),
});

const engagementKind = z
  .string()
  .max(32)
  .transform((text, ctx) => {
    const kind = text.trim().toLowerCase();
    if (kind !== 'view' && kind !== 'click') {
      ctx.addIssue({ code: 'custom', message: 'must be view or click' });
      return z.NEVER;
    }
    return kind as EngagementType;
  });

const engagementData = z
  .object({
    messageId,
    // The wire name is engagementType; the SDK models call it engagement.
    engagementType: engagementKind.optional(),
    engagement: engagementKind.optional(),
    userActionTimestamp: instant.optional(),
  })
  .refine((data) => data.engagementType ?? data.engagement, {
    message: 'engagementType is required',
    path: ['engagementType'],
  });

const eventGridEvent = z.object({
  id: eventId,
  eventType: z.string().min(1).max(256),
  eventTime: instant,
  data: z.unknown(),
});

const cloudEvent = z.object({
  specversion: z.literal('1.0', 'must be "1.0"'),
  id: eventId,
  type: z.string().min(1).max(256),
  time: instant.optional(),
  data: z.unknown(),
});

interface Envelope {
  id: string;
  type: string;
  time: string | null;
  data: unknown;
}

type Step<T> = { ok: true; value: T } | { ok: false; error: string };

function describe(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((issue) => `${[prefix, ...issue.path.map(String)].filter(Boolean).join('.')}: ${issue.message}`)
    .join('; ');
}

function envelopeOf(candidate: unknown, where: string): Step<Envelope> {
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
    return { ok: false, error: `${where}: not an event object` };
  }
  if ('specversion' in candidate) {
    const parsed = cloudEvent.safeParse(candidate);
    if (!parsed.success) return { ok: false, error: describe(parsed.error, where) };
    const { id, type, time, data } = parsed.data;
    return { ok: true, value: { id, type, time: time ?? null, data } };
  }
  if ('eventType' in candidate) {
    const parsed = eventGridEvent.safeParse(candidate);
    if (!parsed.success) return { ok: false, error: describe(parsed.error, where) };
    const { id, eventType, eventTime, data } = parsed.data;
    return { ok: true, value: { id, type: eventType, time: eventTime, data } };
  }
  return {
    ok: false,
    error: `${where}: neither an Event Grid event (eventType) nor a CloudEvent (specversion)`,
  };
}

function eventOf(envelope: Envelope, where: string): Step<EmailEvent | null> {
  if (envelope.type === DELIVERY_REPORT_TYPE) {
    const parsed = deliveryData.safeParse(envelope.data);
    if (!parsed.success) return { ok: false, error: describe(parsed.error, `${where}.data`) };
    const d = parsed.data;
    const at = d.deliveryAttemptTimestamp ?? d.deliveryAttemptTimeStamp ?? envelope.time;
    if (!at)
      return { ok: false, error: `${where}.data.deliveryAttemptTimestamp: required without an event time` };
    return {
      ok: true,
      value: {
        kind: 'delivery',
        eventId: envelope.id,
        messageId: d.messageId,
        status: d.status,
        recipient: d.recipient,
        at,
      },
    };
  }
  if (envelope.type === ENGAGEMENT_REPORT_TYPE) {
    const parsed = engagementData.safeParse(envelope.data);
    if (!parsed.success) return { ok: false, error: describe(parsed.error, `${where}.data`) };
    const d = parsed.data;
    const engagement = d.engagementType ?? d.engagement;
    const at = d.userActionTimestamp ?? envelope.time;
    if (!at) return { ok: false, error: `${where}.data.userActionTimestamp: required without an event time` };
    if (!engagement) return { ok: false, error: `${where}.data.engagementType: required` };
    return {
      ok: true,
      value: { kind: 'engagement', eventId: envelope.id, messageId: d.messageId, engagement, at },
    };
  }
  return { ok: true, value: null };
}

/**
 * Reads the decoded JSON of one `email-events` message. Errors name the field and the rule broken,
 * never a value (the recipient address must not reach a log).
 */
export function parseEmailEvents(body: unknown): ParsedEmailEvents {
  const candidates = Array.isArray(body) ? body : [body];
  if (candidates.length === 0) return { ok: false, error: 'the message is an empty array' };
  if (candidates.length > MAX_EVENTS_PER_MESSAGE) {
    return { ok: false, error: `the message holds more than ${MAX_EVENTS_PER_MESSAGE} events` };
  }
  const events: EmailEvent[] = [];
  const ignoredTypes: string[] = [];
  for (const [index, candidate] of candidates.entries()) {
    const where = Array.isArray(body) ? `[${index}]` : 'event';
    const envelope = envelopeOf(candidate, where);
    if (!envelope.ok) return envelope;
    const event = eventOf(envelope.value, where);
    if (!event.ok) return event;
    if (event.value) events.push(event.value);
    else ignoredTypes.push(envelope.value.type);
  }
  return { ok: true, events, ignoredTypes };
}

/** The ledger status each ACS status leads to; null keeps the row's status (Expanded: a list was expanded). */
const STATUS_AFTER: Record<DeliveryStatus, OutreachStatus | null> = {
  Delivered: 'delivered',
  Expanded: null,
  Failed: 'failed',
  Bounced: 'bounced',
  Suppressed: 'bounced',
  Quarantined: 'failed',
  FilteredSpam: 'failed',
};

/** Statuses after which the address must never be written to again. */
export function suppressionReasonOf(status: DeliveryStatus): 'bounced' | 'suppressed' | null {
  if (status === 'Bounced') return 'bounced';
  if (status === 'Suppressed') return 'suppressed';
  return null;
}

function neverSent(row: OutreachRow): boolean {
  return row.status === 'held_out' || row.status.startsWith('skipped:');
}

/**
 * The row after a delivery report, or null when the report changes nothing: it is not newer than the
 * last one applied (a duplicate, or a late older report), or the row was never sent. Reports only move
 * forward in time, so an old "Delivered" arriving late never undoes a bounce.
 */
export function withDeliveryReport(row: OutreachRow, report: DeliveryReport): OutreachRow | null {
  if (neverSent(row)) return null;
  if (row.deliveryAt && Date.parse(report.at) <= Date.parse(row.deliveryAt)) return null;
  // A report proves ACS took the email: a row still claimed (a worker that died, or a report faster than
  // the worker's own write) is settled here, and its queue message then finds it done, never sends again.
  const inFlight = row.status === 'planned' || row.status === 'sending';
  return {
    ...row,
    status: STATUS_AFTER[report.status] ?? (inFlight ? 'sent' : row.status),
    deliveryStatus: report.status,
    deliveryAt: report.at,
    sentAt: row.sentAt ?? row.claimedAt ?? report.at,
    claimedAt: inFlight ? null : row.claimedAt,
  };
}

/**
 * The row after an engagement report, or null when it changes nothing. Only the first open and the
 * first click are kept: order-independent, and a report applied twice changes nothing.
 */
export function withEngagementReport(row: OutreachRow, report: EngagementReport): OutreachRow | null {
  if (neverSent(row)) return null;
  const field = report.engagement === 'view' ? 'viewedAt' : 'clickedAt';
  const known = row[field];
  if (known && Date.parse(known) <= Date.parse(report.at)) return null;
  return { ...row, [field]: report.at };
}
