// Patients' answers (book, not now, feedback, unsubscribe) through the links of real emails, on Azurite.
import { randomUUID } from 'node:crypto';
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { type AddressObject, simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Deps } from '../../functions/src/app/deps';
import { addressHashOf } from '../../functions/src/core/ids';
import type { OutreachRow } from '../../functions/src/core/model';
import { issueToken, type LinkAction } from '../../functions/src/core/tokens';
import { handleFeedback } from '../../functions/src/functions/feedback';
import { handleRespond } from '../../functions/src/functions/respond';
import { handleUnsubscribe } from '../../functions/src/functions/unsubscribe';
import { Harness } from '../../scripts/lib/harness';
import { aPractice, aTherapist } from '../support/builders';
import { readOutbox } from '../support/outbox';
import { snapshotTables } from '../support/snapshot';

const A = 'prac_ans';
const B = 'prac_other';
const BOOKING_URL = 'https://tilleuls.example/rdv';
// The compressed cadence (steps on days 30, 55 and 80) brings the feedback email (step 3) within reach.
const practiceA = aPractice({
  id: A,
  bookingUrl: BOOKING_URL,
  cadenceDays: [30, 55, 80],
  seasonalWindows: [],
  defaultTherapistId: 'th_1',
});
const practiceB = aPractice({
  id: B,
  name: 'Cabinet <Élan> & "Co"',
  bookingUrl: 'https://elan.example/book',
  locale: 'en',
  seasonalWindows: [],
});
// The harness signs links with key k1 = 32 bytes of 7.
const K1 = { id: 'k1', secret: Buffer.alloc(32, 7) };
const K2 = { id: 'k2', secret: Buffer.alloc(32, 9) };
const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'";

let h: Harness;

function event(id: string, type: string, occurredAt: string, patient: Record<string, unknown>, extra = {}) {
  return { id, type, occurredAt, patient, ...extra };
}

async function visit(practiceId: string, patientId: string, locale: 'fr' | 'en', startsAt: string) {
  const response = await h.postEvent(
    practiceId,
    event(
      `${patientId}-visit-${startsAt}`,
      'appointment.completed',
      h.clock.now().toISOString(),
      {
        id: patientId,
        firstName: `Prénom ${patientId}`,
        email: `${patientId}@example.org`,
        locale,
        therapistId: 'th_1',
        emailConsent: true,
      },
      { appointment: { id: `${patientId}-apt-${startsAt.slice(0, 10)}`, startsAt } },
    ),
  );
  expect(response.status).toBe(202);
}

interface MailLinks {
  to: string;
  template: string;
  links: Partial<Record<LinkAction, string>>;
  listUnsubscribe: string;
  all: string[];
}

/** The links of every email in the outbox, read from the decoded text part as a mail client shows it. */
async function outbox(): Promise<MailLinks[]> {
  const mails: MailLinks[] = [];
  for (const email of readOutbox(h.outboxDirectory)) {
    const parsed = await simpleParser(email.raw);
    const text = parsed.text ?? '';
    const all = [
      ...new Set(text.match(/https:\/\/reengage\.example\/api\/(?:r|unsubscribe)\/[\w-]+\.[\w-]+/g) ?? []),
    ];
    const links: MailLinks['links'] = {};
    for (const url of all) links[payloadOf(url).a as LinkAction] = url;
    const listUnsubscribe = /^<(.+)>$/.exec(email.headers.get('list-unsubscribe') ?? '')?.[1] ?? '';
    mails.push({
      to: (parsed.to as AddressObject).value[0]?.address ?? '',
      template: email.headers.get('x-reengage-template') ?? '',
      links,
      listUnsubscribe,
      all: [...all, listUnsubscribe],
    });
  }
  return mails;
}

function payloadOf(url: string): { k: string; p: string; o: string; a: string; e: number } {
  const token = url.split('/').at(-1) ?? '';
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
}

async function mailTo(patientId: string, template: string): Promise<MailLinks> {
  const found = (await outbox()).find((m) => m.to === `${patientId}@example.org` && m.template === template);
  if (!found) throw new Error(`no ${template} email to ${patientId}`);
  return found;
}

function link(mail: MailLinks, action: LinkAction): string {
  const url = mail.links[action];
  if (!url) throw new Error(`no ${action} link in the email`);
  return url;
}

