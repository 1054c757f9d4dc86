// Builds an RFC 5322 message (RFC 2045 quoted-printable parts, RFC 2047 encoded words) for the outbox.
import type { OutgoingEmail } from '../../core/ports';

const CRLF = '\r\n';
/** RFC 5322 2.1.1: lines SHOULD stay within 78 characters. */
const SOFT_LINE_LIMIT = 78;
/** RFC 5322 2.1.1: lines MUST NOT exceed 998 characters. */
const HARD_LINE_LIMIT = 998;
/** UTF-8 bytes per encoded word: 56 base64 characters, so `=?UTF-8?B?…?=` is 68 and fits after "Subject: ". */
const ENCODED_WORD_BYTES = 42;
const HEADER_NAME = /^[!-9;-~]+$/;
const PRINTABLE_ASCII = /^[ -~]*$/;
/** Names the message builder writes itself; a custom header may not replace them. */
const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

export interface MimeEnvelope {
  messageId: string;
  date: Date;
}

/**
 * The whole message with CRLF line ends. Throws TypeError when a header value holds CR or LF (or any other
 * control character): values come from our own renderer and settings, so that is a bug or a hostile
 * setting to surface, not something to clean up quietly.
 */
export function buildMessage(email: OutgoingEmail, envelope: MimeEnvelope): string {
  // "=_" never occurs in quoted-printable text, so the boundary cannot collide with a part's content.
  const boundary = `=_reengage_${(envelope.messageId.split('@')[0] ?? '').replace(/[^A-Za-z0-9]/g, '').slice(0, 40)}`;
  const headers: string[] = [
    formatHeader('From', mailbox(email.from.address, email.from.displayName, 'From')),
    formatHeader('To', mailbox(email.to.address, email.to.displayName, 'To')),
  ];
  if (email.replyTo) {
    headers.push(
      formatHeader('Reply-To', mailbox(email.replyTo.address, email.replyTo.displayName, 'Reply-To')),
    );
  }
  headers.push(
    unstructuredHeader('Subject', email.subject),
    formatHeader('Date', rfc5322Date(envelope.date)),
    formatHeader('Message-ID', `<${envelope.messageId}>`),
    formatHeader('MIME-Version', '1.0'),
  );
  for (const [name, value] of Object.entries(email.headers)) {
    if (!HEADER_NAME.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
    if (RESERVED_HEADERS.has(name.toLowerCase()))
      throw new TypeError(`header ${name} is set by the message builder`);
    headers.push(unstructuredHeader(name, value));
  }
  headers.push(formatHeader('Content-Type', `multipart/alternative;${CRLF} boundary="${boundary}"`));

  const message = [
    ...headers,
    '',
    'This is a multi-part message in MIME format.',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    quotedPrintable(email.text),
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    quotedPrintable(email.html),
    `--${boundary}--`,
    '',
  ].join(CRLF);

  for (const line of message.split(CRLF)) {
    if (line.length > HARD_LINE_LIMIT) throw new RangeError('a header line would exceed 998 characters');
  }
  return message;
}

/** `Tue, 05 Jan 2027 05:00:00 +0000` (RFC 5322 3.3), always in UTC. */
export function rfc5322Date(date: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${days[date.getUTCDay()]}, ${two(date.getUTCDate())} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}

function assertHeaderValue(name: string, value: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
    throw new TypeError(`header ${name} contains a line break or control character`);
  }
}

function mailbox(address: string, displayName: string | null, headerName: string): string {
  assertHeaderValue(headerName, address);
  if (!/^[^\s<>(),;:"\\[\]]+@[^\s<>(),;:"\\[\]@]+$/.test(address)) {
    throw new TypeError(`header ${headerName} holds an invalid address`);
  }
  if (!displayName) return address;
  assertHeaderValue(headerName, displayName);
  const name = phrase(displayName, `${headerName}: `.length);
  const lastLine = `${headerName}: ${name}`.split(CRLF).at(-1) ?? '';
  const separator = lastLine.length + address.length + 3 <= SOFT_LINE_LIMIT ? ' ' : `${CRLF} `;
  return `${name}${separator}<${address}>`;
}

