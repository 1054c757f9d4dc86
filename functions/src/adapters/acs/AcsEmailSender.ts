// The only file that talks to Azure Communication Services Email.
import {
  EmailClient,
  type EmailClientOptions,
  type EmailMessage,
  type EmailSendOptionalParams,
} from '@azure/communication-email';
import type { TokenCredential } from '@azure/identity';
import { isAllowedAcsEndpoint } from '../../config';
import { ReengageError } from '../../core/errors';
import type { Clock, EmailSender, OutgoingEmail, SendOutcome, SendStatus } from '../../core/ports';

export type AcsEmailSenderOptions = (
  | { connectionString: string; endpoint?: string }
  /** Managed identity in Azure: the caller picks DefaultAzureCredential or ManagedIdentityCredential. */
  | { endpoint: string; credential: TokenCredential }
) & {
  /** Per request. A send that hangs longer is reported as transport_unavailable (default 30 s). */
  timeoutInMs?: number;
  disableUserEngagementTracking?: boolean;
  /** Only to turn a Retry-After HTTP date into a delay. */
  clock?: Clock;
};

const DEFAULT_RETRY_AFTER_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type RequestOptions = Pick<EmailSendOptionalParams, 'requestOptions' | 'abortSignal'>;

interface SendResultReader {
  getSendResult(operationId: string, options?: RequestOptions): Promise<{ id: string; status: string }>;
}

/** The fields of core's RestError this adapter reads; matched by name so no core package is imported. */
interface RestErrorLike {
  name: 'RestError';
  message: string;
  code?: string;
  statusCode?: number;
  response?: { headers: { get(name: string): string | undefined } };
}

export class AcsEmailSender implements EmailSender {
  private readonly client: EmailClient;
  private readonly results: SendResultReader;
  private readonly timeoutInMs: number;
  private readonly disableUserEngagementTracking: boolean;
  private readonly clock: Clock;

  constructor(options: AcsEmailSenderOptions) {
    const endpoint =
      'credential' in options ? options.endpoint : endpointOfConnectionString(options.connectionString);
    if (!endpoint || !isAllowedAcsEndpoint(endpoint)) {
      throw new ReengageError(
        'invalid_configuration',
        'the ACS endpoint must be https (plain http is allowed only on 127.0.0.1 for local stand-ins)',
      );
    }
    if ('connectionString' in options && options.endpoint && !sameOrigin(options.endpoint, endpoint)) {
      throw new ReengageError(
        'invalid_configuration',
        'ACS_ENDPOINT and the endpoint of ACS_CONNECTION_STRING differ',
      );
    }
    const clientOptions: EmailClientOptions = {
      // No retry inside the client, for 429 nor for 5xx/network: a 429 goes back to the queue with its
      // Retry-After (sleeping here would hold a worker and still break the quota), and a send whose answer
      // was lost must be resolved by reading the operation's status, never by posting again blindly. The
      // queue host retries with backoff, and the send use case asks getStatus before trying again.
      retryOptions: { maxRetries: 0 },
      allowInsecureConnection: new URL(endpoint).protocol === 'http:',
    };
    this.client =
      'credential' in options
        ? new EmailClient(options.endpoint, options.credential, clientOptions)
        : new EmailClient(options.connectionString, clientOptions);
    this.results = sendResultReaderOf(this.client);
    this.timeoutInMs = options.timeoutInMs ?? DEFAULT_TIMEOUT_MS;
    this.disableUserEngagementTracking = options.disableUserEngagementTracking ?? false;
    this.clock = options.clock ?? { now: () => new Date() };
  }

  async send(email: OutgoingEmail, operationId: string): Promise<SendOutcome> {
    assertOperationId(operationId);
    const message = toEmailMessage(email, this.disableUserEngagementTracking);
    const accepted: { id: string | null } = { id: null };
    const afterAccepted = new AbortController();
    try {
      await this.client.beginSend(message, {
        operationId,
        abortSignal: afterAccepted.signal,
        requestOptions: { timeout: this.timeoutInMs },
        onResponse: (response) => {
          if (accepted.id !== null || response.request.method !== 'POST') return;
          if (response.status < 200 || response.status >= 300) return;
          const body = response.parsedBody as { id?: unknown } | undefined;
          accepted.id = typeof body?.id === 'string' && body.id !== '' ? body.id : operationId;
          // beginSend would now poll the operation; accepted is all a send needs, so the poll is cancelled
          // before it goes out. Anything that happens after the POST was accepted is ignored below.
          afterAccepted.abort();
        },
      });
    } catch (error) {
      if (accepted.id === null) return this.outcomeOfFailedSend(error);
    }
    if (accepted.id === null) {
      throw new ReengageError('transport_unavailable', 'ACS gave no answer to the send request', true);
    }
    return { kind: 'accepted', messageId: accepted.id };
  }

  async getStatus(operationId: string): Promise<SendStatus> {
    assertOperationId(operationId);
    let result: { status: string };
    try {
      result = await this.results.getSendResult(operationId, {
        requestOptions: { timeout: this.timeoutInMs },
      });
    } catch (error) {
      const rest = asRestError(error);
      if (rest?.statusCode === 404) return 'unknown';
      if (rest?.statusCode === 429) {
        throw new ReengageError('throttled', `ACS throttled the status read (${describe(rest)})`, true);
      }
      const failure = transportFailure(error, 'status read');
      if (failure) throw failure;
      if (rest) throw new ReengageError('invalid_input', `ACS refused the status read (${describe(rest)})`);
      throw error;
    }
    switch (result.status.toLowerCase()) {
      case 'succeeded':
        return 'succeeded';
      case 'failed':
      case 'canceled':
        return 'failed';
      default:
        // NotStarted, Running, and any status a later API version adds: never read as "safe to send again".
        return 'running';
    }
  }

