// Azurite's own cost per request at the size a benchmark reached, next to the same requests on a small table
// in the same Azurite. Azurite (LokiJS) keeps each table's indexes as sorted arrays, so an insert, update or
// delete shifts them and grows slower as the table grows; Table Storage's per-request cost does not depend
// on the table's size. This is what separates a planner's wall time on a million-row Azurite from Azure's.
import { randomBytes } from 'node:crypto';
import { odata, TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';

export interface RequestCost {
  /** Rows in the table the requests went to. */
  tableRows: number;
  /** Mean milliseconds of a point read of an existing row. */
  readMs: number;
  /** Mean milliseconds of an unconditional replace of an existing row with the same content. */
  replaceMs: number;
}

export interface AzuriteCost {
  samples: number;
  large: RequestCost;
  small: RequestCost;
}

/**
 * Times `samples` point reads and replaces, one at a time, of rows of `partition` in `large` (of
 * `largeRows` rows), then of copies of the same rows in a fresh table holding only them.
 */
export async function measureAzuriteCost(
  connectionString: string,
  large: TableClient,
  largeRows: number,
  partition: string,
  samples = 200,
): Promise<AzuriteCost> {
  const rows: TableEntity[] = [];
  for await (const entity of large.listEntities({
    queryOptions: { filter: odata`PartitionKey eq ${partition}` },
  })) {
    const {
      etag: _etag,
      timestamp: _timestamp,
      ...row
    } = entity as TableEntity & {
      etag?: string;
      timestamp?: string;
    };
    rows.push(row);
    if (rows.length === samples) break;
  }
  if (rows.length === 0) throw new Error(`partition ${partition} is empty`);
  const small = TableClient.fromConnectionString(
    connectionString,
    `benchcost${randomBytes(4).toString('hex')}`,
    { allowInsecureConnection: true },
  );
  await small.createTable();
  try {
    for (let k = 0; k < rows.length; k += 100) {
      const actions: TransactionAction[] = rows.slice(k, k + 100).map((row) => ['create', row]);
      await small.submitTransaction(actions);
    }
    // One untimed round on each, so that connections and the JIT are warm for both.
    await timeRequests(small, rows.slice(0, 20));
    await timeRequests(large, rows.slice(0, 20));
    const onLarge = await timeRequests(large, rows);
    const onSmall = await timeRequests(small, rows);
    return {
      samples: rows.length,
      large: { tableRows: largeRows, ...onLarge },
      small: { tableRows: rows.length, ...onSmall },
    };
  } finally {
    await small.deleteTable();
  }
}

async function timeRequests(
  client: TableClient,
  rows: TableEntity[],
): Promise<{ readMs: number; replaceMs: number }> {
  let reading = 0;
  let replacing = 0;
  for (const row of rows) {
    let started = performance.now();
    await client.getEntity(row.partitionKey, row.rowKey);
    reading += performance.now() - started;
    started = performance.now();
    await client.updateEntity(row, 'Replace');
    replacing += performance.now() - started;
  }
  return { readMs: reading / rows.length, replaceMs: replacing / rows.length };
}
