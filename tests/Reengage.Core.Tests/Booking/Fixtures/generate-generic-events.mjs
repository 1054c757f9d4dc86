// Generates generic-events.json: bodies for the generic booking webhook, each with what the TypeScript
// implementation's parser (the behavioural reference) made of it. Run from the repository root:
//   npx tsx tests/Reengage.Core.Tests/Booking/Fixtures/generate-generic-events.mjs && npx biome check --write tests/Reengage.Core.Tests/Booking/Fixtures
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { EVENT_TYPES, parseBookingEvent } from '../../../../functions/src/core/bookingEvents.ts';

const iso = (text) => (text == null ? null : new Date(Date.parse(text)).toISOString());

/** The parsed event in a shape both implementations can produce: instants as UTC ISO with milliseconds. */
function normalized(event) {
  const patient = { id: event.patient.id };
  for (const [key, value] of Object.entries(event.patient)) {
    if (key === 'id' || value === undefined) continue;
    if (key === 'emailConsent')
      patient.emailConsent = { granted: value.granted, at: iso(value.at), source: value.source };
    else if (key === 'plan')
      patient.plan =
        value === null ? null : { summary: value.summary, nextMilestoneAt: iso(value.nextMilestoneAt) };
    else patient[key] = value;
  }
  const out = { id: event.id, type: event.type, occurredAt: iso(event.occurredAt), patient };
  if (event.appointment)
    out.appointment = {
      id: event.appointment.id,
      startsAt: iso(event.appointment.startsAt),
      therapistId: event.appointment.therapistId ?? null,
    };
  return out;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:@+=~-]{0,127}$/;
const idArb = fc.stringMatching(ID);
const text = (max) =>
  fc
    .oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({
        unit: fc.constantFrom(' ', '\t', '\n', '\u0001', '\u007f', '\u0085', '\ufeff', '\u00a0', 'é', 'x'),
        maxLength: 12,
      }),
    )
    .filter((s) => s.isWellFormed() && s.length <= max + 20);
const instantArb = fc
  .tuple(
    fc.date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.constantFrom(0, 60, -300, 330, 345, -720, 840),
    fc.constantFrom(0, 3, 6, 9),
  )
  .map(([date, offset, digits]) => {
    const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 19);
    const fraction = digits
      ? `.${String(date.getTime() % 1000)
          .padStart(3, '0')
          .padEnd(digits, '7')}`
      : '';
    if (offset === 0) return `${local}${fraction}Z`;
    const abs = Math.abs(offset);
    const zone = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    return `${local}${fraction}${offset < 0 ? '-' : '+'}${zone}`;
  });
const emailArb = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9_+'-]{1,12}(\.[a-z0-9_+-]{1,8})?$/),
    fc.stringMatching(/^[a-z0-9]{1,10}(-[a-z0-9]{1,5})?$/),
    fc.stringMatching(/^[a-z]{2,6}$/),
  )
  .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);
const patientArb = fc.record(
  {
    id: fc.oneof(fc.constant('pat_42'), idArb),
    firstName: fc.option(text(100), { nil: null }),
    email: fc.option(emailArb, { nil: null }),
    locale: fc.option(fc.constantFrom('fr', 'en', 'en-GB', 'FR', 'fr-CA', 'de', 'e', 'fr_FR', 'abcd'), {
      nil: null,
    }),
    therapistId: fc.option(fc.oneof(fc.constant('th_1'), idArb), { nil: null }),
    emailConsent: fc.oneof(
      fc.boolean(),
      fc.record(
        {
          granted: fc.boolean(),
          at: fc.option(instantArb, { nil: null }),
          source: fc.option(text(100), { nil: null }),
        },
        { requiredKeys: ['granted'] },
      ),
    ),
    careStatus: fc.constantFrom('in_care', 'plan_completed', 'discharged'),
    contactPreference: fc.constantFrom('default', 'direct'),
    focusArea: fc.option(text(100), { nil: null }),
    progressNote: fc.option(text(2000), { nil: null }),
    plan: fc.option(
      fc.record(
        {
          summary: fc.option(text(2000), { nil: null }),
          nextMilestoneAt: fc.option(instantArb, { nil: null }),
        },
        { requiredKeys: [] },
      ),
      { nil: null },
    ),
  },
  { requiredKeys: ['id'] },
);
const eventArb = fc
  .record({
    id: fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.isWellFormed()),
    type: fc.constantFrom(...EVENT_TYPES),
    occurredAt: instantArb,
    patient: patientArb,
    appointmentId: idArb,
    startsAt: fc.option(instantArb, { nil: undefined }),
    therapistId: fc.option(fc.oneof(fc.constant('th_1'), idArb), { nil: undefined }),
    withAppointment: fc.boolean(),
  })
  .map(({ appointmentId, startsAt, therapistId, withAppointment, ...event }) =>
    event.type.startsWith('appointment.') || withAppointment
      ? {
          ...event,
          appointment: {
            id: appointmentId,
            ...(startsAt ? { startsAt } : {}),
            ...(therapistId ? { therapistId } : {}),
          },
        }
      : event,
  );