interface Call {
  method?: string;
  body?: string;
  contentType?: string;
  deps?: Deps;
}

/** Sends a request to whichever function the URL's route names, as the host would. */
async function call(url: string, options: Call = {}): Promise<HttpResponseInit & { text: string }> {
  const { pathname } = new URL(url);
  const [, , route = '', token = ''] = pathname.split('/');
  const handler = { r: handleRespond, feedback: handleFeedback, unsubscribe: handleUnsubscribe }[route];
  if (!handler) throw new Error(`no function for ${pathname}`);
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const response = await handler(
    options.deps ?? h.deps,
    new HttpRequest({
      method,
      url,
      headers: options.contentType ? { 'content-type': options.contentType } : {},
      params: { token },
      ...(options.body === undefined ? {} : { body: { string: options.body } }),
    }),
  );
  return { ...response, text: typeof response.body === 'string' ? response.body : '' };
}

const FORM = 'application/x-www-form-urlencoded';
const post = (url: string, body = '', options: Call = {}) =>
  call(url, { body, contentType: FORM, ...options });

async function unchanged(action: () => Promise<HttpResponseInit & { text: string }>, status: number) {
  const before = await snapshotTables(h);
  const response = await action();
  expect(response.status).toBe(status);
  expect(await snapshotTables(h)).toBe(before);
  return response;
}

function headerOf(response: HttpResponseInit, name: string): string | undefined {
  const headers = (response.headers ?? {}) as Record<string, string>;
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
}

