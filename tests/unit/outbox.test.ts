// The outbox transport: .eml files parsed back with mailparser, as a mail client would read them.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AddressObject, simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutboxEmailSender } from '../../functions/src/adapters/outbox/OutboxEmailSender';
import type { Clock, OutgoingEmail } from '../../functions/src/core/ports';

const OP = '0b5e7c1a-2f4d-4e8a-9c3b-7d6e5f4a3b21';
const SUBJECT = 'Élise vous souhaite une belle année 🌱 : prenez soin de vous, à très bientôt au cabinet !';
const TEXT = [
  'Bonjour Camille,',
  '',
  'Cela fait quelques semaines que nous ne nous sommes pas vus, et nous espérions que tout allait bien pour vous 🙂.',
  '.Une ligne qui commence par un point, une autre avec = et un espace final ',
  '',
  'Élise Martin',
].join('\n');
const HTML =
  '<!doctype html><html lang="fr"><body><p>Bonjour Camille,</p>' +
  `<p>${'Nous pensions à vous. '.repeat(60)}</p>` +
  '<p><a href="https://reengage.example/api/r/tok?x=1&amp;y=2">Reprendre rendez-vous</a></p></body></html>';

const email: OutgoingEmail = {
  from: { address: 'cabinet@mail.reengage.example', displayName: 'Cabinet Dupont-Lefèvre' },
  to: { address: 'camille@example.org', displayName: 'Camille Durand' },
  replyTo: { address: 'elise.martin@cabinet-dupont.example', displayName: 'Martin, Élise (psychologue)' },
  subject: SUBJECT,
  html: HTML,
  text: TEXT,
  headers: {
    'List-Unsubscribe':
      '<https://reengage.example/api/unsubscribe/eyJ0b2tlbiI6InVuc3Vic2NyaWJlIn0.c2lnbmF0dXJl>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'X-Reengage-Template': 'check-in',
    'X-Reengage-Outreach': 'out_7f3a',
  },
};

function fixedClock(iso: string): Clock {
  return { now: () => new Date(iso) };
}

function firstAddress(field: AddressObject | AddressObject[] | undefined): {
  address?: string;
  name: string;
} {
  const object = Array.isArray(field) ? field[0] : field;
  const value = object?.value[0];
  if (!value) throw new Error('no address parsed');
  return { address: value.address, name: value.name };
}

