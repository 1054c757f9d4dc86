// What must hold after a chaos run, read from the tables and from the ACS stand-in's own record (never from
// the app's memory): no step twice, every row visibly settled, nothing eligible silently dropped.
import { DateTime } from 'luxon';
import type { Deps } from '../../functions/src/app/deps';
import { refreshVisits, todayFor } from '../../functions/src/app/patientRecords';
import { CATCH_UP_DAYS } from '../../functions/src/app/planOutreach';
import { nextAction } from '../../functions/src/core/cadence';
import { outreachIdOf } from '../../functions/src/core/ids';
import type { OutreachRow, Patient, Practice } from '../../functions/src/core/model';
import { activeSeasonalWindow } from '../../functions/src/core/seasonal';
import { createPracticeCalendar } from '../../functions/src/core/sendWindow';
import type { AcsStandIn } from '../../tests/support/acsStandIn';
import type { World } from './world';

export interface Settled {
  rows: OutreachRow[];
  patients: Patient[];
  practices: Practice[];
}

export interface CheckResult {
  violations: string[];
  emails: number;
  /** Extra accepted POSTs of an operation id plus extra emails for one (patient, campaign, episode, step). */
  duplicates: number;
  rowsByStatus: Record<string, number>;
  /** Rows still `planned` or `sending` after the final drain, by id. */
  leftovers: string[];
  /** Rows a send-time re-check skipped although nothing happened to the patient since planning. */
  skippedAtSend: number;
}

const FINAL = new Set(['sent', 'delivered', 'bounced', 'failed', 'held_out']);

export async function readSettled(deps: Deps, world: World): Promise<Settled> {
  const rows: OutreachRow[] = [];
  const patients: Patient[] = [];
  const practices: Practice[] = [];
  for (const { practice } of world.practices) {
    for await (const row of deps.ledger.listOutreach(practice.id)) rows.push(row);
    for await (const patient of deps.patients.listPatients(practice.id)) patients.push(patient);
    const stored = await deps.practices.getPractice(practice.id);
    if (stored) practices.push(stored.value);
  }
  return { rows, patients, practices };
}

export async function checkInvariants(
  deps: Deps,
  world: World,
  acs: AcsStandIn,
  queues: { pending: number; poisoned: number },
): Promise<CheckResult> {
  const settled = await readSettled(deps, world);
  const violations: string[] = [];
  const byOperation = new Map(settled.rows.map((row) => [row.operationId, row]));

  // 1. No email twice: per operation id (every POST that ACS took), and per ledger key.
  let duplicates = 0;
  const acceptedPosts = new Map<string, number>();
  for (const request of acs.requests) {
    const taken = request.status === 202 || request.status === 'dropped';
    if (request.method === 'POST' && request.operationId && taken) {
      acceptedPosts.set(request.operationId, (acceptedPosts.get(request.operationId) ?? 0) + 1);
    }
  }
  for (const [operationId, posts] of acceptedPosts) {
    if (posts > 1) {
      duplicates += posts - 1;
      const row = byOperation.get(operationId);
      violations.push(`duplicate: ACS took operation ${operationId} ${posts} times (row ${row?.id ?? '?'})`);
    }
  }
  const emailsPerKey = new Map<string, number>();
  for (const email of acs.sent) {
    const row = byOperation.get(email.operationId);
    if (!row) {
      violations.push(`orphan email: operation ${email.operationId} matches no ledger row`);
      continue;
    }
    const key = `${row.practiceId}/${row.patientId}|${row.campaign}|${row.episodeKey}|${row.step}`;
    emailsPerKey.set(key, (emailsPerKey.get(key) ?? 0) + 1);
    if (email.body.headers?.['X-Reengage-Outreach'] !== row.operationId) {
      violations.push(`email of row ${row.id} carries another X-Reengage-Outreach`);
    }
    const patient = settled.patients.find((p) => p.practiceId === row.practiceId && p.id === row.patientId);
    if (email.body.recipients.to[0]?.address !== patient?.email) {
      violations.push(`email of row ${row.id} went to another address than its patient's`);
    }
    if (!['sent', 'delivered', 'bounced'].includes(row.status)) {
      violations.push(`email sent for row ${row.id} whose status is ${row.status}`);
    }
  }
  for (const [key, count] of emailsPerKey) {
    if (count > 1) {
      duplicates += count - 1;
      violations.push(`duplicate: ${count} emails for step ${key}`);
    }
  }

  // 2. Every row settled, visibly, with its reason.
  const rowsByStatus: Record<string, number> = {};
  const leftovers: string[] = [];
  let skippedAtSend = 0;
  const sentOperations = new Set(acs.sent.map((e) => e.operationId));
  for (const row of settled.rows) {
    rowsByStatus[row.status] = (rowsByStatus[row.status] ?? 0) + 1;
    if (row.status.startsWith('skipped:')) {
      if (row.status.length <= 'skipped:'.length) violations.push(`row ${row.id} skipped without a reason`);
      // Claimed then skipped: the send-time re-check disagreed with planning, though no event happened.
      if (row.attempts > 0) {
        skippedAtSend++;
        violations.push(`row ${row.id} planned, then ${row.status} at send time with nothing new`);
      }
    } else if (!FINAL.has(row.status)) {
      leftovers.push(`${row.id} (${row.status}${row.failureReason ? `, ${row.failureReason}` : ''})`);
    } else if (row.status === 'failed' && !row.failureReason) {
      violations.push(`row ${row.id} failed without a reason`);
    }
    if (row.status === 'sent' && !sentOperations.has(row.operationId)) {
      violations.push(`row ${row.id} says sent but ACS never took operation ${row.operationId}`);
    }
  }
  for (const leftover of leftovers) violations.push(`leftover: ${leftover}`);
  if (queues.pending > 0) violations.push(`${queues.pending} message(s) still on outreach-send`);
  if (queues.poisoned > 0) violations.push(`${queues.poisoned} message(s) still on the poison queue`);

  // 3. Nothing eligible silently dropped, computed with the core functions.
  violations.push(...(await droppedSteps(deps, world, settled)));

  return {
    violations,
    emails: acs.sent.length,
    duplicates,
    rowsByStatus,
    leftovers,
    skippedAtSend,
  };
}