const PATHS = [
  ['id'],
  ['type'],
  ['occurredAt'],
  ['patient'],
  ['patient', 'id'],
  ['patient', 'firstName'],
  ['patient', 'email'],
  ['patient', 'locale'],
  ['patient', 'therapistId'],
  ['patient', 'emailConsent'],
  ['patient', 'emailConsent', 'granted'],
  ['patient', 'emailConsent', 'at'],
  ['patient', 'emailConsent', 'source'],
  ['patient', 'careStatus'],
  ['patient', 'contactPreference'],
  ['patient', 'focusArea'],
  ['patient', 'progressNote'],
  ['patient', 'plan'],
  ['patient', 'plan', 'summary'],
  ['patient', 'plan', 'nextMilestoneAt'],
  ['appointment'],
  ['appointment', 'id'],
  ['appointment', 'startsAt'],
  ['appointment', 'therapistId'],
];
const junkArb = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).filter((v) => JSON.stringify(v).isWellFormed()),
  text(60),
  fc.integer({ min: 95, max: 2010 }).map((n) => 'é'.repeat(n)),
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1e308,
    '',
    ' ',
    '2026-02-30T10:00:00Z',
    '2024-02-29T10:00:00Z',
    '2026-11-20T10:00Z',
    '2026-11-20T10:00:00+24:00',
    'pat/../x',
    'pat_1\n',
    [],
    {},
    'appointment.booked',
    'in_care',
    'fr-',
    'a@b.c',
    'a@b.co',
  ),
);
function mutate(value, path, op, junk) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const [head, ...rest] = path;
  const copy = { ...value };
  if (rest.length === 0) {
    if (op === 'remove') delete copy[head];
    else copy[head] = junk;
    return copy;
  }
  if (!(head in copy)) return copy;
  copy[head] = mutate(copy[head], rest, op, junk);
  return copy;
}
const mutatedArb = fc
  .tuple(
    eventArb,
    fc.array(fc.tuple(fc.constantFrom(...PATHS), fc.constantFrom('remove', 'set'), junkArb), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([event, ops]) => ops.reduce((v, [path, op, junk]) => mutate(v, path, op, junk), event));

const bodies = [
  ...fc.sample(eventArb, { numRuns: 150, seed: 42 }).map((v) => JSON.stringify(v)),
  ...fc.sample(mutatedArb, { numRuns: 600, seed: 43 }).map((v) => JSON.stringify(v)),
  ...fc
    .sample(
      fc.jsonValue({ maxDepth: 3 }).filter((v) => JSON.stringify(v).isWellFormed()),
      { numRuns: 30, seed: 44 },
    )
    .map((v) => JSON.stringify(v)),
];
const cases = bodies.map((body, index) => {
  const result = parseBookingEvent(JSON.parse(body));
  return result.ok
    ? { index, body, ok: true, event: normalized(result.value) }
    : { index, body, ok: false, fields: [...new Set(result.problems.map((p) => p.field))].sort() };
});
writeFileSync(new URL('./generic-events.json', import.meta.url), `${JSON.stringify(cases)}\n`);
console.log(`${cases.length} cases, ${cases.filter((c) => c.ok).length} valid`);
