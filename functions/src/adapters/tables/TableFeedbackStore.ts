// Feedback table: PK the practice id, RK the ledger row the feedback answers (so a patient's feedback is a range).
import { odata, type TableClient } from '@azure/data-tables';
import type { FeedbackEntry, FeedbackStore } from '../../core/ports';
import { EntityReader, toEntity } from './entityCodec';
import { checkedKey, rowKeyRangeOf } from './keys';
import { TableOperations } from './TableOperations';

const RATINGS = [1, 2, 3, 4, 5] as const;

export class TableFeedbackStore implements FeedbackStore {
  private readonly feedback: TableOperations;

  constructor(feedbackTable: TableClient) {
    this.feedback = new TableOperations(feedbackTable);
  }

  async getFeedback(practiceId: string, outreachId: string): Promise<FeedbackEntry | null> {
    const row = await this.feedback.get(
      checkedKey(practiceId, 'practice id'),
      checkedKey(outreachId, 'outreach id'),
    );
    return row && this.read(row.entity);
  }

  async upsertFeedback(entry: FeedbackEntry): Promise<void> {
    await this.feedback.upsert(
      toEntity(
        this.feedback.table,
        checkedKey(entry.practiceId, 'practice id'),
        checkedKey(entry.outreachId, 'outreach id'),
        {
          practiceId: entry.practiceId,
          outreachId: entry.outreachId,
          patientId: entry.patientId,
          rating: entry.rating,
          comment: entry.comment,
          createdAt: entry.createdAt,
          updatedAt: entry.updatedAt,
        },
      ),
    );
  }

  async *listFeedback(practiceId: string): AsyncIterable<FeedbackEntry> {
    const partition = checkedKey(practiceId, 'practice id');
    for await (const entity of this.feedback.query(odata`PartitionKey eq ${partition}`))
      yield this.read(entity);
  }

  async *listFeedbackForPatient(practiceId: string, patientId: string): AsyncIterable<FeedbackEntry> {
    const partition = checkedKey(practiceId, 'practice id');
    const { from, to } = rowKeyRangeOf(patientId);
    for await (const entity of this.feedback.query(
      odata`PartitionKey eq ${partition} and RowKey ge ${from} and RowKey lt ${to}`,
    )) {
      const entry = this.read(entity);
      if (entry.patientId === patientId) yield entry;
    }
  }

  async deleteFeedback(practiceId: string, outreachId: string): Promise<void> {
    await this.feedback.delete(checkedKey(practiceId, 'practice id'), checkedKey(outreachId, 'outreach id'));
  }

  private read(entity: Record<string, unknown>): FeedbackEntry {
    const r = new EntityReader(entity, this.feedback.table);
    const rating = r.number('rating');
    if (!(RATINGS as readonly number[]).includes(rating))
      throw new TypeError(`${this.feedback.table}: rating is not 1-5`);
    return {
      practiceId: r.string('practiceId'),
      outreachId: r.string('outreachId'),
      patientId: r.string('patientId'),
      rating: rating as FeedbackEntry['rating'],
      comment: r.optionalString('comment'),
      createdAt: r.string('createdAt'),
      updatedAt: r.string('updatedAt'),
    };
  }
}