function expectPage(response: HttpResponseInit & { text: string }, lang: 'fr' | 'en') {
  expect(headerOf(response, 'content-type')).toBe('text/html; charset=utf-8');
  expect(headerOf(response, 'content-security-policy')).toBe(CSP);
  expect(headerOf(response, 'x-content-type-options')).toBe('nosniff');
  expect(headerOf(response, 'referrer-policy')).toBe('no-referrer');
  expect(headerOf(response, 'cache-control')).toBe('no-store');
  expect(response.text).toContain(`<html lang="${lang}"`);
  expect(response.text.match(/<h1[\s>]/g)).toHaveLength(1);
  // No external resource of any kind: no src, no stylesheet link, no CSS import or url().
  expect(response.text).not.toMatch(/\ssrc=|<link\b|@import|url\(|<script/i);
}

async function row(practiceId: string, patientId: string, step: number): Promise<OutreachRow | undefined> {
  for await (const r of h.deps.ledger.listOutreachForPatient(practiceId, patientId))
    if (r.step === step && r.campaign === 'lapse') return r;
  return undefined;
}

async function patient(practiceId: string, patientId: string) {
  return (await h.deps.patients.getPatient(practiceId, patientId))?.value;
}

function withKeys(keys: { id: string; secret: Buffer }[]): Deps {
  return { ...h.deps, links: { ...h.deps.links, keys } };
}

beforeAll(async () => {
  h = await new Harness({
    connectionString: inject('azuriteConnectionString'),
    start: '2026-12-01T12:00:00Z',
  }).ready();
  await h.addPractice(practiceA, [aTherapist({ practiceId: A })]);
  await h.addPractice(practiceB, [aTherapist({ practiceId: B, locale: 'en' })]);
  for (const id of ['pat_book', 'pat_unsub', 'pat_fb']) await visit(A, id, 'fr', '2026-12-01T10:00:00+01:00');
  await visit(A, 'pat_later', 'en', '2026-12-01T10:00:00+01:00');
  await visit(B, 'pat_b1', 'en', '2026-12-01T10:00:00+01:00');
  // Day 30: step 1 for everyone, sent (and its links signed) on Thursday 31 December.
  h.clock.set('2026-12-31T05:00:00Z');
  await h.plan();
  expect((await h.drain()).results).toEqual({ sent: 5 });
  h.clock.set('2027-01-05T10:00:00Z');
}, 60_000);
afterAll(() => h.dispose());

describe('the emails carry the links', () => {
  it('book, not now and unsubscribe, the latter also in List-Unsubscribe', async () => {
    const mail = await mailTo('pat_book', 'check-in');
    expect(Object.keys(mail.links).sort()).toEqual(['book', 'later', 'unsubscribe']);
    expect(mail.listUnsubscribe).toBe(mail.links.unsubscribe);
    expect(payloadOf(link(mail, 'book'))).toMatchObject({ p: A, a: 'book' });
  });
});

describe('book', () => {
  it('records the click and sends the patient to the booking page (302)', async () => {
    const response = await call(link(await mailTo('pat_book', 'check-in'), 'book'));
    expect(response.status).toBe(302);
    expect(headerOf(response, 'location')).toBe(BOOKING_URL);
    expect(headerOf(response, 'referrer-policy')).toBe('no-referrer');
    expect(await row(A, 'pat_book', 1)).toMatchObject({
      response: 'book',
      respondedAt: '2027-01-05T10:00:00.000Z',
    });
    expect((await patient(A, 'pat_book'))?.lastAnsweredAt).toBe('2027-01-05T10:00:00.000Z');
  });

  it('a second click redirects again and writes nothing', async () => {
    h.clock.set('2027-01-05T10:05:00Z');
    const url = link(await mailTo('pat_book', 'check-in'), 'book');
    const response = await unchanged(() => call(url), 302);
    expect(headerOf(response, 'location')).toBe(BOOKING_URL);
  });
});

describe('not now', () => {
  let url: string;
  beforeAll(async () => {
    h.clock.set('2027-01-05T11:00:00Z');
    url = link(await mailTo('pat_later', 'check-in'), 'later');
  });

  it('GET shows a confirm button, in the language of the email, and changes nothing', async () => {
    const response = await unchanged(() => call(url), 200);
    expectPage(response, 'en');
    expect(response.text).toContain('<h1>Not right now?</h1>');
    expect(response.text).toContain('<p class="practice">Cabinet des Tilleuls</p>');
    expect(response.text).toMatch(
      /<form method="post">\s*<button type="submit" class="button">Confirm a three-month pause<\/button>/,
    );
  });

  it('POST pauses the patient for 90 days and records the answer', async () => {
    const response = await post(url);
    expect(response.status).toBe(200);
    expectPage(response, 'en');
    expect(response.text).toContain('<h1>All set</h1>');
    // 5 January 2027 11:00 UTC + 90 days = 5 April 2027 11:00 UTC (13:00 in Paris).
    expect(response.text).toContain('before 5\u00a0April\u00a02027.');
    expect(response.text).toContain(`<a href="${BOOKING_URL}">Book a session</a>`);
    const paused = await patient(A, 'pat_later');
    expect(paused?.pausedUntil).toBe('2027-04-05T11:00:00.000Z');
    expect(paused?.lastAnsweredAt).toBe('2027-01-05T11:00:00.000Z');
    expect(await row(A, 'pat_later', 1)).toMatchObject({
      response: 'later',
      respondedAt: '2027-01-05T11:00:00.000Z',
    });
  });
});

describe('unsubscribe page', () => {
  it('GET shows a confirmation page with a button and changes nothing', async () => {
    const url = link(await mailTo('pat_unsub', 'check-in'), 'unsubscribe');
    const response = await unchanged(() => call(url), 200);
    expectPage(response, 'fr');
    expect(response.text).toContain('<h1>Ne plus recevoir ces messages</h1>');
    expect(response.text).toContain('<p class="practice">Cabinet des Tilleuls</p>');
    expect(response.text).toContain('Vous ne recevrez plus nos messages de suivi');
    expect(response.text).toMatch(
      /<form method="post">\s*<input type="hidden" name="List-Unsubscribe" value="One-Click">\s*<button type="submit" class="button">Me désinscrire<\/button>/,
    );
  });

  it("escapes the practice's name", async () => {
    const url = link(await mailTo('pat_b1', 'check-in'), 'unsubscribe');
    const response = await unchanged(() => call(url), 200);
    expectPage(response, 'en');
    expect(response.text).toContain('Cabinet &lt;Élan&gt; &amp; &quot;Co&quot;');
    expect(response.text).not.toContain('<Élan>');
  });
});

describe('links that cannot be used change nothing', () => {
  let later: string;
  let unsubscribeUrl: string;
  let laterRow: string;
  beforeAll(async () => {
    const mail = await mailTo('pat_fb', 'check-in');
    later = link(mail, 'later');
    unsubscribeUrl = link(mail, 'unsubscribe');
    laterRow = payloadOf(later).o;
  });

  const tokenUrl = (route: 'r' | 'unsubscribe', token: string) =>
    `https://reengage.example/api/${route}/${token}`;
  const sign = (practiceId: string, outreachRef: string, action: LinkAction) =>
    issueToken({ practiceId, outreachRef, action }, K1, h.clock.now());

  it('a tampered signature or payload, or a truncated link: 400, a bilingual page', async () => {
    const [payload = '', signature = ''] = (later.split('/').at(-1) ?? '').split('.');
    // A character in the middle: the last one of a base64url HMAC carries padding bits only.
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const extended = Buffer.from(JSON.stringify({ ...body, e: body.e + 365 * 86_400 })).toString('base64url');
    for (const token of [`${payload}.${flipped}`, `${extended}.${signature}`, payload, 'x'.repeat(2000)]) {
      for (const method of ['GET', 'POST']) {
        const response = await unchanged(
          () =>
            call(tokenUrl('r', token), {
              method,
              body: method === 'POST' ? '' : undefined,
              contentType: FORM,
            }),
          400,
        );
        expectPage(response, 'fr');
        expect(response.text).toContain(
          '<h1>Ce lien ne fonctionne pas <span lang="en">· This link does not work</span></h1>',
        );
        expect(response.text).toContain('<div lang="en" class="other-language">');
      }
    }
  });

  it('a broken unsubscribe link still says how to stop the emails', async () => {
    const response = await unchanged(
      () => post(`${unsubscribeUrl.slice(0, -12)}AAAA${unsubscribeUrl.slice(-8)}`),
      400,
    );
    expect(response.text).toContain('répondre à l’e-mail en nous le demandant');
    expect(response.text).toContain('reply to the email and ask us');
  });

  it('a link used on the wrong route: 400', async () => {
    const token = later.split('/').at(-1) ?? '';
    await unchanged(() => post(tokenUrl('unsubscribe', token), 'List-Unsubscribe=One-Click'), 400);
    await unchanged(
      () => call(`https://reengage.example/api/feedback/${token}`, { body: 'rating=5', contentType: FORM }),
      400,
    );
  });

  it("a token of another practice never acts on this one's emails, and the reverse: 404", async () => {
    const rowOfB = payloadOf(link(await mailTo('pat_b1', 'check-in'), 'later')).o;
    for (const token of [sign(B, laterRow, 'later'), sign(A, rowOfB, 'later')]) {
      const response = await unchanged(() => post(tokenUrl('r', token)), 404);
      expect(response.text).toContain('Nous ne retrouvons pas ce message');
    }
    await unchanged(() => post(tokenUrl('unsubscribe', sign(B, laterRow, 'unsubscribe'))), 404);
  });

  it('a token of an outreach that was never sent: 404', async () => {
    await unchanged(() => post(tokenUrl('r', sign(A, randomUUID(), 'later'))), 404);
    await unchanged(() => call(tokenUrl('r', sign(A, randomUUID(), 'book'))), 404);
  });

  it('a signing key removed from the list: 400; rotated with the old key kept: still works', async () => {
    await unchanged(() => post(later, '', { deps: withKeys([K2]) }), 400);
    const response = await unchanged(() => call(later, { deps: withKeys([K2, K1]) }), 200);
    expect(response.text).toContain('<h1>Pas pour le moment\u202f?</h1>');
  });

  it('another method: 405 with Allow', async () => {
    const response = await unchanged(() => call(later, { method: 'PUT' }), 405);
    expect(headerOf(response, 'allow')).toBe('GET, POST');
  });
});

describe('the next planner run', () => {
  beforeAll(async () => {
    h.clock.set('2027-01-25T05:00:00Z');
    await h.plan();
  });

  it('skips the paused patient and plans step 2 for the others', async () => {
    expect((await row(A, 'pat_later', 2))?.status).toBe('skipped:paused');
    expect((await row(A, 'pat_fb', 2))?.status).toBe('planned');
    expect((await row(A, 'pat_unsub', 2))?.status).toBe('planned');
  });
});

describe('one-click unsubscribe (RFC 8058)', () => {
  let url: string;
  let firstPage: string;
  beforeAll(async () => {
    h.clock.set('2027-01-25T06:00:00Z');
    url = (await mailTo('pat_unsub', 'check-in')).listUnsubscribe;
  });

  it('withdraws consent, suppresses the address, skips planned emails and records the answer', async () => {
    const response = await post(url, 'List-Unsubscribe=One-Click');
    expect(response.status).toBe(200);
    expectPage(response, 'fr');
    expect(response.text).toContain('<h1>Désinscription confirmée</h1>');
    firstPage = response.text;
    const unsubscribed = await patient(A, 'pat_unsub');
    expect(unsubscribed?.emailConsent).toEqual({
      granted: false,
      at: '2027-01-25T06:00:00.000Z',
      source: 'unsubscribe',
    });
    expect(unsubscribed?.suppressed).toBe(true);
    expect(
      await h.deps.suppressions.getSuppression(A, addressHashOf(A, 'pat_unsub@example.org')),
    ).toMatchObject({ reason: 'unsubscribed', at: '2027-01-25T06:00:00.000Z' });
    expect((await row(A, 'pat_unsub', 2))?.status).toBe('skipped:unsubscribed');
    expect(await row(A, 'pat_unsub', 1)).toMatchObject({
      response: 'unsubscribe',
      respondedAt: '2027-01-25T06:00:00.000Z',
    });
  });

  it('a second POST (multipart, as RFC 8058 recommends) answers the same page and writes nothing', async () => {
    h.clock.set('2027-01-25T06:30:00Z');
    const multipart = [
      '--b0undary',
      'Content-Disposition: form-data; name="List-Unsubscribe"',
      '',
      'One-Click',
      '--b0undary--',
      '',
    ].join('\r\n');
    const response = await unchanged(
      () => call(url, { body: multipart, contentType: 'multipart/form-data; boundary=b0undary' }),
      200,
    );
    expect(response.text).toBe(firstPage);
  });

  it('a body that is not a form: 415 page, nothing changed', async () => {
    const response = await unchanged(
      () => call(url, { body: '{"List-Unsubscribe":"One-Click"}', contentType: 'application/json' }),
      415,
    );
    expectPage(response, 'fr');
    expect(response.text).toContain('reply to the email and ask us');
  });

  it('nothing more is sent to the patient', async () => {
    const report = await h.drain();
    expect(report.results.sent).toBe(2); // pat_book and pat_fb, step 2
    const toUnsub = (await outbox()).filter((m) => m.to === 'pat_unsub@example.org');
    expect(toUnsub.map((m) => m.template)).toEqual(['check-in']);
  });
});

describe('a patient deleted and imported again with the same address', () => {
  beforeAll(async () => {
    h.clock.set('2027-01-26T09:00:00Z');
    const now = h.clock.now().toISOString();
    expect(
      (await h.postEvent(A, event('pat_unsub-del', 'patient.deleted', now, { id: 'pat_unsub' }))).status,
    ).toBe(202);
    // A visit on 20 January: day 30 of the new episode is 19 February, a planner day below.
    await visit(A, 'pat_unsub', 'fr', '2027-01-20T10:00:00+01:00');
  });

  it('is suppressed again on import', async () => {
    const reimported = await patient(A, 'pat_unsub');
    expect(reimported?.emailConsent.granted).toBe(true); // the booking tool says so, but the address is suppressed
    expect(reimported?.suppressed).toBe(true);
  });
});

describe('feedback', () => {
  let formUrl: string;
  let action: string;
  let rowId: string;
  beforeAll(async () => {
    // Day 80: step 3, the feedback request (and day 30 of the re-imported patient's new episode).
    h.clock.set('2027-02-19T05:00:00Z');
    await h.plan();
    await h.drain();
    const mail = await mailTo('pat_fb', 'feedback');
    formUrl = link(mail, 'feedback');
    rowId = (await row(A, 'pat_fb', 3))?.id ?? '';
    h.clock.set('2027-02-19T10:00:00Z');
  });

  it('the re-imported, suppressed patient was not written to', async () => {
    const rows: OutreachRow[] = [];
    for await (const r of h.deps.ledger.listOutreachForPatient(A, 'pat_unsub')) rows.push(r);
    expect(rows.find((r) => r.episodeKey === '2027-01-20')?.status).toBe('skipped:suppressed');
    expect((await outbox()).filter((m) => m.to === 'pat_unsub@example.org')).toHaveLength(1);
  });

  it('GET shows the form: labelled radios 1-5 in a fieldset, an optional comment; nothing changed', async () => {
    const response = await unchanged(() => call(formUrl), 200);
    expectPage(response, 'fr');
    expect(response.text).toContain(
      '<legend>Dans l’ensemble, comment s’est passé votre suivi\u202f?</legend>',
    );
    for (const value of [1, 2, 3, 4, 5]) {
      expect(response.text).toContain(
        `<input type="radio" id="rating-${value}" name="rating" value="${value}">`,
      );
      expect(response.text).toMatch(new RegExp(`<label for="rating-${value}">${value} – [^<]+</label>`));
    }
    expect(response.text).toContain('<label class="field" for="comment">');
    expect(response.text).toMatch(/<textarea id="comment" name="comment"[^>]* maxlength="2000"/);
    expect(response.text).not.toContain('Vous nous avez déjà répondu');
    const formAction = /<form method="post" action="([^"]+)"/.exec(response.text)?.[1] ?? '';
    action = new URL(formAction, formUrl).href;
    expect(action).toBe(formUrl.replace('/api/r/', '/api/feedback/'));
  });

  it.each(['0', '6', 'abc', ''])(
    'rating %j: 400, the form again with the error by the field and the comment kept',
    async (rating) => {
      const body = `rating=${rating}&comment=${encodeURIComponent('Très bien </textarea><script>x</script>')}`;
      const response = await unchanged(() => post(action, body), 400);
      expectPage(response, 'fr');
      expect(response.text).toMatch(/<title>Erreur\u00a0: Votre avis compte/);
      expect(response.text).toContain('<fieldset aria-describedby="rating-error">');
      expect(response.text).toMatch(/<legend>[^<]+<\/legend>\s*<p class="error" id="rating-error">/);
      expect(response.text).toContain('Choisissez une note de 1 à 5');
      expect(response.text).toContain(
        '>Très bien &lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;</textarea>',
      );
    },
  );

  it('a comment of 2,001 characters: 400, the error by the comment, the text kept', async () => {
    const comment = 'é'.repeat(2001);
    const response = await unchanged(
      () => post(action, `rating=4&comment=${encodeURIComponent(comment)}`),
      400,
    );
    expect(response.text).toContain('aria-describedby="comment-hint comment-error" aria-invalid="true"');
    expect(response.text).toMatch(/<p class="error" id="comment-error">.*2\u202f001\u00a0caractères/);
    expect(response.text).toContain(`>${comment}</textarea>`);
    expect(response.text).toContain('value="4" checked');
  });

  it('a body over 32 KB: 413; a body that is not a form: 415; nothing changed', async () => {
    await unchanged(() => post(action, `rating=4&comment=${'a'.repeat(33 * 1024)}`), 413);
    await unchanged(() => call(action, { body: '{"rating":4}', contentType: 'application/json' }), 415);
  });

  it('POST stores the rating and the cleaned comment, records the answer and thanks the patient', async () => {
    const response = await post(
      action,
      `rating=4&comment=${encodeURIComponent(' Merci\r\npour tout\u0007 ')}`,
    );
    expect(response.status).toBe(200);
    expectPage(response, 'fr');
    expect(response.text).toContain('<h1>Merci pour votre retour</h1>');
    expect(response.text).not.toContain('Il remplace votre réponse précédente.');
    expect(await h.deps.feedback.getFeedback(A, rowId)).toEqual({
      practiceId: A,
      outreachId: rowId,
      patientId: 'pat_fb',
      rating: 4,
      comment: 'Merci\npour tout',
      createdAt: '2027-02-19T10:00:00.000Z',
      updatedAt: '2027-02-19T10:00:00.000Z',
    });
    expect(await row(A, 'pat_fb', 3)).toMatchObject({
      response: 'feedback',
      respondedAt: '2027-02-19T10:00:00.000Z',
    });
  });

  it('a second POST replaces it and keeps when it was first given; 2,000 characters counted as the browser does pass', async () => {
    h.clock.set('2027-02-19T11:00:00Z');
    // The browser submits line breaks as CRLF but counts them as one character against maxlength.
    const comment = `${'a'.repeat(999)}\r\n${'b'.repeat(1000)}`;
    const response = await post(action, `rating=5&comment=${encodeURIComponent(comment)}`);
    expect(response.status).toBe(200);
    expect(response.text).toContain('Il remplace votre réponse précédente.');
    const stored = await h.deps.feedback.getFeedback(A, rowId);
    expect(stored).toMatchObject({
      rating: 5,
      createdAt: '2027-02-19T10:00:00.000Z',
      updatedAt: '2027-02-19T11:00:00.000Z',
    });
    expect(stored?.comment).toHaveLength(2000);
    const form = await unchanged(() => call(formUrl), 200);
    expect(form.text).toContain('Vous nous avez déjà répondu');
  });
});

