// The patients' answer pages in a real headless chromium: keyboard-only forms, axe-core, CSP, screenshots.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { type BrowserContext, chromium, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Locale, OutreachRow } from '../../functions/src/core/model';
import { Harness } from '../../scripts/lib/harness';
import { aPractice, aTherapist } from '../support/builders';
import { type FunctionsHttpServer, startFunctionsHttpServer } from '../support/functionsHttpServer';
import { readOutbox } from '../support/outbox';

const CHROMIUM = '/usr/bin/chromium'; // Debian's, installed by scripts/ensure-chromium.sh (npm's pretest)
const SCREENSHOTS = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'";
const A = 'prac_browser';
const BOOKING_URL = 'https://tilleuls.example/rdv';
const PATIENT: Record<Locale, string> = { fr: 'pat_fr', en: 'pat_en' };
const COMMENT: Record<Locale, string> = {
  fr: 'Merci, c’était très utile.',
  en: 'Thank you, it helped a lot.',
};

let server: FunctionsHttpServer;
let h: Harness;
let userDataDir: string;
let browser: BrowserContext;
/** Every URL the browser asked for, page loads and form posts alike. */
const requested: string[] = [];

interface Links {
  later: string;
  unsubscribe: string;
  feedback: string;
}
const links = {} as Record<Locale, Links>;

/** The link of one action in an email to the patient, read from its decoded text part as a mail client shows it. */
async function linkIn(patientId: string, template: string, action: keyof Links): Promise<string> {
  for (const email of readOutbox(h.outboxDirectory)) {
    if (email.headers.get('x-reengage-template') !== template) continue;
    const parsed = await simpleParser(email.raw);
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    if (to?.value[0]?.address !== `${patientId}@example.org`) continue;
    for (const url of parsed.text?.match(
      /http:\/\/127\.0\.0\.1:\d+\/api\/(?:r|unsubscribe)\/[\w-]+\.[\w-]+/g,
    ) ?? []) {
      const token = url.split('/').at(-1) ?? '';
      const payload = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
      if (payload.a === action) return url;
    }
  }
  throw new Error(`no ${action} link in the ${template} email to ${patientId}`);
}

async function row(patientId: string, step: number): Promise<OutreachRow | undefined> {
  for await (const r of h.deps.ledger.listOutreachForPatient(A, patientId))
    if (r.step === step && r.campaign === 'lapse') return r;
  return undefined;
}

async function visit(patientId: string, locale: Locale) {
  const startsAt = '2026-12-01T10:00:00+01:00';
  const response = await h.postEvent(A, {
    id: `${patientId}-visit`,
    type: 'appointment.completed',
    occurredAt: h.clock.now().toISOString(),
    patient: {
      id: patientId,
      firstName: `Prénom ${patientId}`,
      email: `${patientId}@example.org`,
      locale,
      therapistId: 'th_1',
      emailConsent: true,
    },
    appointment: { id: `${patientId}-apt`, startsAt },
  });
  expect(response.status).toBe(202);
}

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * axe-core goes in through the DevTools protocol: a <script> tag (page.addScriptTag) is refused by the page's
 * own CSP, and bypassing the CSP would stop the browser from enforcing the policy these pages depend on.
 */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} } }).then((r) => r.violations)`,
  )) as Violation[];
  return violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} at ${n.target.join(' ')}\n  ${n.failureSummary}`),
  );
}

/** What every page must be: the status, the CSP, the language, no axe violation; then its screenshot. */
async function checkPage(
  page: Page,
  response: Response | null,
  name: string,
  lang: string,
  status = 200,
  file = `${name}.${lang}.png`,
) {
  expect(response?.status()).toBe(status);
  expect(response?.headers()['content-security-policy']).toBe(CSP);
  expect(await page.evaluate('document.documentElement.lang')).toBe(lang);
  expect(await axeViolations(page)).toEqual([]);
  await page.screenshot({ path: path.join(SCREENSHOTS, file), fullPage: true });
}