  private outcomeOfFailedSend(error: unknown): SendOutcome {
    const rest = asRestError(error);
    if (rest?.statusCode === 429) return { kind: 'throttled', retryAfterMs: this.retryAfterMs(rest) };
    const failure = transportFailure(error, 'send');
    if (failure) throw failure;
    if (!rest) throw error;
    return {
      kind: 'rejected',
      code: rest.code ?? rest.response?.headers.get('x-ms-error-code') ?? `http_${rest.statusCode}`,
      message: withoutAddresses(rest.message),
    };
  }

  private retryAfterMs(rest: RestErrorLike): number {
    const headers = rest.response?.headers;
    for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
      const value = headers?.get(name)?.trim();
      if (value && /^\d+$/.test(value)) return Number(value);
    }
    const retryAfter = headers?.get('retry-after')?.trim();
    if (!retryAfter) return DEFAULT_RETRY_AFTER_MS;
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (Number.isNaN(at)) return DEFAULT_RETRY_AFTER_MS;
    return Math.max(0, at - this.clock.now().getTime());
  }
}

/**
 * 5xx, 408, 409, network failures and timeouts: the email may or may not have been taken, so the message
 * goes back to the queue (retryable) and the next attempt starts by reading the operation's status.
 * 401/403 too: a rotated key or a missing role assignment is fixed by the operator, after which the same
 * email must still go out, so it must not be recorded as a permanent failure of that email.
 */
function transportFailure(error: unknown, what: string): ReengageError | null {
  const rest = asRestError(error);
  if (rest) {
    const status = rest.statusCode;
    if (status === undefined) {
      return new ReengageError(
        'transport_unavailable',
        `ACS ${what} failed on the network (${describe(rest)})`,
        true,
      );
    }
    if (status === 401 || status === 403) {
      return new ReengageError(
        'unauthorized',
        `ACS refused the credentials for the ${what} (${describe(rest)})`,
        true,
      );
    }
    // 409: ACS is still processing an earlier request with the same operation id.
    if (status >= 500 || status === 408 || status === 409) {
      return new ReengageError('transport_unavailable', `ACS ${what} failed (${describe(rest)})`, true);
    }
    return null;
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return new ReengageError('transport_unavailable', `ACS ${what} timed out or was aborted`, true);
  }
  return null;
}

function toEmailMessage(email: OutgoingEmail, disableUserEngagementTracking: boolean): EmailMessage {
  const message: EmailMessage = {
    // ACS takes no display name with the sender: it is the display name of the MailFrom sender username
    // configured on the domain (infra), so from.displayName cannot travel with the message.
    senderAddress: email.from.address,
    recipients: { to: [toAddress(email.to)] },
    content: { subject: email.subject, html: email.html, plainText: email.text },
    headers: { ...email.headers },
    disableUserEngagementTracking,
  };
  if (email.replyTo) message.replyTo = [toAddress(email.replyTo)];
  return message;
}

function toAddress(address: { address: string; displayName: string | null }): {
  address: string;
  displayName?: string;
} {
  return address.displayName
    ? { address: address.address, displayName: address.displayName }
    : { address: address.address };
}

/**
 * EmailClient 1.x has no public status call; the generated client it wraps has `getSendResult`
 * (GET /emails/operations/{id}) on the same pipeline, so the same auth and retry options apply. Checked
 * here so that an SDK upgrade that moves it fails at start-up and in the integration tests.
 */
function sendResultReaderOf(client: EmailClient): SendResultReader {
  const inner = (client as unknown as { generatedClient?: { email?: Partial<SendResultReader> } })
    .generatedClient;
  const operations = inner?.email;
  if (!operations || typeof operations.getSendResult !== 'function') {
    throw new TypeError(
      '@azure/communication-email no longer exposes getSendResult: AcsEmailSender needs updating',
    );
  }
  return { getSendResult: operations.getSendResult.bind(operations) };
}

function asRestError(error: unknown): RestErrorLike | null {
  return error instanceof Error && error.name === 'RestError' ? (error as unknown as RestErrorLike) : null;
}

function describe(rest: RestErrorLike): string {
  const requestId = rest.response?.headers.get('x-ms-request-id');
  const parts = [
    rest.statusCode === undefined ? 'no response' : `HTTP ${rest.statusCode}`,
    rest.code,
    requestId ? `request ${requestId}` : undefined,
  ];
  return parts.filter(Boolean).join(', ');
}

/** ACS messages sometimes quote the recipient; they end up in the ledger and logs, addresses must not. */
function withoutAddresses(message: string): string {
  return message.replace(/[^\s<>()[\]"',;:]+@[^\s<>()[\]"',;:]+/g, '<address>').slice(0, 500);
}

function assertOperationId(operationId: string): void {
  if (!UUID.test(operationId)) throw new TypeError('operationId must be a UUID');
}

function endpointOfConnectionString(connectionString: string): string | null {
  const match = /(?:^|;)\s*endpoint=([^;]+)/i.exec(connectionString);
  return match?.[1]?.trim() ?? null;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
