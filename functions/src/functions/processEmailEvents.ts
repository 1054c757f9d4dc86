// Queue `email-events`: ACS delivery and engagement reports that Event Grid puts there (SPEC §4, §11).
import { app, type InvocationContext } from '@azure/functions';
import { decodeQueueMessage } from '../adapters/queues/QueueMessages';
import type { Deps } from '../app/deps';
import { type EmailEventsResult, processEmailEvents } from '../app/processEmailEvents';
import { depsFor } from '../composition';
import { type ParsedEmailEvents, parseEmailEvents } from '../core/emailEvents';

/** Raw JSON or base64 of JSON, as a string, bytes, or the object the host already parsed. */
export function readEmailEvents(message: unknown): ParsedEmailEvents {
  const decoded = decodeQueueMessage(message);
  if (decoded.ok) return parseEmailEvents(decoded.value);
  return {
    ok: false,
    error: decoded.error === 'empty' ? 'the message is empty' : 'the message is not JSON, raw or base64',
  };
}

/** The message as it came, for the poison queue. */
export function messageTextOf(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message instanceof Uint8Array) return Buffer.from(message).toString('utf8');
  return message === undefined || message === null ? '' : JSON.stringify(message);
}

export function handleEmailEvents(deps: Deps, message: unknown): Promise<EmailEventsResult> {
  return processEmailEvents(deps, readEmailEvents(message), () => messageTextOf(message));
}

export async function processEmailEventsFromQueue(
  message: unknown,
  context: InvocationContext,
): Promise<void> {
  await handleEmailEvents(await depsFor(context), message);
}

app.storageQueue('processEmailEvents', {
  queueName: 'email-events',
  connection: 'ReengageStorage',
  handler: processEmailEventsFromQueue,
});
