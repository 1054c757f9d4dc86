// Counts, per table, the entities the Table service hands back and the requests made, with a pipeline policy
// on the app's own TableClients: what a planner reads is measured on the wire, not estimated.
import type { TableClient } from '@azure/data-tables';

export interface TableTraffic {
  /** Entities in query pages (`value` length) plus 1 per successful point read. */
  entitiesRead: number;
  /** GET requests: query pages and point reads. */
  reads: number;
  /** Everything else: inserts, updates, upserts, deletes, batches. */
  writes: number;
}

export class TableTrafficMeter {
  private readonly byTable = new Map<string, TableTraffic>();

  /** Adds the counting policy; entities are counted after the SDK parsed the body, so nothing is parsed twice. */
  attach(client: TableClient, label = client.tableName): void {
    client.pipeline.addPolicy({
      name: 'benchTableTrafficMeter',
      sendRequest: async (request, next) => {
        const response = await next(request);
        const traffic = this.entry(label);
        if (request.method === 'GET') {
          traffic.reads++;
          traffic.entitiesRead += entitiesIn(
            response.status,
            (response as { parsedBody?: unknown }).parsedBody,
          );
        } else {
          traffic.writes++;
        }
        return response;
      },
    });
  }

  reset(): void {
    this.byTable.clear();
  }

  /** Per table, tables with no traffic left out. */
  snapshot(): Record<string, TableTraffic> {
    return Object.fromEntries([...this.byTable].map(([table, traffic]) => [table, { ...traffic }]));
  }

  total(): TableTraffic {
    const total: TableTraffic = { entitiesRead: 0, reads: 0, writes: 0 };
    for (const traffic of this.byTable.values()) {
      total.entitiesRead += traffic.entitiesRead;
      total.reads += traffic.reads;
      total.writes += traffic.writes;
    }
    return total;
  }

  private entry(table: string): TableTraffic {
    let traffic = this.byTable.get(table);
    if (!traffic) {
      traffic = { entitiesRead: 0, reads: 0, writes: 0 };
      this.byTable.set(table, traffic);
    }
    return traffic;
  }
}

function entitiesIn(status: number, body: unknown): number {
  if (status !== 200 || typeof body !== 'object' || body === null) return 0;
  const value = (body as { value?: unknown }).value;
  // A query page is `{ value: [...] }`; a point read is the entity itself.
  return Array.isArray(value) ? value.length : 1;
}
