// Queue `outreach-send`: one message per planned email; throws only for retryable failures.
import { app, type InvocationContext } from '@azure/functions';
import type { Deps } from '../app/deps';
import { parseSendRequest, sendOutreach } from '../app/sendOutreach';
import { depsFor } from '../composition';
import { isReengageError } from '../core/errors';

export async function handleSendOutreach(deps: Deps, message: unknown): Promise<string> {
  let body = message;
  if (typeof message === 'string') {
    try {
      body = JSON.parse(message);
    } catch {
      body = null;
    }
  }
  let request: ReturnType<typeof parseSendRequest>;
  try {
    request = parseSendRequest(body);
  } catch (error) {
    // A malformed message cannot become valid by retrying: log it (no content) and complete.
    if (!isReengageError(error, 'invalid_input')) throw error;
    deps.log.error('malformed outreach-send message discarded', { reason: error.message });
    return 'malformed';
  }
  return sendOutreach(deps, request);
}

export async function sendOutreachFromQueue(message: unknown, context: InvocationContext): Promise<void> {
  await handleSendOutreach(await depsFor(context), message);
}

app.storageQueue('sendOutreach', {
  queueName: 'outreach-send',
  connection: 'ReengageStorage',
  handler: sendOutreachFromQueue,
});
