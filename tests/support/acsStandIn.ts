// A local HTTP stand-in for Azure Communication Services Email (tests and bench): the REST contract the real
// `@azure/communication-email` client speaks, HMAC authentication included, with scripted and seeded faults.
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { mulberry32 } from '../../scripts/lib/random';

export interface AcsEmailAddress {
  address: string;
  displayName?: string;
}

/** The JSON body of `POST /emails:send`, as the SDK serialises an `EmailMessage`. */
export interface AcsSendBody {
  senderAddress: string;
  recipients: { to: AcsEmailAddress[]; cc?: AcsEmailAddress[]; bcc?: AcsEmailAddress[] };
  content: { subject: string; html?: string; plainText?: string };
  replyTo?: AcsEmailAddress[];
  headers?: Record<string, string>;
  /** The SDK's `disableUserEngagementTracking` travels under this name. */
  userEngagementTrackingDisabled?: boolean;
  attachments?: unknown[];
}

export interface AcceptedEmail {
  operationId: string;
  body: AcsSendBody;
  /** HTTP request headers, names in lower case. */
  headers: Record<string, string>;
  apiVersion: string;
  receivedAt: Date;
}

export interface RequestRecord {
  method: string;
  path: string;
  operationId: string | null;
  /** The status answered, or `dropped` when the connection was cut instead. */
  status: number | 'dropped';
}

export type AcsFault =
  /** 429. `retryAfter` is sent verbatim as Retry-After (seconds or an HTTP date); omit it to send none. */
  | { kind: 'throttle'; retryAfter?: string | number; retryAfterMs?: number }
  /** Any status with an ACS error body `{ error: { code, message } }`. */
  | { kind: 'error'; status: number; code?: string; message?: string }
  /** Waits, then answers normally (the email is accepted even if the client gave up meanwhile). */
  | { kind: 'delay'; delayInMs: number }
  /** Cuts the connection without answering; nothing is recorded. */
  | { kind: 'drop' }
  /** Records the email, then cuts the connection: ACS took it but the client never heard. */
  | { kind: 'acceptThenDrop' };

export type ScriptedFault = AcsFault & { on?: 'send' | 'status' };

export interface AcsStandInOptions {
  /** Base64 access key; random when omitted. */
  accessKey?: string;
  /** Added before every answer. */
  latencyInMs?: number;
  /** How many status reads of a new operation answer `Running` before `Succeeded` (default 0). */
  runningPolls?: number;
  /** Retry-After (seconds) on the 202, the service's polling hint (default 1). */
  pollAfterSeconds?: number;
  /** Chaos mode: each request without a scripted fault fails with `probability`, drawn from a seeded PRNG. */
  randomFaults?: { seed: number; probability: number; faults: AcsFault[]; on?: 'send' | 'status' | 'any' };
}

export interface AcsStandIn {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  endpoint: string;
  connectionString: string;
  accessKey: string;
  /** Every email accepted, once per operation id, in order. */
  sent: AcceptedEmail[];
  /** Every request that reached the server, in order. */
  requests: RequestRecord[];
  /** How many `POST /emails:send` reached the server, whatever was answered. */
  readonly attempts: number;
  /** Queues faults; each is used by the next request it applies to (`on`, default `send`). */
  script(...faults: ScriptedFault[]): void;
  setLatency(latencyInMs: number): void;
  /** Makes an accepted operation end as `Failed` (e.g. a bounced domain). */
  failOperation(operationId: string, code?: string, message?: string): void;
  /** Forgets emails, requests, operations and scripted faults. */
  reset(): void;
  close(): Promise<void>;
}

