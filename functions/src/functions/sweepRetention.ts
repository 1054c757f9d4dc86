// Weekly timer (Sundays 03:00 UTC): the retention sweep of SPEC §4.
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { sweepRetention } from '../app/retention';
import { depsFor } from '../composition';

/** Sunday 03:00 UTC, away from the planners (05:00) and from weekday sends. */
export const RETENTION_SCHEDULE = '0 0 3 * * 0';

export async function sweepRetentionTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  await sweepRetention(await depsFor(context));
}

app.timer('sweepRetention', { schedule: RETENTION_SCHEDULE, handler: sweepRetentionTimer });
