// ACS delivery and engagement reports: both envelopes, every status, both timestamp spellings, every encoding.
import { describe, expect, it } from 'vitest';
import {
  DELIVERY_REPORT_TYPE,
  type DeliveryReport,
  type DeliveryStatus,
  ENGAGEMENT_REPORT_TYPE,
  type EngagementReport,
  normalizeInstant,
  parseEmailEvents,
  suppressionReasonOf,
  withDeliveryReport,
  withEngagementReport,
} from '../../functions/src/core/emailEvents';
import type { OutreachRow } from '../../functions/src/core/model';
import { messageTextOf, readEmailEvents } from '../../functions/src/functions/processEmailEvents';

const MESSAGE_ID = '5f0c2a54-8e1b-5c3d-9a7f-0b1c2d3e4f50';
const RECIPIENT = 'camille@example.org';

function deliveryData(status: string, extra: Record<string, unknown> = {}) {
  return {
    sender: 'bonjour@tilleuls.example',
    recipient: RECIPIENT,
    messageId: MESSAGE_ID,
    status,
    deliveryStatusDetails: { statusMessage: 'No error.' },
    deliveryAttemptTimeStamp: '2027-01-05T09:31:12.2855749+00:00',
    ...extra,
  };
}

function eventGrid(type: string, data: unknown, extra: Record<string, unknown> = {}) {
  return {
    id: 'eg-1',
    topic: '/subscriptions/x/resourceGroups/rg/providers/microsoft.communication/communicationservices/acs',
    subject: `sender/bonjour@tilleuls.example/message/${MESSAGE_ID}`,
    eventType: type,
    data,
    dataVersion: '1.0',
    metadataVersion: '1',
    eventTime: '2027-01-05T09:31:13.000Z',
    ...extra,
  };
}

function cloudEvent(type: string, data: unknown, extra: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    id: 'ce-1',
    source: '/subscriptions/x/resourceGroups/rg/providers/microsoft.communication/communicationservices/acs',
    type,
    time: '2027-01-05T09:31:13.000Z',
    datacontenttype: 'application/json',
    data,
    ...extra,
  };
}

const envelopes = [
  ['Event Grid', eventGrid],
  ['CloudEvents 1.0', cloudEvent],
] as const;

const STATUSES: DeliveryStatus[] = [
  'Delivered',
  'Expanded',
  'Failed',
  'Bounced',
  'Suppressed',
  'Quarantined',
  'FilteredSpam',
];

function onlyEvent(body: unknown) {
  const parsed = parseEmailEvents(body);
  if (!parsed.ok) throw new Error(`expected a valid message, got: ${parsed.error}`);
  expect(parsed.events).toHaveLength(1);
  return parsed.events[0];
}

function errorOf(body: unknown): string {
  const parsed = parseEmailEvents(body);
  if (parsed.ok) throw new Error('expected a malformed message');
  return parsed.error;
}

describe.each(envelopes)('delivery reports in the %s envelope', (_name, envelope) => {
  it.each(STATUSES)('reads status %s', (status) => {
    expect(onlyEvent(envelope(DELIVERY_REPORT_TYPE, deliveryData(status)))).toEqual({
      kind: 'delivery',
      eventId: envelope === eventGrid ? 'eg-1' : 'ce-1',
      messageId: MESSAGE_ID,
      status,
      recipient: RECIPIENT,
      at: '2027-01-05T09:31:12.285Z',
    });
  });

  it.each([
    ['delivered', 'Delivered'],
    ['BOUNCED', 'Bounced'],
    ['filteredspam', 'FilteredSpam'],
    [' Quarantined ', 'Quarantined'],
    ['sUpPrEsSeD', 'Suppressed'],
  ])('matches status %j case-insensitively as %s', (given, canonical) => {
    expect(onlyEvent(envelope(DELIVERY_REPORT_TYPE, deliveryData(given)))).toMatchObject({
      status: canonical,
    });
  });

  it('reads both spellings of the attempt time, and falls back to the event time without either', () => {
    const camel = deliveryData('Delivered', { deliveryAttemptTimestamp: '2027-01-05T10:31:12+01:00' });
    delete (camel as Record<string, unknown>).deliveryAttemptTimeStamp;
    expect(onlyEvent(envelope(DELIVERY_REPORT_TYPE, camel))).toMatchObject({
      at: '2027-01-05T09:31:12.000Z',
    });

    const none = deliveryData('Delivered');
    delete (none as Record<string, unknown>).deliveryAttemptTimeStamp;
    expect(onlyEvent(envelope(DELIVERY_REPORT_TYPE, none))).toMatchObject({ at: '2027-01-05T09:31:13.000Z' });
  });
});

