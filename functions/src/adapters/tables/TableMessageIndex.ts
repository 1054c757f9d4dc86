// MessageIndex table: PK the ACS message id, RK empty; maps a delivery report back to its Outreach row.
import type { TableClient } from '@azure/data-tables';
import type { MessageIndex, MessageIndexEntry } from '../../core/ports';
import { EntityReader, toEntity } from './entityCodec';
import { checkedKey } from './keys';
import { TableOperations } from './TableOperations';

const ROW = '';

export class TableMessageIndex implements MessageIndex {
  private readonly messages: TableOperations;

  constructor(messageIndexTable: TableClient) {
    this.messages = new TableOperations(messageIndexTable);
  }

  async upsertMessage(entry: MessageIndexEntry): Promise<void> {
    await this.messages.upsert(
      toEntity(this.messages.table, checkedKey(entry.messageId, 'message id'), ROW, {
        messageId: entry.messageId,
        practiceId: entry.practiceId,
        outreachId: entry.outreachId,
      }),
    );
  }

  async getMessage(messageId: string): Promise<MessageIndexEntry | null> {
    const row = await this.messages.get(checkedKey(messageId, 'message id'), ROW);
    if (!row) return null;
    const r = new EntityReader(row.entity, this.messages.table);
    return {
      messageId: r.string('messageId'),
      practiceId: r.string('practiceId'),
      outreachId: r.string('outreachId'),
    };
  }
}
