// Webhook history -> planners -> queue -> sendOutreach -> outbox, on the real Azurite.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { planSeasonalOutreach } from '../../functions/src/app/planOutreach';
import type { EmailSender } from '../../functions/src/core/ports';
import { Harness } from '../../scripts/lib/harness';
import { aPractice, aTherapist } from '../support/builders';
import { bookingEvent, completedVisit, listLedger } from '../support/flowFixtures';
import { readOutbox, recipientsByTemplate } from '../support/outbox';

const practice = aPractice({ id: 'prac_flow' });
const therapist = aTherapist({ practiceId: 'prac_flow' });

const event = bookingEvent;
const ledger = (h: Harness) => listLedger(h, practice.id);
const visit = (h: Harness, patientId: string, extra?: Record<string, unknown>) =>
  completedVisit(h, practice.id, patientId, extra);

describe('outreach flow on Azurite', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await new Harness({
      connectionString: inject('azuriteConnectionString'),
      start: '2026-12-01T12:00:00Z',
    }).ready();
    await h.addPractice({ ...practice, defaultTherapistId: 'th_1' }, [therapist]);
    await visit(h, 'pat_a');
    await visit(h, 'pat_b');
    await visit(h, 'pat_c', { emailConsent: false });
    await visit(h, 'pat_d', { progressNote: 'Gère mieux les crises de panique' });
    await visit(h, 'pat_e');
    // pat_b books again before lapsing.
    h.clock.set('2026-12-20T09:00:00Z');
    await h.postEvent(
      practice.id,
      event(
        'pat_b-b',
        'appointment.booked',
        '2026-12-20T09:00:00Z',
        { id: 'pat_b' },
        { id: 'pat_b-apt2', startsAt: '2027-01-20T10:00:00+01:00' },
      ),
    );
  });
  afterAll(() => h.dispose());

  it('plans exactly the lapsed, eligible patients on day 30, in the send window', async () => {
    h.clock.set('2026-12-31T05:00:00Z');
    await h.plan();
    const rows = await ledger(h);
    const byPatient = Object.fromEntries(rows.map((r) => [r.patientId, r]));
    expect(Object.keys(byPatient).sort()).toEqual(['pat_a', 'pat_c', 'pat_d', 'pat_e']);
    expect(byPatient.pat_a).toMatchObject({
      status: 'planned',
      templateId: 'check-in',
      campaign: 'lapse',
      step: 1,
    });
    expect(byPatient.pat_c).toMatchObject({ status: 'skipped:no_consent' });
    expect(byPatient.pat_d).toMatchObject({ status: 'planned', templateId: 'progress' });
    // 31 Dec 2026 is a Thursday; the window opens at 09:30 Paris = 08:30 UTC.
    const notBefore = byPatient.pat_a?.notBefore ?? '';
    expect(notBefore >= '2026-12-31T08:30:00.000Z').toBe(true);
    expect(notBefore < '2026-12-31T16:30:00.000Z').toBe(true);
  });

  it('running the planners again plans nothing new', async () => {
    const before = await ledger(h);
    await h.plan();
    const after = await ledger(h);
    expect(after.map((r) => `${r.id}:${r.status}`).sort()).toEqual(
      before.map((r) => `${r.id}:${r.status}`).sort(),
    );
  });

  it('a booking between planning and sending stops the email', async () => {
    h.clock.set('2026-12-31T07:00:00Z');
    await h.postEvent(
      practice.id,
      event(
        'pat_e-b',
        'appointment.booked',
        '2026-12-31T07:00:00Z',
        { id: 'pat_e' },
        { id: 'pat_e-apt2', startsAt: '2027-01-08T10:00:00+01:00' },
      ),
    );
    const report = await h.drain();
    expect(report.errors).toBe(0);
    const rows = Object.fromEntries((await ledger(h)).map((r) => [r.patientId, r.status]));
    expect(rows).toMatchObject({
      pat_a: 'sent',
      pat_d: 'sent',
      pat_e: 'skipped:booked',
      pat_c: 'skipped:no_consent',
    });
    expect(recipientsByTemplate(readOutbox(h.outboxDirectory))).toEqual({
      'pat_a@example.org': 'check-in',
      'pat_d@example.org': 'progress',
    });
  });

  it('the same queue message delivered twice sends one email', async () => {
    const row = (await ledger(h)).find((r) => r.patientId === 'pat_a');
    expect(row).toBeDefined();
    const message = {
      v: 1 as const,
      practiceId: practice.id,
      outreachId: row?.id ?? '',
      notBefore: row?.notBefore ?? '',
    };
    await h.deps.scheduler.scheduleSend(message, h.clock.now());
    await h.deps.scheduler.scheduleSend(message, h.clock.now());
    const report = await h.drain();
    expect(report.results).toEqual({ already_done: 2 });
    expect(readOutbox(h.outboxDirectory)).toHaveLength(2);
  });

  it('emails carry the headers and links of SPEC §6', () => {
    const email = readOutbox(h.outboxDirectory).find(
      (e) => e.headers.get('x-reengage-template') === 'check-in',
    );
    expect(email?.headers.get('list-unsubscribe')).toMatch(
      /^<https:\/\/reengage\.example\/api\/unsubscribe\/[\w-]+\.[\w-]+>$/,
    );
    expect(email?.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(email?.headers.get('x-reengage-outreach')).toMatch(/^[0-9a-f-]{36}$/);
    expect(email?.headers.get('reply-to')).toContain('lea.martin@tilleuls.example');
    expect(email?.raw).not.toContain('pat_a|');
  });

  it('the progress note never reaches a subject, a header or a queue message', () => {
    const email = readOutbox(h.outboxDirectory).find(
      (e) => e.headers.get('x-reengage-template') === 'progress',
    );
    const head = email?.raw.split('\r\n\r\n')[0] ?? '';
    expect(head).not.toMatch(/panique/i);
    // allowClinicalDetails is false: not in the body either.
    expect(email?.raw).not.toMatch(/panique/i);
  });
});

