// The practice report use case: reads the practice's ledger and feedback partitions and computes the figures.
import type { Practice } from '../core/model';
import { buildReportFigures, type PracticeReportFigures, type ReportQuery } from '../core/report';
import type { Deps } from './deps';

export interface PracticeReport extends PracticeReportFigures {
  practiceId: string;
  generatedAt: string;
}

/**
 * Only aggregates leave this function: patient ids, feedback comments and email details stay in the rows
 * read here. Therapist names are the practice's own staff and label the therapist groups.
 */
export async function buildPracticeReport(
  deps: Pick<Deps, 'clock' | 'ledger' | 'feedback' | 'practices'>,
  practice: Practice,
  query: ReportQuery,
): Promise<PracticeReport> {
  const now = deps.clock.now();
  const [rows, feedback, therapistNames] = await Promise.all([
    collect(deps.ledger.listOutreach(practice.id)),
    collect(deps.feedback.listFeedback(practice.id)),
    query.groupBy === 'therapist'
      ? collect(deps.practices.listTherapists(practice.id)).then(
          (therapists) => new Map(therapists.map((t) => [t.id, t.displayName])),
        )
      : Promise.resolve(new Map<string, string>()),
  ]);
  const figures = buildReportFigures({
    rows,
    feedback: feedback.map((entry) => ({ outreachId: entry.outreachId, rating: entry.rating })),
    timeZone: practice.timeZone,
    query,
    therapistNames,
    now,
  });
  return { practiceId: practice.id, generatedAt: now.toISOString(), ...figures };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
