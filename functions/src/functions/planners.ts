// The three planning timers (UTC schedules from settings; practice-local time is applied in code).
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { planLapsedOutreach, planMilestoneOutreach, planSeasonalOutreach } from '../app/planOutreach';
import { depsFor } from '../composition';

export async function planLapsed(_timer: Timer, context: InvocationContext): Promise<void> {
  await planLapsedOutreach(await depsFor(context));
}

export async function planMilestones(_timer: Timer, context: InvocationContext): Promise<void> {
  await planMilestoneOutreach(await depsFor(context));
}

export async function planSeasonal(_timer: Timer, context: InvocationContext): Promise<void> {
  await planSeasonalOutreach(await depsFor(context));
}

app.timer('planLapsedOutreach', { schedule: '%LAPSED_SCAN_SCHEDULE%', handler: planLapsed });
app.timer('planMilestoneOutreach', { schedule: '%MILESTONE_SCAN_SCHEDULE%', handler: planMilestones });
app.timer('planSeasonalOutreach', { schedule: '%SEASONAL_SCAN_SCHEDULE%', handler: planSeasonal });
