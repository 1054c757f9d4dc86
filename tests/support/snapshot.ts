// A full dump of every table of a harness, to prove that a rejected input changed nothing.
import type { Harness } from '../../scripts/lib/harness';

export async function snapshotTables(h: Harness): Promise<string> {
  const dump: Record<string, unknown[]> = {};
  for (const [role, client] of Object.entries(h.composition.storage.tables)) {
    const rows: unknown[] = [];
    for await (const entity of client.listEntities()) rows.push(entity);
    dump[role] = rows;
  }
  return JSON.stringify(dump);
}