/**
 * Every step the planners owed on the planning day has its ledger row: the first step due for each
 * patient as seeded, no step still due on the final state, and every patient of an open seasonal window.
 */
async function droppedSteps(deps: Deps, world: World, settled: Settled): Promise<string[]> {
  const problems: string[] = [];
  const now = world.planAt;
  const rowIds = new Set(settled.rows.map((row) => `${row.practiceId}/${row.id}`));
  const planDay = DateTime.fromJSDate(now, { zone: 'UTC' });
  const windowFrom = planDay.minus({ days: CATCH_UP_DAYS }).toFormat('yyyyMMdd');
  const windowTo = planDay.plus({ days: 1 }).toFormat('yyyyMMdd');
  const practiceOf = new Map(settled.practices.map((p) => [p.id, p]));

  for (const seeded of world.patients) {
    const practice = practiceOf.get(seeded.patient.practiceId);
    if (!practice) continue;
    const today = todayFor(practice, now);
    // As seeded: the step due on the planning day, for patients the planners were meant to read.
    const initial = await refreshVisits(deps, seeded.patient, now);
    const first = nextAction(practice, initial, today, now);
    if ((first.kind === 'lapse' || first.kind === 'milestone') && first.dueDate <= today) {
      const id = outreachIdOf({
        patientId: initial.id,
        campaign: first.kind,
        episodeKey: first.episode.key,
        step: first.kind === 'lapse' ? first.step : 1,
      });
      if (!rowIds.has(`${practice.id}/${id}`)) {
        problems.push(`dropped: ${seeded.kind} patient ${initial.id} was due ${id} and has no ledger row`);
      }
    }
    // As left: nothing still due today for a patient the DueIndex points the planners at.
    const final = settled.patients.find((p) => p.practiceId === practice.id && p.id === initial.id);
    if (!final) {
      problems.push(`dropped: patient ${initial.id} is gone`);
      continue;
    }
    const left = nextAction(practice, await refreshVisits(deps, final, now), today, now);
    const indexed = final.dueDay !== null && final.dueDay >= windowFrom && final.dueDay <= windowTo;
    if ((left.kind === 'lapse' || left.kind === 'milestone') && left.dueDate <= today && indexed) {
      problems.push(`dropped: ${seeded.kind} patient ${initial.id} is still due a ${left.kind} step`);
    }
  }

  // Seasonal: every lapsed patient not written to within the cooldown (other than by this window) has its row.
  for (const practice of settled.practices) {
    const window = activeSeasonalWindow(practice, createPracticeCalendar(practice), now);
    if (!window) continue;
    if (practice.lastSeasonalWindowKey !== window.key) {
      problems.push(`dropped: practice ${practice.id} never finished planning window ${window.key}`);
    }
    for (const seeded of world.patients.filter((p) => p.patient.practiceId === practice.id)) {
      const final = settled.patients.find((p) => p.practiceId === practice.id && p.id === seeded.patient.id);
      if (!final) continue;
      const patient = await refreshVisits(deps, final, now);
      const id = outreachIdOf({
        patientId: patient.id,
        campaign: 'seasonal',
        episodeKey: window.key,
        step: 1,
      });
      const others = patient.touchLog.filter((t) => t.outreachId !== id);
      const recently = others.some(
        (t) => Math.abs(Date.parse(t.at) - now.getTime()) < practice.cooldownDays * 86_400_000,
      );
      if (isLapsed(practice, patient, now) && !recently && !rowIds.has(`${practice.id}/${id}`)) {
        problems.push(`dropped: ${seeded.kind} patient ${patient.id} has no row for window ${window.key}`);
      }
    }
  }
  return problems;
}

/** SPEC §5.4's audience: not discharged, nothing booked ahead, lapseDays (to the instant) since the last visit. */
function isLapsed(practice: Practice, patient: Patient, now: Date): boolean {
  if (patient.careStatus === 'discharged' || !patient.lastVisitAt) return false;
  if (patient.nextBookingAt && Date.parse(patient.nextBookingAt) > now.getTime()) return false;
  return Date.parse(patient.lastVisitAt) + practice.lapseDays * 86_400_000 <= now.getTime();
}

/** Final status by row id: the same world must end the same way with and without faults. */
export function statusesById(rows: OutreachRow[]): Map<string, string> {
  return new Map(rows.map((row) => [`${row.practiceId}/${row.id}`, row.status]));
}

export function differences(expected: Map<string, string>, actual: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [id, status] of expected) {
    const found = actual.get(id);
    if (found !== status) out.push(`row ${id} ended ${found ?? 'missing'} (without faults: ${status})`);
  }
  for (const [id, status] of actual) {
    if (!expected.has(id)) out.push(`row ${id} (${status}) exists only with faults`);
  }
  return out;
}