const CLICK_FIELDS: Record<string, string[]> = {
  outreach: ['etag', 'timestamp'],
  patients: ['etag', 'timestamp', 'lastAnsweredAt', 'updatedAt'],
};

/** A table dump without what a book click writes: the row's response and the patient's answer time. */
function withoutClicks(dump: Record<string, Record<string, unknown>[]>) {
  return Object.fromEntries(
    Object.entries(dump).map(([table, rows]) => [
      table,
      rows.map((entity) => {
        const copy = { ...entity };
        for (const field of CLICK_FIELDS[table] ?? []) delete copy[field];
        if (table === 'outreach' && copy.response === 'book') {
          delete copy.response;
          delete copy.respondedAt;
        }
        return copy;
      }),
    ]),
  );
}

describe('a mail security scanner that opens every link of every email', () => {
  it('changes nothing but the click records of book links', async () => {
    h.clock.set('2027-02-20T08:00:00Z');
    const before = JSON.parse(await snapshotTables(h));
    const mails = await outbox();
    expect(mails.length).toBe(9); // five step-1 emails, then steps 2 and 3 to pat_book and pat_fb
    for (const mail of mails) {
      for (const url of mail.all) {
        const response = await call(url);
        expect([200, 302], url).toContain(response.status);
      }
    }
    const after = JSON.parse(await snapshotTables(h));
    expect(withoutClicks(after)).toEqual(withoutClicks(before));
    // The scan did reach the book links: emails nobody had answered now carry a click, answers are kept.
    expect((await row(A, 'pat_fb', 1))?.response).toBe('book');
    expect((await row(B, 'pat_b1', 1))?.response).toBe('book');
    expect((await row(A, 'pat_later', 1))?.response).toBe('later');
    expect((await row(A, 'pat_fb', 3))?.response).toBe('feedback');
    expect((await patient(A, 'pat_fb'))?.emailConsent.granted).toBe(true);
  });
});