describe.each(envelopes)('engagement reports in the %s envelope', (_name, envelope) => {
  it.each([
    ['view', 'view'],
    ['click', 'click'],
    ['VIEW', 'view'],
  ])('reads engagementType %j as %s', (given, engagement) => {
    const data = {
      sender: 'bonjour@tilleuls.example',
      messageId: MESSAGE_ID,
      userActionTimestamp: '2027-01-06T18:02:03.1234567Z',
      engagementContext: 'https://reengage.example/api/r/token',
      userAgent: 'Mozilla/5.0',
      engagementType: given,
    };
    expect(onlyEvent(envelope(ENGAGEMENT_REPORT_TYPE, data))).toEqual({
      kind: 'engagement',
      eventId: envelope === eventGrid ? 'eg-1' : 'ce-1',
      messageId: MESSAGE_ID,
      engagement,
      at: '2027-01-06T18:02:03.123Z',
    });
  });

  it("accepts the SDK models' name `engagement` too", () => {
    expect(
      onlyEvent(envelope(ENGAGEMENT_REPORT_TYPE, { messageId: MESSAGE_ID, engagement: 'click' })),
    ).toMatchObject({ engagement: 'click', at: '2027-01-05T09:31:13.000Z' });
  });
});

describe('queue message encodings', () => {
  const single = eventGrid(DELIVERY_REPORT_TYPE, deliveryData('Delivered'));
  const expected = { ok: true, ignoredTypes: [], events: [expect.objectContaining({ status: 'Delivered' })] };

  it('reads raw JSON, base64 of JSON, bytes, and the object the host already parsed', () => {
    const raw = JSON.stringify(single);
    expect(readEmailEvents(raw)).toEqual(expected);
    expect(readEmailEvents(Buffer.from(raw).toString('base64'))).toEqual(expected);
    expect(readEmailEvents(Buffer.from(raw))).toEqual(expected);
    expect(readEmailEvents(single)).toEqual(expected);
  });

  it('reads an Event Grid array of several events, in order', () => {
    const parsed = readEmailEvents(
      JSON.stringify([
        eventGrid(DELIVERY_REPORT_TYPE, deliveryData('Delivered'), { id: 'a' }),
        eventGrid(ENGAGEMENT_REPORT_TYPE, { messageId: MESSAGE_ID, engagementType: 'view' }, { id: 'b' }),
      ]),
    );
    expect(parsed.ok && parsed.events.map((e) => `${e.eventId}:${e.kind}`)).toEqual([
      'a:delivery',
      'b:engagement',
    ]);
  });

  it('skips events of other types without calling the message malformed', () => {
    const parsed = readEmailEvents([
      eventGrid('Microsoft.Communication.SMSReceived', { anything: true }),
      cloudEvent(DELIVERY_REPORT_TYPE, deliveryData('Failed')),
    ]);
    expect(parsed).toEqual({
      ok: true,
      ignoredTypes: ['Microsoft.Communication.SMSReceived'],
      events: [expect.objectContaining({ status: 'Failed' })],
    });
  });

  it('gives back the message text as it came, for the poison queue', () => {
    expect(messageTextOf('abc')).toBe('abc');
    expect(messageTextOf(Buffer.from('é'))).toBe('é');
    expect(messageTextOf({ a: 1 })).toBe('{"a":1}');
    expect(messageTextOf(undefined)).toBe('');
  });
});