describe('a worker that dies after the transport accepted the email', () => {
  let h: Harness;
  let crashNext = true;
  let sends = 0;
  beforeAll(async () => {
    h = new Harness({ connectionString: inject('azuriteConnectionString'), start: '2026-12-01T12:00:00Z' });
    const real = h.deps.sender;
    const crashing: EmailSender = {
      async send(email, operationId) {
        sends++;
        const outcome = await real.send(email, operationId);
        if (crashNext) {
          crashNext = false;
          throw new Error('worker died after the transport accepted the email');
        }
        return outcome;
      },
      getStatus: (operationId) => real.getStatus(operationId),
    };
    Object.assign(h.deps, { sender: crashing });
    await h.ready();
    await h.addPractice(practice, [therapist]);
    await visit(h, 'pat_x');
    h.clock.set('2026-12-31T05:00:00Z');
    await h.plan();
  });
  afterAll(() => h.dispose());

  it('is resolved by asking the transport, never by sending again', async () => {
    const report = await h.drain();
    expect(report.errors).toBe(1);
    expect(sends).toBe(1);
    const rows = await ledger(h);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe('sent');
    expect(readOutbox(h.outboxDirectory)).toHaveLength(1);
  });
});

describe('a seasonal window opening', () => {
  let h: Harness;
  const seasonPractice = aPractice({ id: 'prac_season', holdoutPercent: 0 });
  beforeAll(async () => {
    h = await new Harness({
      connectionString: inject('azuriteConnectionString'),
      start: '2026-12-01T12:00:00Z',
    }).ready();
    await h.addPractice({ ...seasonPractice, defaultTherapistId: 'th_1' }, [
      aTherapist({ practiceId: seasonPractice.id }),
    ]);
    await completedVisit(h, seasonPractice.id, 'pat_s');
  });
  afterAll(() => h.dispose());

  it('records on the seasonal row the lapse episode its holdout draw and budgets used', async () => {
    // 5 January 2027, the « new-year » window opens; the patient's last visit was 1 December 2026.
    h.clock.set('2027-01-05T06:00:00Z');
    await planSeasonalOutreach(h.deps);
    const rows = await listLedger(h, seasonPractice.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      campaign: 'seasonal',
      episodeKey: '2027:new-year',
      templateId: 'seasonal',
      status: 'planned',
      lapseEpisodeKey: '2026-12-01',
    });
  });
});
