// Puts send requests on the `outreach-send` queue, hidden until the instant they may be sent.
import type { QueueClient } from '@azure/storage-queue';
import type { Clock, SendRequest, SendScheduler } from '../../core/ports';
import { guard } from '../tables/storageErrors';

/** Azure Storage refuses a visibility timeout above 7 days; a minute of margin absorbs clock skew. */
export const MAX_VISIBILITY_DELAY_IN_SECONDS = 7 * 24 * 60 * 60 - 60;

export interface QueueSendSchedulerOptions {
  maxVisibilityDelayInSeconds?: number;
}

export class QueueSendScheduler implements SendScheduler {
  private readonly maxDelayInSeconds: number;

  constructor(
    private readonly queue: QueueClient,
    private readonly clock: Clock,
    options: QueueSendSchedulerOptions = {},
  ) {
    const max = options.maxVisibilityDelayInSeconds ?? MAX_VISIBILITY_DELAY_IN_SECONDS;
    if (!Number.isInteger(max) || max < 0 || max > 7 * 24 * 60 * 60) {
      throw new RangeError('maxVisibilityDelayInSeconds must be an integer between 0 and 604800');
    }
    this.maxDelayInSeconds = max;
  }

  /**
   * A send further away than the cap arrives early; the consumer sees `notBefore` in the future and
   * schedules the remainder, so no request is ever dropped for being too far ahead.
   */
  async scheduleSend(request: SendRequest, visibleAt: Date): Promise<void> {
    const delayInMs = visibleAt.getTime() - this.clock.now().getTime();
    if (Number.isNaN(delayInMs)) throw new RangeError('visibleAt is not a valid date');
    // Rounded up: a message must never become visible before its instant.
    const visibilityTimeout = Math.min(this.maxDelayInSeconds, Math.max(0, Math.ceil(delayInMs / 1000)));
    // Plain JSON (the host reads the queue with messageEncoding none), ids only: no personal data.
    const body: SendRequest = {
      v: request.v,
      practiceId: request.practiceId,
      outreachId: request.outreachId,
      notBefore: request.notBefore,
    };
    await guard(`${this.queue.name} send`, () =>
      // A message that expired would be an email silently lost, so messages never expire.
      this.queue.sendMessage(JSON.stringify(body), { visibilityTimeout, messageTimeToLive: -1 }),
    );
  }
}