describe('malformed messages get a clear error naming the field, never a value', () => {
  it.each([
    ['', 'the message is empty'],
    ['   ', 'the message is empty'],
    ['hello world', 'the message is not JSON, raw or base64'],
    [Buffer.from('not json').toString('base64'), 'the message is not JSON, raw or base64'],
  ])('%j', (message, error) => {
    expect(readEmailEvents(message)).toEqual({ ok: false, error });
  });

  it('JSON that is not an event', () => {
    expect(errorOf({ hello: 'world' })).toBe(
      'event: neither an Event Grid event (eventType) nor a CloudEvent (specversion)',
    );
    expect(errorOf(42)).toBe('event: not an event object');
    expect(errorOf([])).toBe('the message is an empty array');
    expect(errorOf([eventGrid(DELIVERY_REPORT_TYPE, deliveryData('Delivered')), 'x'])).toBe(
      '[1]: not an event object',
    );
  });

  it('more events than one message may hold', () => {
    const many = Array.from({ length: 101 }, () =>
      eventGrid(DELIVERY_REPORT_TYPE, deliveryData('Delivered')),
    );
    expect(errorOf(many)).toBe('the message holds more than 100 events');
  });

  it('envelopes missing their required fields', () => {
    const { eventTime: _, ...noTime } = eventGrid(DELIVERY_REPORT_TYPE, deliveryData('Delivered'));
    expect(errorOf(noTime)).toContain('event.eventTime');
    expect(
      errorOf(cloudEvent(DELIVERY_REPORT_TYPE, deliveryData('Delivered'), { specversion: '0.3' })),
    ).toContain('event.specversion: must be "1.0"');
    expect(errorOf(cloudEvent(DELIVERY_REPORT_TYPE, deliveryData('Delivered'), { id: '' }))).toContain(
      'event.id',
    );
  });

  it('delivery data of the wrong shape', () => {
    expect(errorOf(eventGrid(DELIVERY_REPORT_TYPE, deliveryData('Opened')))).toBe(
      'event.data.status: must be one of Delivered, Expanded, Failed, Bounced, Suppressed, Quarantined, FilteredSpam',
    );
    expect(errorOf(eventGrid(DELIVERY_REPORT_TYPE, deliveryData('Delivered', { messageId: 42 })))).toContain(
      'event.data.messageId',
    );
    expect(
      errorOf(eventGrid(DELIVERY_REPORT_TYPE, deliveryData('Delivered', { recipient: undefined }))),
    ).toContain('event.data.recipient');
    expect(
      errorOf(
        eventGrid(DELIVERY_REPORT_TYPE, deliveryData('Delivered', { deliveryAttemptTimeStamp: 'yesterday' })),
      ),
    ).toBe('event.data.deliveryAttemptTimeStamp: must be an ISO 8601 date-time');
    expect(errorOf(eventGrid(DELIVERY_REPORT_TYPE, null))).toContain('event.data');
    expect(errorOf([cloudEvent(DELIVERY_REPORT_TYPE, deliveryData('Nope'))])).toContain('[0].data.status');
  });

  it('engagement data of the wrong shape', () => {
    expect(
      errorOf(eventGrid(ENGAGEMENT_REPORT_TYPE, { messageId: MESSAGE_ID, engagementType: 'forward' })),
    ).toBe('event.data.engagementType: must be view or click');
    expect(errorOf(eventGrid(ENGAGEMENT_REPORT_TYPE, { messageId: MESSAGE_ID }))).toBe(
      'event.data.engagementType: engagementType is required',
    );
  });

  it('never echoes the recipient address', () => {
    const bad = deliveryData('Opened', { messageId: '' });
    expect(errorOf(eventGrid(DELIVERY_REPORT_TYPE, bad))).not.toContain(RECIPIENT);
  });
});

describe('instants as ACS writes them', () => {
  it.each([
    ['2027-01-05T09:31:12.2855749+00:00', '2027-01-05T09:31:12.285Z'],
    ['2027-01-05T09:31:12Z', '2027-01-05T09:31:12.000Z'],
    ['2027-01-05T10:31:12+0100', '2027-01-05T09:31:12.000Z'],
    ['2027-01-05T09:31:12.5', '2027-01-05T09:31:12.500Z'],
    ['2027-01-05', null],
    ['2027-13-45T99:00:00Z', null],
  ])('%s → %s', (text, expected) => {
    expect(normalizeInstant(text)).toBe(expected);
  });
});

const sentRow: OutreachRow = {
  practiceId: 'prac_1',
  id: 'pat_1|lapse|2026-12-01|1',
  patientId: 'pat_1',
  campaign: 'lapse',
  episodeKey: '2026-12-01',
  step: 1,
  templateId: 'check-in',
  locale: 'fr',
  therapistId: 'th_1',
  status: 'sent',
  plannedAt: '2026-12-31T05:00:00.000Z',
  notBefore: '2027-01-05T09:30:00.000Z',
  operationId: MESSAGE_ID,
  claimedAt: null,
  sentAt: '2027-01-05T09:30:02.000Z',
  deliveryStatus: null,
  deliveryAt: null,
  response: null,
  respondedAt: null,
  rebookedAt: null,
  failureReason: null,
  attempts: 1,
};