/** A display name: an atom or quoted string when it is ASCII and fits, else RFC 2047 encoded words. */
function phrase(text: string, used: number): string {
  if (PRINTABLE_ASCII.test(text) && !text.includes('=?')) {
    const candidate = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(text)
      ? text
      : `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    if (used + candidate.length <= SOFT_LINE_LIMIT) return candidate;
  }
  return encodedWords(text).join(`${CRLF} `);
}

/**
 * Subject and custom headers: ASCII is folded at spaces (a word longer than a line, such as a URL, keeps
 * its own line: encoded words would break structured values like List-Unsubscribe); anything else becomes
 * RFC 2047 encoded words.
 */
function unstructuredHeader(name: string, value: string): string {
  assertHeaderValue(name, value);
  const prefix = `${name}: `;
  if (PRINTABLE_ASCII.test(value) && !value.includes('=?')) return foldAtSpaces(prefix, value);
  return prefix + encodedWords(value).join(`${CRLF} `);
}

function formatHeader(name: string, value: string): string {
  return `${name}: ${value}`;
}

/** Folds before spaces so that lines stay within 78 characters wherever a space allows it. */
function foldAtSpaces(prefix: string, value: string): string {
  const lines: string[] = [];
  let line = prefix;
  for (const word of value.split(/(?= )/)) {
    if (line.length + word.length > SOFT_LINE_LIMIT && line.trim() !== '' && line !== prefix) {
      lines.push(line);
      line = '';
    }
    line += word;
  }
  lines.push(line);
  // Each continuation line starts with the space split off before it, which is how unfolding restores it.
  return lines.join(CRLF);
}

/** RFC 2047 B encoded words, each holding whole characters so no UTF-8 sequence is split. */
function encodedWords(text: string): string[] {
  const words: string[] = [];
  let chunk: Buffer[] = [];
  let size = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    words.push(`=?UTF-8?B?${Buffer.concat(chunk).toString('base64')}?=`);
    chunk = [];
    size = 0;
  };
  for (const character of text) {
    const bytes = Buffer.from(character, 'utf8');
    if (size + bytes.length > ENCODED_WORD_BYTES) flush();
    chunk.push(bytes);
    size += bytes.length;
  }
  flush();
  return words.length > 0 ? words : ['=?UTF-8?B??='];
}

/**
 * RFC 2045 6.7 quoted-printable of the UTF-8 bytes. Line breaks become CRLF; lines stay within 76
 * characters with soft breaks; whitespace before a line end and a leading dot are encoded.
 */
export function quotedPrintable(text: string): string {
  const lines = text.replace(/\r\n|\r|\n/g, '\n').split('\n');
  return lines.map(encodeQpLine).join(CRLF);
}

function encodeQpLine(line: string): string {
  // One token per character, so a soft break never splits a UTF-8 sequence (legal, but some readers choke).
  const characters = Array.from(line);
  const tokens = characters.map((character, index) => {
    const isLast = index === characters.length - 1;
    if (character === '=' || (index === 0 && character === '.')) return hex(character);
    if (character === ' ' || character === '\t') return isLast ? hex(character) : character;
    return /^[!-~]$/.test(character) ? character : hex(character);
  });
  const out: string[] = [];
  let current = '';
  for (const token of tokens) {
    // 75 leaves room for the "=" of a soft break within the 76-character limit.
    if (current.length + token.length > 75) {
      out.push(`${current}=`);
      current = '';
    }
    current += token;
  }
  out.push(current);
  return out.join(CRLF);
}

function hex(character: string): string {
  return Array.from(
    Buffer.from(character, 'utf8'),
    (byte) => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');
}
