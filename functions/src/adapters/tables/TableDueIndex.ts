// DueIndex table: PK the due day `yyyyMMdd`, RK `practiceId|patientId`, so a timer reads one partition per day.
import { odata, type TableClient } from '@azure/data-tables';
import type { DueEntry } from '../../core/model';
import type { DueIndex } from '../../core/ports';
import { EntityReader, toEntity } from './entityCodec';
import { checkedKey, rowKeyRangeOf } from './keys';
import { TableOperations } from './TableOperations';

const DAY = /^\d{8}$/;

function partitionOf(day: string): string {
  if (!DAY.test(day)) throw new RangeError(`a due day is yyyyMMdd, got "${day}"`);
  return day;
}

function rowKeyOf(entry: DueEntry): string {
  return checkedKey(`${entry.practiceId}|${entry.patientId}`, 'due entry key');
}

export class TableDueIndex implements DueIndex {
  private readonly due: TableOperations;

  constructor(dueIndexTable: TableClient) {
    this.due = new TableOperations(dueIndexTable);
  }

  async upsertDue(entry: DueEntry): Promise<void> {
    await this.due.upsert(
      toEntity(this.due.table, partitionOf(entry.day), rowKeyOf(entry), {
        day: entry.day,
        practiceId: entry.practiceId,
        patientId: entry.patientId,
      }),
    );
  }

  async deleteDue(entry: DueEntry): Promise<void> {
    return this.due.delete(partitionOf(entry.day), rowKeyOf(entry));
  }

  async *listDue(day: string): AsyncIterable<DueEntry> {
    for await (const entity of this.due.query(odata`PartitionKey eq ${partitionOf(day)}`)) {
      const r = new EntityReader(entity, this.due.table);
      yield { day: r.string('day'), practiceId: r.string('practiceId'), patientId: r.string('patientId') };
    }
  }

  async *listDueForPractice(day: string, practiceId: string): AsyncIterable<DueEntry> {
    const { from, to } = rowKeyRangeOf(practiceId);
    const filter = odata`PartitionKey eq ${partitionOf(day)} and RowKey ge ${from} and RowKey lt ${to}`;
    for await (const entity of this.due.query(filter)) {
      const r = new EntityReader(entity, this.due.table);
      yield { day: r.string('day'), practiceId: r.string('practiceId'), patientId: r.string('patientId') };
    }
  }
}
