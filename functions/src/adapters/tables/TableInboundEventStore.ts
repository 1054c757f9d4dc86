// InboundEvents table (webhook de-duplication): PK practiceId, RK `source|eventId`.
//
// Event ids are chosen by booking tools and may hold characters a RowKey refuses (`/`, `#`, `?`, control
// characters): they are escaped as keys.ts describes, and ids whose key would exceed 200 characters are
// replaced by their SHA-256. The original id is kept as a property, so reads return it unchanged.
import { odata, type TableClient, type TableEntity } from '@azure/data-tables';
import type { InboundEventRecord, InboundEventStore, Versioned, WebhookSource } from '../../core/ports';
import { EntityReader, type StoredProperties, toEntity } from './entityCodec';
import { boundedKey, checkedKey } from './keys';
import { TableOperations } from './TableOperations';

const SOURCES = ['generic', 'calcom', 'calendly', 'acuity'] as const;
const STATUSES = ['received', 'applied'] as const;

function rowKeyOf(source: WebhookSource, eventId: string): string {
  return `${checkedKey(source, 'webhook source')}|${boundedKey(eventId)}`;
}

export function inboundEventToEntity(
  table: string,
  record: InboundEventRecord,
): TableEntity<StoredProperties> {
  return toEntity(
    table,
    checkedKey(record.practiceId, 'practice id'),
    rowKeyOf(record.source, record.eventId),
    {
      practiceId: record.practiceId,
      source: record.source,
      eventId: record.eventId,
      type: record.type,
      status: record.status,
      receivedAt: record.receivedAt,
      bodyHash: record.bodyHash,
    },
  );
}

export function inboundEventFromEntity(table: string, entity: Record<string, unknown>): InboundEventRecord {
  const r = new EntityReader(entity, table);
  return {
    practiceId: r.string('practiceId'),
    source: r.oneOf('source', SOURCES),
    eventId: r.string('eventId'),
    type: r.string('type'),
    status: r.oneOf('status', STATUSES),
    receivedAt: r.string('receivedAt'),
    bodyHash: r.string('bodyHash'),
  };
}

export class TableInboundEventStore implements InboundEventStore {
  private readonly events: TableOperations;

  constructor(inboundEventsTable: TableClient) {
    this.events = new TableOperations(inboundEventsTable);
  }

  async getEvent(
    practiceId: string,
    source: WebhookSource,
    eventId: string,
  ): Promise<Versioned<InboundEventRecord> | null> {
    const row = await this.events.get(checkedKey(practiceId, 'practice id'), rowKeyOf(source, eventId));
    return row && { value: inboundEventFromEntity(this.events.table, row.entity), etag: row.etag };
  }

  async createEvent(record: InboundEventRecord): Promise<string | null> {
    return this.events.createOrNull(inboundEventToEntity(this.events.table, record));
  }

  async updateEvent(record: InboundEventRecord, etag: string): Promise<string> {
    return this.events.replace(inboundEventToEntity(this.events.table, record), etag);
  }

  async *listEventsReceivedBefore(practiceId: string, before: string): AsyncIterable<InboundEventRecord> {
    const partition = checkedKey(practiceId, 'practice id');
    // receivedAt is written by toISOString(), so string order is time order.
    for await (const entity of this.events.query(
      odata`PartitionKey eq ${partition} and receivedAt lt ${before}`,
    )) {
      yield inboundEventFromEntity(this.events.table, entity);
    }
  }

  async deleteEvent(practiceId: string, source: WebhookSource, eventId: string): Promise<void> {
    await this.events.delete(checkedKey(practiceId, 'practice id'), rowKeyOf(source, eventId));
  }
}