interface Focused {
  id: string;
  tag: string;
  checked: boolean;
  outline: string;
  boxShadow: string;
}

const FOCUSED = `(() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  return { id: e.id, tag: e.tagName.toLowerCase(), checked: e.checked === true,
    outline: s.outlineStyle === 'none' || s.outlineWidth === '0px' ? 'none' : s.outlineStyle + ' ' + s.outlineWidth,
    boxShadow: s.boxShadow };
})()`;

async function focused(page: Page): Promise<Focused> {
  const now = (await page.evaluate(FOCUSED)) as Focused;
  // Keyboard focus must be visible (WCAG 2.4.7): an outline or a shadow, whichever the style uses.
  expect(
    now.outline !== 'none' || now.boxShadow !== 'none',
    `no focus indicator on ${now.tag}#${now.id}`,
  ).toBe(true);
  return now;
}

/** Presses Tab until the focus reaches `selector`, as a keyboard user would; fails if it never does. */
async function tabTo(page: Page, selector: string): Promise<Focused> {
  for (let presses = 0; presses < 15; presses++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(`document.activeElement.matches(${JSON.stringify(selector)})`))
      return focused(page);
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Enter on the focused submit button; resolves with the answer once the new page has loaded. */
async function submitWithEnter(page: Page): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().method() === 'POST'),
    page.waitForEvent('load'),
    page.keyboard.press('Enter'),
  ]);
  return response;
}

