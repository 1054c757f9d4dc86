// The handful of Table operations every adapter uses, with errors already translated (see storageErrors).
import type { TableClient, TableEntity } from '@azure/data-tables';
import type { StoredProperties } from './entityCodec';
import { etagOf } from './entityCodec';
import { createOrNull, deleteIfPresent, getOrNull, guard, guardIteration } from './storageErrors';

export interface StoredRow {
  entity: Record<string, unknown>;
  etag: string;
}

export class TableOperations {
  constructor(readonly client: TableClient) {}

  get table(): string {
    return this.client.tableName;
  }

  async get(partitionKey: string, rowKey: string): Promise<StoredRow | null> {
    const what = `${this.table} get`;
    const entity = await getOrNull(what, () =>
      this.client.getEntity<Record<string, unknown>>(partitionKey, rowKey),
    );
    return entity && { entity, etag: etagOf(entity, what) };
  }

  /** Inserts; throws ReengageError `conflict` when the row exists. */
  async create(entity: TableEntity<StoredProperties>): Promise<string> {
    const what = `${this.table} create`;
    return etagOf(await guard(what, () => this.client.createEntity(entity)), what);
  }

  /** Inserts; null when the row exists. */
  async createOrNull(entity: TableEntity<StoredProperties>): Promise<string | null> {
    const what = `${this.table} create`;
    const response = await createOrNull(what, () => this.client.createEntity(entity));
    return response && etagOf(response, what);
  }

  /** Replaces the whole row if its ETag still matches; throws `precondition_failed` otherwise. */
  async replace(entity: TableEntity<StoredProperties>, etag: string): Promise<string> {
    const what = `${this.table} update`;
    const response = await guard(what, () => this.client.updateEntity(entity, 'Replace', { etag }));
    return etagOf(response, what);
  }

  /** Inserts or replaces the whole row, whatever it held (properties not given are removed). */
  async upsert(entity: TableEntity<StoredProperties>): Promise<string> {
    const what = `${this.table} upsert`;
    return etagOf(await guard(what, () => this.client.upsertEntity(entity, 'Replace')), what);
  }

  async delete(partitionKey: string, rowKey: string): Promise<void> {
    await deleteIfPresent(`${this.table} delete`, () => this.client.deleteEntity(partitionKey, rowKey));
  }

  /** `filter` must be built with the SDK's `odata` tag so that values are quoted and escaped. */
  query(filter: string): AsyncIterable<Record<string, unknown>> {
    return guardIteration(
      `${this.table} query`,
      this.client.listEntities<Record<string, unknown>>({ queryOptions: { filter } }),
    );
  }
}
