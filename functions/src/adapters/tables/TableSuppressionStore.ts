// Suppressions table: PK the practice id, RK the salted hash of an address never to write to again.
import { odata, type TableClient } from '@azure/data-tables';
import type { SuppressionEntry, SuppressionReason, SuppressionStore } from '../../core/ports';
import { EntityReader, toEntity } from './entityCodec';
import { checkedKey } from './keys';
import { TableOperations } from './TableOperations';

const REASONS: readonly SuppressionReason[] = ['unsubscribed', 'bounced', 'suppressed', 'complained'];

export class TableSuppressionStore implements SuppressionStore {
  private readonly suppressions: TableOperations;

  constructor(suppressionsTable: TableClient) {
    this.suppressions = new TableOperations(suppressionsTable);
  }

  async getSuppression(practiceId: string, addressHash: string): Promise<SuppressionEntry | null> {
    const row = await this.suppressions.get(
      checkedKey(practiceId, 'practice id'),
      checkedKey(addressHash, 'address hash'),
    );
    return row && this.read(row.entity);
  }

  async upsertSuppression(entry: SuppressionEntry): Promise<void> {
    await this.suppressions.upsert(
      toEntity(
        this.suppressions.table,
        checkedKey(entry.practiceId, 'practice id'),
        checkedKey(entry.addressHash, 'address hash'),
        {
          practiceId: entry.practiceId,
          addressHash: entry.addressHash,
          reason: entry.reason,
          at: entry.at,
        },
      ),
    );
  }

  async *listSuppressions(practiceId: string): AsyncIterable<SuppressionEntry> {
    const partition = checkedKey(practiceId, 'practice id');
    for await (const entity of this.suppressions.query(odata`PartitionKey eq ${partition}`))
      yield this.read(entity);
  }

  private read(entity: Record<string, unknown>): SuppressionEntry {
    const r = new EntityReader(entity, this.suppressions.table);
    return {
      practiceId: r.string('practiceId'),
      addressHash: r.string('addressHash'),
      reason: r.oneOf('reason', REASONS),
      at: r.string('at'),
    };
  }
}
