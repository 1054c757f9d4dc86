// The weekly retention sweep: booking-event records after 30 days, outreach content after RETENTION_DAYS.
import { isReengageError } from '../core/errors';
import type { Deps } from './deps';
import { eraseOutreachContent } from './erasure';

/** Long enough to catch a booking tool re-sending old events; they hold no personal data anyway. */
export const INBOUND_EVENT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

export interface RetentionReport {
  practices: number;
  inboundEventsDeleted: number;
  outreachErased: number;
  /** Practices whose sweep failed; the others are swept regardless. */
  failedPractices: number;
}

/**
 * For each practice: deletes InboundEvents received more than 30 days ago, and erases the personal
 * content of outreach rows planned more than `retentionDays` ago (as erasure does, ratings kept). Rows
 * still waiting to be sent are left alone. Idempotent, and resumable: a sweep cut short is finished by the
 * next one. Throws at the end if a practice failed, so the run shows as failed.
 */
export async function sweepRetention(deps: Deps): Promise<RetentionReport> {
  const now = deps.clock.now();
  const eventsBefore = new Date(now.getTime() - INBOUND_EVENT_RETENTION_DAYS * DAY_MS).toISOString();
  const outreachBefore = new Date(now.getTime() - deps.retentionDays * DAY_MS).toISOString();
  const report: RetentionReport = {
    practices: 0,
    inboundEventsDeleted: 0,
    outreachErased: 0,
    failedPractices: 0,
  };
  for await (const practice of deps.practices.listPractices()) {
    report.practices++;
    try {
      for await (const record of deps.inboundEvents.listEventsReceivedBefore(practice.id, eventsBefore)) {
        await deps.inboundEvents.deleteEvent(practice.id, record.source, record.eventId);
        report.inboundEventsDeleted++;
      }
      for await (const row of deps.ledger.listOutreachPlannedBefore(practice.id, outreachBefore)) {
        if (row.erasedAt || row.status === 'planned' || row.status === 'sending') continue;
        await eraseOutreachContent(deps, row, now, 'keep_rating');
        report.outreachErased++;
      }
    } catch (error) {
      report.failedPractices++;
      deps.log.error('retention sweep failed for a practice', {
        practiceId: practice.id,
        code: isReengageError(error) ? error.code : error instanceof Error ? error.name : 'unknown',
      });
    }
  }
  deps.log.info('retention sweep finished', { ...report });
  if (report.failedPractices > 0) {
    throw new Error(
      `retention sweep failed for ${report.failedPractices} practice(s); see the logged errors`,
    );
  }
  return report;
}