function report(status: DeliveryStatus, at: string): DeliveryReport {
  return { kind: 'delivery', eventId: 'e', messageId: MESSAGE_ID, status, recipient: RECIPIENT, at };
}

describe('applying a delivery report to a ledger row', () => {
  it.each([
    ['Delivered', 'delivered'],
    ['Bounced', 'bounced'],
    ['Suppressed', 'bounced'],
    ['Failed', 'failed'],
    ['FilteredSpam', 'failed'],
    ['Quarantined', 'failed'],
    ['Expanded', 'sent'],
  ] as const)('%s → status %s, ACS status and time recorded', (status, expected) => {
    expect(withDeliveryReport(sentRow, report(status, '2027-01-05T09:31:00.000Z'))).toEqual({
      ...sentRow,
      status: expected,
      deliveryStatus: status,
      deliveryAt: '2027-01-05T09:31:00.000Z',
    });
  });

  it('suppresses the address for Bounced and Suppressed only', () => {
    expect(STATUSES.map((s) => [s, suppressionReasonOf(s)])).toEqual([
      ['Delivered', null],
      ['Expanded', null],
      ['Failed', null],
      ['Bounced', 'bounced'],
      ['Suppressed', 'suppressed'],
      ['Quarantined', null],
      ['FilteredSpam', null],
    ]);
  });

  it('only moves forward: the same report again, or an older one, changes nothing', () => {
    const bounced = withDeliveryReport(sentRow, report('Bounced', '2027-01-05T09:31:00.000Z'));
    if (!bounced) throw new Error('expected a change');
    expect(withDeliveryReport(bounced, report('Bounced', '2027-01-05T09:31:00.000Z'))).toBeNull();
    expect(withDeliveryReport(bounced, report('Delivered', '2027-01-05T09:30:59.000Z'))).toBeNull();
    expect(withDeliveryReport(bounced, report('Delivered', '2027-01-05T09:45:00.000Z'))).toMatchObject({
      status: 'delivered',
      deliveryAt: '2027-01-05T09:45:00.000Z',
    });
  });

  it('settles a row still claimed by a worker: the report proves ACS took the email', () => {
    const claimed: OutreachRow = {
      ...sentRow,
      status: 'sending',
      sentAt: null,
      claimedAt: '2027-01-05T09:30:01.000Z',
    };
    expect(withDeliveryReport(claimed, report('Expanded', '2027-01-05T09:31:00.000Z'))).toMatchObject({
      status: 'sent',
      sentAt: '2027-01-05T09:30:01.000Z',
      claimedAt: null,
    });
  });

  it('leaves held-out and skipped rows alone: they were never sent', () => {
    const at = '2027-01-05T09:31:00.000Z';
    expect(withDeliveryReport({ ...sentRow, status: 'held_out' }, report('Delivered', at))).toBeNull();
    expect(withDeliveryReport({ ...sentRow, status: 'skipped:booked' }, report('Bounced', at))).toBeNull();
  });
});

describe('applying an engagement report to a ledger row', () => {
  const view = (at: string): EngagementReport => ({
    kind: 'engagement',
    eventId: 'e',
    messageId: MESSAGE_ID,
    engagement: 'view',
    at,
  });

  it('keeps the first open and the first click, whatever order they arrive in', () => {
    const later = withEngagementReport(sentRow, view('2027-01-06T18:00:00.000Z'));
    expect(later).toMatchObject({ viewedAt: '2027-01-06T18:00:00.000Z' });
    if (!later) throw new Error('expected a change');
    const earlier = withEngagementReport(later, view('2027-01-05T12:00:00.000Z'));
    expect(earlier).toMatchObject({ viewedAt: '2027-01-05T12:00:00.000Z' });
    if (!earlier) throw new Error('expected a change');
    expect(withEngagementReport(earlier, view('2027-01-05T12:00:00.000Z'))).toBeNull();
    expect(withEngagementReport(earlier, view('2027-01-07T12:00:00.000Z'))).toBeNull();
    expect(
      withEngagementReport(earlier, { ...view('2027-01-07T12:00:00.000Z'), engagement: 'click' }),
    ).toMatchObject({ viewedAt: '2027-01-05T12:00:00.000Z', clickedAt: '2027-01-07T12:00:00.000Z' });
  });
});
