// Outreach table (the ledger): PK practiceId, RK the row id `patientId|campaign|episodeKey|step`, so a
// patient's rows are one RowKey range of their practice's partition.
import { odata, type TableClient, type TableEntity } from '@azure/data-tables';
import { LOCALES, type OutreachRow, type OutreachStatus, TEMPLATE_IDS } from '../../core/model';
import type { OutreachLedger, Versioned } from '../../core/ports';
import { EntityReader, type StoredProperties, toEntity } from './entityCodec';
import { checkedKey, keyOf, MAX_KEY_LENGTH, rowKeyRangeOf } from './keys';
import { TableOperations } from './TableOperations';

const CAMPAIGNS = ['lapse', 'milestone', 'seasonal'] as const;
const RESPONSES = ['book', 'later', 'feedback', 'unsubscribe'] as const;
const STATUSES = ['planned', 'sending', 'sent', 'delivered', 'bounced', 'failed', 'held_out'] as const;

function statusOf(r: EntityReader): OutreachStatus {
  const status = r.string('status');
  if (status.startsWith('skipped:')) return status as OutreachStatus;
  return r.oneOf('status', STATUSES);
}

export function outreachToEntity(table: string, row: OutreachRow): TableEntity<StoredProperties> {
  return toEntity(table, checkedKey(row.practiceId, 'practice id'), checkedKey(row.id, 'outreach id'), {
    practiceId: row.practiceId,
    id: row.id,
    patientId: row.patientId,
    campaign: row.campaign,
    episodeKey: row.episodeKey,
    step: row.step,
    templateId: row.templateId,
    locale: row.locale,
    therapistId: row.therapistId,
    status: row.status,
    plannedAt: row.plannedAt,
    notBefore: row.notBefore,
    operationId: row.operationId,
    claimedAt: row.claimedAt,
    sentAt: row.sentAt,
    deliveryStatus: row.deliveryStatus,
    deliveryAt: row.deliveryAt,
    response: row.response,
    respondedAt: row.respondedAt,
    rebookedAt: row.rebookedAt,
    failureReason: row.failureReason,
    attempts: row.attempts,
    lapseEpisodeKey: row.lapseEpisodeKey,
    viewedAt: row.viewedAt,
    clickedAt: row.clickedAt,
    erasedAt: row.erasedAt,
  });
}

export function outreachFromEntity(table: string, entity: Record<string, unknown>): OutreachRow {
  const r = new EntityReader(entity, table);
  return {
    practiceId: r.string('practiceId'),
    id: r.string('id'),
    patientId: r.string('patientId'),
    campaign: r.oneOf('campaign', CAMPAIGNS),
    episodeKey: r.string('episodeKey'),
    step: r.number('step'),
    templateId: r.oneOf('templateId', TEMPLATE_IDS),
    locale: r.oneOf('locale', LOCALES),
    therapistId: r.optionalString('therapistId'),
    status: statusOf(r),
    plannedAt: r.string('plannedAt'),
    notBefore: r.string('notBefore'),
    operationId: r.string('operationId'),
    claimedAt: r.optionalString('claimedAt'),
    sentAt: r.optionalString('sentAt'),
    deliveryStatus: r.optionalString('deliveryStatus'),
    deliveryAt: r.optionalString('deliveryAt'),
    response: r.optionalOneOf('response', RESPONSES),
    respondedAt: r.optionalString('respondedAt'),
    rebookedAt: r.optionalString('rebookedAt'),
    failureReason: r.optionalString('failureReason'),
    attempts: r.number('attempts'),
    // Optional fields stay absent when unset, so rows written before them read back as they were.
    ...optional('lapseEpisodeKey', r.optionalString('lapseEpisodeKey')),
    ...optional('viewedAt', r.optionalString('viewedAt')),
    ...optional('clickedAt', r.optionalString('clickedAt')),
    ...optional('erasedAt', r.optionalString('erasedAt')),
  };
}

function optional<K extends string>(name: K, value: string | null): Partial<Record<K, string>> {
  return value === null ? {} : ({ [name]: value } as Record<K, string>);
}

export class TableOutreachLedger implements OutreachLedger {
  private readonly outreach: TableOperations;

  constructor(outreachTable: TableClient) {
    this.outreach = new TableOperations(outreachTable);
  }

  async getOutreach(practiceId: string, outreachId: string): Promise<Versioned<OutreachRow> | null> {
    const partitionKey = keyOf(practiceId);
    const rowKey = keyOf(outreachId);
    // No row can be stored under a key longer than the service allows: such an id is simply not there.
    if (partitionKey.length > MAX_KEY_LENGTH || rowKey.length > MAX_KEY_LENGTH) return null;
    const row = await this.outreach.get(partitionKey, rowKey);
    return row && { value: outreachFromEntity(this.outreach.table, row.entity), etag: row.etag };
  }

  async createOutreach(row: OutreachRow): Promise<string | null> {
    return this.outreach.createOrNull(outreachToEntity(this.outreach.table, row));
  }

  async updateOutreach(row: OutreachRow, etag: string): Promise<string> {
    return this.outreach.replace(outreachToEntity(this.outreach.table, row), etag);
  }

  async *listOutreachForPatient(practiceId: string, patientId: string): AsyncIterable<OutreachRow> {
    const partition = checkedKey(practiceId, 'practice id');
    const { from, to } = rowKeyRangeOf(patientId);
    const filter = odata`PartitionKey eq ${partition} and RowKey ge ${from} and RowKey lt ${to}`;
    for await (const entity of this.outreach.query(filter)) {
      const row = outreachFromEntity(this.outreach.table, entity);
      // A patient id that itself contains `|` would share the range of a shorter one; the property is exact.
      if (row.patientId === patientId) yield row;
    }
  }

  async deleteOutreach(practiceId: string, outreachId: string): Promise<void> {
    await this.outreach.delete(checkedKey(practiceId, 'practice id'), checkedKey(outreachId, 'outreach id'));
  }

  async *listOutreachPlannedBefore(practiceId: string, before: string): AsyncIterable<OutreachRow> {
    const partition = checkedKey(practiceId, 'practice id');
    // ISO instants written by toISOString() compare as strings in the same order as in time.
    for await (const entity of this.outreach.query(
      odata`PartitionKey eq ${partition} and plannedAt lt ${before}`,
    )) {
      yield outreachFromEntity(this.outreach.table, entity);
    }
  }

  async *listOutreach(practiceId: string): AsyncIterable<OutreachRow> {
    const partition = checkedKey(practiceId, 'practice id');
    for await (const entity of this.outreach.query(odata`PartitionKey eq ${partition}`)) {
      yield outreachFromEntity(this.outreach.table, entity);
    }
  }
}