async function open(url: string): Promise<{ page: Page; response: Response | null }> {
  const page = await browser.newPage();
  return { page, response: await page.goto(url) };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no ${CHROMIUM}: run \`bash scripts/ensure-chromium.sh\` (npm test runs it first)`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startFunctionsHttpServer(() => h.deps);
  h = await new Harness({
    connectionString: inject('azuriteConnectionString'),
    start: '2026-12-01T12:00:00Z',
    publicBaseUrl: server.origin,
  }).ready();
  // The compressed cadence (days 30, 55, 80) brings the feedback email (template 8, step 3) within reach.
  await h.addPractice(
    aPractice({
      id: A,
      bookingUrl: BOOKING_URL,
      cadenceDays: [30, 55, 80],
      seasonalWindows: [],
      defaultTherapistId: 'th_1',
    }),
    [aTherapist({ practiceId: A })],
  );
  await visit(PATIENT.fr, 'fr');
  await visit(PATIENT.en, 'en');
  // Steps 1, 2 and 3 on days 30, 55 and 80 after 1 December 2026.
  for (const day of ['2026-12-31', '2027-01-25', '2027-02-19']) {
    h.clock.set(`${day}T05:00:00Z`);
    await h.plan();
    expect((await h.drain()).results).toEqual({ sent: 2 });
  }
  for (const locale of ['fr', 'en'] as const) {
    links[locale] = {
      later: await linkIn(PATIENT[locale], 'check-in', 'later'),
      unsubscribe: await linkIn(PATIENT[locale], 'check-in', 'unsubscribe'),
      feedback: await linkIn(PATIENT[locale], 'feedback', 'feedback'),
    };
  }
  h.clock.set('2027-02-19T10:00:00Z');

  userDataDir = mkdtempSync(path.join(tmpdir(), 'reengage-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  browser.on('request', (request) => requested.push(request.url()));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await server?.close();
  await h?.dispose();
});

describe.each(['fr', 'en'] as const)('in %s', (locale) => {
  const patientId = PATIENT[locale];

  it('not now: the page, then Tab and Enter on its button pause the patient for 90 days', async () => {
    const { page, response } = await open(links[locale].later);
    await checkPage(page, response, 'later', locale);
    expect((await tabTo(page, 'button[type=submit]')).tag).toBe('button');
    const done = await submitWithEnter(page);
    await checkPage(page, done, 'later-done', locale);
    // 19 February 2027 10:00 UTC + 90 days = 20 May 2027 10:00 UTC (noon in Paris).
    expect(await page.textContent('main')).toContain(
      locale === 'fr' ? '20\u00a0mai\u00a02027' : '20\u00a0May\u00a02027',
    );
    expect((await h.deps.patients.getPatient(A, patientId))?.value.pausedUntil).toBe(
      '2027-05-20T10:00:00.000Z',
    );
    expect((await row(patientId, 1))?.response).toBe('later');
    await page.close();
  });

  it('feedback: sent empty, the errors; then rated 4 with a comment, by keyboard only', async () => {
    const { page, response } = await open(links[locale].feedback);
    await checkPage(page, response, 'feedback', locale);

    // The submit button straight away, no rating: the form comes back with its errors.
    await tabTo(page, 'button[type=submit]');
    const invalid = await submitWithEnter(page);
    await checkPage(page, invalid, 'feedback-error', locale, 400);
    expect(await page.evaluate('document.querySelectorAll(".error-summary a").length')).toBe(1);

    // Tab enters the radio group on its first button (none is checked); each arrow moves and checks.
    expect(await tabTo(page, 'input[name=rating]')).toMatchObject({ id: 'rating-1', checked: false });
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toMatchObject({ id: 'rating-4', checked: true });
    expect((await tabTo(page, 'textarea')).id).toBe('comment');
    await page.keyboard.type(COMMENT[locale]);
    expect((await tabTo(page, 'button[type=submit]')).tag).toBe('button');
    // Filled in, the focus ring on the button: what a keyboard user sees before sending.
    await page.screenshot({ path: path.join(SCREENSHOTS, `feedback-filled.${locale}.png`), fullPage: true });
    const thanks = await submitWithEnter(page);
    await checkPage(page, thanks, 'feedback-thanks', locale);

    const step3 = await row(patientId, 3);
    expect(step3?.templateId).toBe('feedback');
    expect(await h.deps.feedback.getFeedback(A, step3?.id ?? '')).toMatchObject({
      patientId,
      rating: 4,
      comment: COMMENT[locale],
    });
    await page.close();
  });

  it('unsubscribe: the page, then Tab and Enter on its button unsubscribe the patient', async () => {
    const { page, response } = await open(links[locale].unsubscribe);
    await checkPage(page, response, 'unsubscribe', locale);
    expect((await h.deps.patients.getPatient(A, patientId))?.value.suppressed).toBe(false);
    await tabTo(page, 'button[type=submit]');
    const done = await submitWithEnter(page);
    await checkPage(page, done, 'unsubscribe-done', locale);
    const patient = (await h.deps.patients.getPatient(A, patientId))?.value;
    expect(patient?.suppressed).toBe(true);
    expect(patient?.emailConsent).toMatchObject({ granted: false, source: 'unsubscribe' });
    await page.close();
  });
});

describe('links that cannot be used', () => {
  it('expired (the check-in links, signed on 31 December, lapse after 90 days): 410 in the email’s language', async () => {
    h.clock.set('2027-04-05T09:00:00Z');
    for (const locale of ['fr', 'en'] as const) {
      const { page, response } = await open(links[locale].later);
      await checkPage(page, response, 'expired', locale, 410);
      await page.close();
    }
  });

  it('tampered: 400, one page in French then English', async () => {
    const later = links.fr.later;
    // A character in the middle of the signature: the last one carries padding bits only.
    const at = later.lastIndexOf('.') + 10;
    const tampered = `${later.slice(0, at)}${later[at] === 'A' ? 'B' : 'A'}${later.slice(at + 1)}`;
    const { page, response } = await open(tampered);
    await checkPage(page, response, 'tampered', 'fr', 400, 'tampered.fr-en.png');
    expect(await page.evaluate('document.querySelector(".other-language").lang')).toBe('en');
    await page.close();
  });
});

it('the browser asked for nothing but the local server', () => {
  expect(requested.length).toBeGreaterThan(0);
  expect(requested.filter((url) => !url.startsWith(`${server.origin}/`))).toEqual([]);
});
