// Reads the .eml files of an outbox folder: the headers the flow tests assert on.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface OutboxEmail {
  file: string;
  headers: Map<string, string>;
  raw: string;
}

export function readOutbox(directory: string): OutboxEmail[] {
  let files: string[];
  try {
    files = readdirSync(directory).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
  return files.sort().map((file) => {
    const raw = readFileSync(path.join(directory, file), 'utf8');
    const head = raw.split(/\r\n\r\n/)[0] ?? '';
    const headers = new Map<string, string>();
    for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    return { file, headers, raw };
  });
}

export function recipientsByTemplate(emails: OutboxEmail[]): Record<string, string> {
  return Object.fromEntries(
    emails.map((e) => [
      /<([^>]+)>|(\S+@\S+)/
        .exec(e.headers.get('to') ?? '')
        ?.slice(1)
        .find(Boolean) ?? '',
      e.headers.get('x-reengage-template') ?? '',
    ]),
  );
}