describe('expired links', () => {
  let mail: MailLinks;
  beforeAll(async () => {
    // The step-1 links were signed on 31 December 2026: 90 days later they have expired.
    h.clock.set('2027-04-05T09:00:00Z');
    mail = await mailTo('pat_fb', 'check-in');
  });

  it('book: 410, the booking page still offered, nothing changed', async () => {
    const response = await unchanged(() => call(link(mail, 'book')), 410);
    expectPage(response, 'fr');
    expect(response.text).toContain('<h1>Ce lien a expiré</h1>');
    expect(response.text).toContain(`<a href="${BOOKING_URL}">Prendre rendez-vous</a>`);
  });

  it('not now: 410 on GET and POST, nothing changed', async () => {
    const url = link(mail, 'later');
    await unchanged(() => call(url), 410);
    const response = await unchanged(() => post(url), 410);
    expect(response.text).toContain('répondez simplement à l’e-mail');
  });

  it('unsubscribe: honoured even past its one-year lifetime, since stopping emails is always safe', async () => {
    h.clock.set('2028-01-05T09:00:00Z');
    const url = link(mail, 'unsubscribe');
    expect((await unchanged(() => call(url), 200)).text).toContain('Me désinscrire');
    const response = await post(url, 'List-Unsubscribe=One-Click');
    expect(response.status).toBe(200);
    expect(response.text).toContain('Désinscription confirmée');
    expect((await patient(A, 'pat_fb'))?.suppressed).toBe(true);
  });
});
