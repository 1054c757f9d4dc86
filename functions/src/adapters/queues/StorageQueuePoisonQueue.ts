// A queue's `-poison` twin on Azure Storage: where the app itself puts messages it can never process.
import type { QueueClient } from '@azure/storage-queue';
import type { PoisonQueue } from '../../core/ports';
import { guard } from '../tables/storageErrors';

export class StorageQueuePoisonQueue implements PoisonQueue {
  constructor(private readonly queue: QueueClient) {}

  async sendPoisonMessage(messageText: string): Promise<void> {
    // The text as it arrived, so a re-drive puts back exactly what Event Grid wrote. The default
    // time-to-live (7 days) is the one the host gives its own poison messages: these may carry a
    // recipient address and should not outlive the investigation.
    await guard(`${this.queue.name} send`, () => this.queue.sendMessage(messageText));
  }
}