type OperationState = {
  id: string;
  status: 'Running' | 'Succeeded' | 'Failed';
  runningPollsLeft: number;
  error?: { code: string; message: string };
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export async function startAcsStandIn(options: AcsStandInOptions = {}): Promise<AcsStandIn> {
  const accessKey = options.accessKey ?? randomBytes(32).toString('base64');
  const keyBytes = Buffer.from(accessKey, 'base64');
  const sent: AcceptedEmail[] = [];
  const requests: RequestRecord[] = [];
  const operations = new Map<string, OperationState>();
  const queue: ScriptedFault[] = [];
  const random = options.randomFaults ? mulberry32(options.randomFaults.seed) : null;
  let latencyInMs = options.latencyInMs ?? 0;
  let attempts = 0;
  let endpoint = '';

  const pickFault = (route: 'send' | 'status'): AcsFault | null => {
    const index = queue.findIndex((fault) => (fault.on ?? 'send') === route);
    if (index >= 0) return queue.splice(index, 1)[0] ?? null;
    const chaos = options.randomFaults;
    if (!chaos || !random || chaos.faults.length === 0) return null;
    const target = chaos.on ?? 'send';
    if (target !== 'any' && target !== route) return null;
    if (random() >= chaos.probability) return null;
    return chaos.faults[Math.floor(random() * chaos.faults.length)] ?? null;
  };

  const verifySignature = (req: IncomingMessage, rawBody: Buffer): boolean => {
    const date = header(req, 'x-ms-date');
    const contentHash = header(req, 'x-ms-content-sha256');
    const authorization = header(req, 'authorization');
    const host = header(req, 'host');
    if (!date || !contentHash || !authorization || !host) return false;
    const match = /^HMAC-SHA256 SignedHeaders=([^&]+)&Signature=(.+)$/.exec(authorization);
    if (!match?.[1] || !match[2]) return false;
    if (match[1].toLowerCase() !== 'x-ms-date;host;x-ms-content-sha256') return false;
    if (createHash('sha256').update(rawBody).digest('base64') !== contentHash) return false;
    const signedAt = Date.parse(date);
    if (Number.isNaN(signedAt) || Math.abs(Date.now() - signedAt) > MAX_CLOCK_SKEW_MS) return false;
    // The client signs the path and its query as re-serialised by URLSearchParams, so do the same here.
    const url = new URL(req.url ?? '/', `http://${host}`);
    const query = url.searchParams.toString();
    const pathAndQuery = query ? `${url.pathname}?${query}` : url.pathname;
    const stringToSign = `${(req.method ?? '').toUpperCase()}\n${pathAndQuery}\n${date};${host};${contentHash}`;
    const expected = createHmac('sha256', keyBytes).update(stringToSign, 'utf8').digest();
    const given = Buffer.from(match[2], 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const answerSend = (
    req: IncomingMessage,
    res: ServerResponse,
    rawBody: Buffer,
    apiVersion: string,
    record: RequestRecord,
    dropAfterAccept: boolean,
  ): void => {
    const contentType = header(req, 'content-type') ?? '';
    if (!contentType.toLowerCase().startsWith('application/json')) {
      sendError(res, record, 415, 'UnsupportedMediaType', 'Content-Type must be application/json.');
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawBody.toString('utf8'));
    } catch {
      sendError(res, record, 400, 'InvalidRequestBody', 'The request body is not valid JSON.');
      return;
    }
    const problem = validateSendBody(parsed);
    if (problem) {
      sendError(res, record, 400, 'InvalidRequest', problem);
      return;
    }
    const requestedId = header(req, 'operation-id');
    if (requestedId !== undefined && !UUID.test(requestedId)) {
      sendError(res, record, 400, 'InvalidOperationId', 'Operation-Id must be a GUID.');
      return;
    }
    const id = (requestedId ?? randomUUID()).toLowerCase();
    record.operationId = id;
    let operation = operations.get(id);
    if (!operation) {
      operation = { id, status: 'Running', runningPollsLeft: options.runningPolls ?? 0 };
      operations.set(id, operation);
      sent.push({
        operationId: id,
        body: parsed as AcsSendBody,
        headers: lowerCaseHeaders(req),
        apiVersion,
        receivedAt: new Date(),
      });
    }
    if (dropAfterAccept) {
      record.status = 'dropped';
      req.socket.destroy();
      return;
    }
    record.status = 202;
    writeJson(
      res,
      202,
      { id, status: operation.status === 'Failed' ? 'Failed' : 'Running' },
      {
        'Operation-Location': `${endpoint}/emails/operations/${id}?api-version=${encodeURIComponent(apiVersion)}`,
        'Retry-After': String(options.pollAfterSeconds ?? 1),
      },
    );
  };

  const answerStatus = (res: ServerResponse, id: string, record: RequestRecord): void => {
    record.operationId = id.toLowerCase();
    const operation = operations.get(id.toLowerCase());
    if (!operation) {
      sendError(res, record, 404, 'NotFound', `Operation ${id} was not found.`);
      return;
    }
    if (operation.status === 'Running') {
      if (operation.runningPollsLeft > 0) operation.runningPollsLeft -= 1;
      else operation.status = 'Succeeded';
    }
    record.status = 200;
    writeJson(res, 200, {
      id: operation.id,
      status: operation.status,
      ...(operation.error ? { error: operation.error } : {}),
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawBody = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const method = (req.method ?? 'GET').toUpperCase();
    const record: RequestRecord = { method, path: url.pathname, operationId: null, status: 0 };
    requests.push(record);
    const isSend = method === 'POST' && url.pathname === '/emails:send';
    const statusMatch = /^\/emails\/operations\/([^/]+)$/.exec(url.pathname);
    if (isSend) attempts += 1;
    if (latencyInMs > 0) await sleep(latencyInMs);

    if (rawBody === null)
      return sendError(res, record, 413, 'RequestEntityTooLarge', 'The request is too large.');
    if (!verifySignature(req, rawBody)) {
      return sendError(res, record, 401, 'Denied', 'Denied by the resource provider.');
    }
    const route = isSend ? 'send' : statusMatch && method === 'GET' ? 'status' : null;
    if (route === null) return sendError(res, record, 404, 'NotFound', 'Resource not found.');
    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion)
      return sendError(res, record, 400, 'MissingApiVersionParameter', 'api-version is required.');

    let dropAfterAccept = false;
    const fault = pickFault(route);
    if (fault) {
      switch (fault.kind) {
        case 'throttle': {
          const extra: Record<string, string> = {};
          if (fault.retryAfter !== undefined) extra['Retry-After'] = String(fault.retryAfter);
          if (fault.retryAfterMs !== undefined) extra['retry-after-ms'] = String(fault.retryAfterMs);
          return sendError(res, record, 429, 'TooManyRequests', 'Too many requests, retry later.', extra);
        }
        case 'error':
          return sendError(
            res,
            record,
            fault.status,
            fault.code ?? defaultCode(fault.status),
            fault.message ?? `Scripted ${fault.status}.`,
          );
        case 'delay':
          await sleep(fault.delayInMs);
          break;
        case 'drop':
          record.status = 'dropped';
          req.socket.destroy();
          return;
        case 'acceptThenDrop':
          dropAfterAccept = true;
          break;
      }
    }
    if (route === 'send') return answerSend(req, res, rawBody, apiVersion, record, dropAfterAccept);
    if (dropAfterAccept) {
      record.status = 'dropped';
      req.socket.destroy();
      return;
    }
    return answerStatus(res, decodeURIComponent(statusMatch?.[1] ?? ''), record);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        writeJson(res, 500, { error: { code: 'InternalError', message: String(error) } });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  endpoint = `http://127.0.0.1:${port}`;

  return {
    endpoint,
    connectionString: `endpoint=${endpoint}/;accesskey=${accessKey}`,
    accessKey,
    sent,
    requests,
    get attempts() {
      return attempts;
    },
    script(...faults) {
      queue.push(...faults);
    },
    setLatency(ms) {
      latencyInMs = ms;
    },
    failOperation(operationId, code = 'Bounced', message = 'The recipient mailbox rejected the message.') {
      const operation = operations.get(operationId.toLowerCase());
      if (!operation) throw new RangeError(`unknown operation ${operationId}`);
      operation.status = 'Failed';
      operation.error = { code, message };
    },
    reset() {
      sent.length = 0;
      requests.length = 0;
      queue.length = 0;
      operations.clear();
      attempts = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function validateSendBody(body: unknown): string | null {
  if (!isObject(body)) return 'The body must be a JSON object.';
  if (typeof body.senderAddress !== 'string' || body.senderAddress === '')
    return 'senderAddress is required.';
  const recipients = body.recipients;
  if (!isObject(recipients) || !Array.isArray(recipients.to) || recipients.to.length === 0) {
    return 'recipients.to must hold at least one address.';
  }
  for (const list of ['to', 'cc', 'bcc'] as const) {
    const value = recipients[list];
    if (value !== undefined && (!Array.isArray(value) || !value.every(isEmailAddress))) {
      return `recipients.${list} must be a list of { address, displayName? }.`;
    }
  }
  const content = body.content;
  if (!isObject(content) || typeof content.subject !== 'string') return 'content.subject is required.';
  if (typeof content.html !== 'string' && typeof content.plainText !== 'string') {
    return 'content needs html or plainText.';
  }
  for (const part of ['html', 'plainText'] as const) {
    if (content[part] !== undefined && typeof content[part] !== 'string')
      return `content.${part} must be a string.`;
  }
  if (body.replyTo !== undefined && (!Array.isArray(body.replyTo) || !body.replyTo.every(isEmailAddress))) {
    return 'replyTo must be a list of { address, displayName? }.';
  }
  if (body.headers !== undefined) {
    if (!isObject(body.headers) || !Object.values(body.headers).every((v) => typeof v === 'string')) {
      return 'headers must map names to strings.';
    }
  }
  if (
    body.userEngagementTrackingDisabled !== undefined &&
    typeof body.userEngagementTrackingDisabled !== 'boolean'
  ) {
    return 'userEngagementTrackingDisabled must be a boolean.';
  }
  return null;
}

function isEmailAddress(value: unknown): boolean {
  return (
    isObject(value) &&
    typeof value.address === 'string' &&
    value.address.includes('@') &&
    (value.displayName === undefined || typeof value.displayName === 'string')
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function writeJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'x-ms-request-id': randomUUID(),
    ...extra,
  });
  res.end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  record: RequestRecord,
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
): void {
  record.status = status;
  writeJson(res, status, { error: { code, message } }, { 'x-ms-error-code': code, ...extra });
}

function defaultCode(status: number): string {
  if (status === 400) return 'BadRequest';
  if (status === 503) return 'ServiceUnavailable';
  if (status >= 500) return 'InternalServerError';
  return `Http${status}`;
}