describe('OutboxEmailSender', () => {
  let root: string;
  let directory: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'reengage-outbox-'));
    directory = join(root, 'nested', 'outbox');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes one file named after the clock and the operation id, creating the directory', async () => {
    const sender = new OutboxEmailSender(directory, fixedClock('2027-01-05T05:04:09Z'));

    const outcome = await sender.send(email, OP);

    expect(outcome).toEqual({ kind: 'accepted', messageId: OP });
    expect(await readdir(directory)).toEqual([`20270105-050409-${OP}.eml`]);
  });

  it('writes a message that parses back to the same headers, subject and parts', async () => {
    const sender = new OutboxEmailSender(directory, fixedClock('2027-01-05T05:04:09Z'));
    await sender.send(email, OP);

    const raw = await readFile(join(directory, `20270105-050409-${OP}.eml`));
    const parsed = await simpleParser(raw);

    expect(parsed.subject).toBe(SUBJECT);
    expect(firstAddress(parsed.from)).toEqual({
      address: 'cabinet@mail.reengage.example',
      name: 'Cabinet Dupont-Lefèvre',
    });
    expect(firstAddress(parsed.to)).toEqual({ address: 'camille@example.org', name: 'Camille Durand' });
    expect(firstAddress(parsed.replyTo)).toEqual({
      address: 'elise.martin@cabinet-dupont.example',
      name: 'Martin, Élise (psychologue)',
    });
    expect(parsed.date?.toISOString()).toBe('2027-01-05T05:04:09.000Z');
    expect(parsed.messageId).toBe(`<${OP}@reengage.local>`);
    expect(parsed.text).toBe(TEXT);
    expect(parsed.html).toBe(HTML);
    expect(parsed.headers.get('mime-version')).toBe('1.0');
    expect(parsed.headers.get('x-reengage-template')).toBe('check-in');
    expect(parsed.headers.get('x-reengage-outreach')).toBe('out_7f3a');
    const lines = new Map(parsed.headerLines.map((h) => [h.key, h.line]));
    expect(lines.get('list-unsubscribe')).toBe(
      'List-Unsubscribe: <https://reengage.example/api/unsubscribe/eyJ0b2tlbiI6InVuc3Vic2NyaWJlIn0.c2lnbmF0dXJl>',
    );
    expect(lines.get('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(lines.get('date')).toBe('Date: Tue, 05 Jan 2027 05:04:09 +0000');
  });

  it('uses CRLF only, keeps every line within 998 characters and headers within 78', async () => {
    const sender = new OutboxEmailSender(directory, fixedClock('2027-01-05T05:04:09Z'));
    await sender.send(email, OP);

    const raw = (await readFile(join(directory, `20270105-050409-${OP}.eml`))).toString('utf8');

    expect(raw).not.toMatch(/[^\r]\n/);
    expect(raw).not.toMatch(/\r[^\n]/);
    const lines = raw.split('\r\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(998);
    const headerSection = raw.slice(0, raw.indexOf('\r\n\r\n')).split('\r\n');
    const longHeaderLines = headerSection.filter(
      (line) => line.length > 78 && !line.startsWith('List-Unsubscribe:'),
    );
    expect(longHeaderLines).toEqual([]);
    // The subject cannot fit one line, so it must have been folded into encoded words.
    expect(headerSection.find((line) => line.startsWith('Subject: '))).toMatch(/^Subject: =\?UTF-8\?B\?/);
    // 8-bit text never appears raw: both parts are quoted-printable, with lines of at most 76.
    expect(raw).toMatch(/^[\x20-\x7e\r\n]*$/);
    const bodyLines = raw.slice(raw.indexOf('\r\n\r\n') + 4).split('\r\n');
    expect(bodyLines.filter((line) => line.length > 76)).toEqual([]);
  });

  it('keeps every character whole inside each encoded word, emoji included', async () => {
    const subject = `${'🌱🙂'.repeat(15)} à bientôt`;
    const sender = new OutboxEmailSender(directory, fixedClock('2027-01-05T05:04:09Z'));
    await sender.send({ ...email, subject }, OP);

    const raw = (await readFile(join(directory, `20270105-050409-${OP}.eml`))).toString('utf8');
    const words = [...raw.slice(0, raw.indexOf('\r\n\r\n')).matchAll(/=\?UTF-8\?B\?([^?]*)\?=/g)];
    const subjectWords = words.map((m) => Buffer.from(m[1]!, 'base64').toString('utf8'));

    expect(subjectWords.length).toBeGreaterThan(2);
    expect(subjectWords.join('')).toContain(subject);
    expect(subjectWords.filter((word) => word.includes('\uFFFD'))).toEqual([]);
    expect((await simpleParser(raw)).subject).toBe(subject);
  });

  it('never writes the same operation id twice, even later', async () => {
    await new OutboxEmailSender(directory, fixedClock('2027-01-05T05:04:09Z')).send(email, OP);
    const later = new OutboxEmailSender(directory, fixedClock('2027-01-05T06:00:00Z'));

    const outcome = await later.send({ ...email, subject: 'Autre sujet' }, OP);

    expect(outcome).toEqual({ kind: 'accepted', messageId: OP });
    expect(await readdir(directory)).toEqual([`20270105-050409-${OP}.eml`]);
    const parsed = await simpleParser(await readFile(join(directory, `20270105-050409-${OP}.eml`)));
    expect(parsed.subject).toBe(SUBJECT);
  });

  it('writes one file when the same operation id is sent concurrently', async () => {
    const sender = new OutboxEmailSender(directory, fixedClock('2027-01-05T05:04:09Z'));

    await Promise.all([sender.send(email, OP), sender.send(email, OP), sender.send(email, OP)]);

    expect(await readdir(directory)).toEqual([`20270105-050409-${OP}.eml`]);
  });

  it('reports succeeded for a written operation and unknown otherwise', async () => {
    const sender = new OutboxEmailSender(directory, fixedClock('2027-01-05T05:04:09Z'));

    expect(await sender.getStatus(OP)).toBe('unknown');
    await sender.send(email, OP);
    expect(await sender.getStatus(OP)).toBe('succeeded');
    expect(await sender.getStatus('0b5e7c1a-2f4d-4e8a-9c3b-7d6e5f4a3b22')).toBe('unknown');
  });

  it('writes plain ASCII headers as they are, quoting a display name with specials', async () => {
    const sender = new OutboxEmailSender(directory, fixedClock('2027-01-05T05:04:09Z'));
    await sender.send(
      {
        ...email,
        from: { address: 'cabinet@mail.reengage.example', displayName: 'Cabinet Dupont, Paris' },
        to: { address: 'camille@example.org', displayName: null },
        replyTo: null,
        subject: 'How are you?',
      },
      OP,
    );

    const raw = (await readFile(join(directory, `20270105-050409-${OP}.eml`))).toString('utf8');
    expect(raw).toContain('\r\nSubject: How are you?\r\n');
    expect(raw).toContain('From: "Cabinet Dupont, Paris" <cabinet@mail.reengage.example>\r\n');
    expect(raw).toContain('\r\nTo: camille@example.org\r\n');
    expect(raw).not.toContain('Reply-To:');
  });

  it('folds a long ASCII subject at spaces and never encodes a long List-Unsubscribe', async () => {
    const subject =
      'We have not seen you for a while, and we simply wanted to ask how you are doing these days';
    const unsubscribe = `<https://reengage.example/api/unsubscribe/${'t'.repeat(120)}>, <mailto:unsubscribe@reengage.example>`;
    const sender = new OutboxEmailSender(directory, fixedClock('2027-01-05T05:04:09Z'));
    await sender.send(
      { ...email, subject, headers: { ...email.headers, 'List-Unsubscribe': unsubscribe } },
      OP,
    );

    const raw = (await readFile(join(directory, `20270105-050409-${OP}.eml`))).toString('utf8');
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    expect(head).toContain(
      '\r\nSubject: We have not seen you for a while, and we simply wanted to ask how you\r\n are doing these days\r\n',
    );
    expect(head).toContain(
      `List-Unsubscribe: <https://reengage.example/api/unsubscribe/${'t'.repeat(120)}>,\r\n <mailto:`,
    );
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(subject);
    expect(parsed.headerLines.find((h) => h.key === 'list-unsubscribe')?.line.replace(/\r\n/g, '')).toBe(
      `List-Unsubscribe: ${unsubscribe}`,
    );
  });

  it.each([
    ['a custom header value', { headers: { 'X-Reengage-Template': 'check-in\r\nBcc: victim@example.org' } }],
    ['the subject', { subject: 'Bonjour\nBcc: victim@example.org' }],
    [
      'a display name',
      { to: { address: 'camille@example.org', displayName: 'Camille\r\nBcc: x@example.org' } },
    ],
    ['an address', { to: { address: 'camille@example.org\r\nBcc: x@example.org', displayName: null } }],
  ])('refuses a line break in %s and writes nothing', async (_, change) => {
    const sender = new OutboxEmailSender(directory, fixedClock('2027-01-05T05:04:09Z'));

    await expect(sender.send({ ...email, ...change }, OP)).rejects.toThrow(TypeError);
    expect(await sender.getStatus(OP)).toBe('unknown');
  });

  it('refuses an operation id that could leave the directory', async () => {
    const sender = new OutboxEmailSender(directory, fixedClock('2027-01-05T05:04:09Z'));

    await expect(sender.send(email, '../escape')).rejects.toThrow(TypeError);
    await expect(sender.getStatus('../escape')).rejects.toThrow(TypeError);
  });
});
