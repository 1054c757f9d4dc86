import { describe, expect, it } from 'vitest';
import { chooseTemplate, dueDayOf, freshEpisode, nextAction } from '../../functions/src/core/cadence';
import type { Patient } from '../../functions/src/core/model';
import { aPatient, aPractice } from '../support/builders';

const practice = aPractice({
  resources: [{ title: 'Respirer', url: 'https://r.example/respirer', focusArea: 'anxiety' }],
});
const episode = freshEpisode('2026-12-01', '2026-12-31');
// Last visit 1 Dec 2026 at 10:00 Paris.
const visited = (overrides: Partial<Patient> = {}) =>
  aPatient({ lastVisitAt: '2026-12-01T09:00:00.000Z', ...overrides });

describe('template choice (SPEC §5.2)', () => {
  const cases: [string, Partial<Patient>, number, string][] = [
    ['step 1 with a plan', { plan: { summary: 'x', nextMilestoneAt: null } }, 1, 'plan-follow-up'],
    ['step 1 with a progress note', { progressNote: 'x' }, 1, 'progress'],
    ['step 1, direct preference', { contactPreference: 'direct' }, 1, 'direct'],
    ['step 1 otherwise', {}, 1, 'check-in'],
    ['step 2 with a resource for the focus area', { focusArea: 'Anxiety' }, 2, 'resource'],
    ['step 2 without one', { focusArea: 'sleep' }, 2, 'no-pressure'],
    ['step 3', {}, 3, 'feedback'],
    ['plan_completed', { careStatus: 'plan_completed', progressNote: 'x' }, 1, 'check-in'],
  ];
  for (const [name, overrides, step, expected] of cases) {
    it(name, () => expect(chooseTemplate(practice, visited(overrides), episode, step)).toBe(expected));
  }
  it('a plan already followed up in the episode (milestone) falls back to the next choice', () => {
    const used = { ...episode, templatesUsed: ['plan-follow-up' as const] };
    expect(
      chooseTemplate(
        practice,
        visited({ plan: { summary: 'x', nextMilestoneAt: null }, progressNote: 'n' }),
        used,
        1,
      ),
    ).toBe('progress');
  });
});

describe('cadence and episodes', () => {
  const now = new Date('2026-12-31T05:00:00Z');
  it('nothing before lapseDays: wait until the 30th day after the last visit', () => {
    expect(nextAction(practice, visited(), '2026-12-30', now)).toEqual({
      kind: 'wait',
      dueDate: '2026-12-31',
    });
  });
  it('step 1 on the 30th day, opening an episode keyed by the last visit date', () => {
    const action = nextAction(practice, visited(), '2026-12-31', now);
    expect(action).toMatchObject({ kind: 'lapse', step: 1, dueDate: '2026-12-31', templateId: 'check-in' });
    expect(action.kind === 'lapse' && action.episode.key).toBe('2026-12-01');
  });
  it('step 2 at 60 days and step 3 at 120 days', () => {
    const after1 = visited({
      episode: { ...episode, lastStep: 1 },
      touchLog: [{ at: '2026-12-31T08:30:00Z', outreachId: 'a', episodeKey: '2026-12-01' }],
    });
    expect(nextAction(practice, after1, '2027-01-05', now)).toEqual({ kind: 'wait', dueDate: '2027-01-30' });
    const after2 = visited({
      episode: { ...episode, lastStep: 2 },
      touchLog: [{ at: '2027-01-30T08:30:00Z', outreachId: 'b', episodeKey: '2026-12-01' }],
    });
    expect(nextAction(practice, after2, '2027-02-01', now)).toEqual({ kind: 'wait', dueDate: '2027-03-31' });
  });
  it('after step 3 the cadence is over', () => {
    expect(
      nextAction(practice, visited({ episode: { ...episode, lastStep: 3 } }), '2027-06-01', now),
    ).toEqual({ kind: 'none' });
  });
  it('a future booking ends the episode: wait until that booking could lapse', () => {
    const booked = visited({
      nextBookingAt: '2027-01-10T09:00:00.000Z',
      episode: { ...episode, lastStep: 1 },
    });
    expect(nextAction(practice, booked, '2026-12-31', now)).toEqual({ kind: 'wait', dueDate: '2027-02-09' });
  });
  it('a new last visit starts a new episode at step 1', () => {
    const revisited = visited({
      lastVisitAt: '2027-01-10T09:00:00.000Z',
      episode: { ...episode, lastStep: 3 },
    });
    const action = nextAction(practice, revisited, '2027-02-09', new Date('2027-02-09T05:00:00Z'));
    expect(action).toMatchObject({ kind: 'lapse', step: 1 });
    expect(action.kind === 'lapse' && action.episode.key).toBe('2027-01-10');
  });
  it('after a late step, the next one waits out the cooldown (21 days) instead of being skipped', () => {
    const late = visited({
      episode: { ...episode, lastStep: 1 },
      touchLog: [{ at: '2027-01-20T08:30:00Z', outreachId: 'a', episodeKey: '2026-12-01' }],
    });
    // Base due date 30 Jan; 20 Jan + 21 days = 10 Feb.
    expect(nextAction(practice, late, '2027-01-31', now)).toEqual({ kind: 'wait', dueDate: '2027-02-10' });
  });
  it('a step deferred over a weekend does not shift the next one', () => {
    const deferred = visited({
      episode: { ...episode, lastStep: 1 },
      touchLog: [{ at: '2027-01-04T08:30:00Z', outreachId: 'a', episodeKey: '2026-12-01' }],
    });
    expect(nextAction(practice, deferred, '2027-01-05', now)).toEqual({
      kind: 'wait',
      dueDate: '2027-01-30',
    });
  });
  it('steps more than 30 days overdue are passed over (imported long after lapsing)', () => {
    const action = nextAction(practice, visited(), '2027-03-20', new Date('2027-03-20T05:00:00Z'));
    // step 1 due 2026-12-31 (79 days late), step 2 due 2027-01-30 (49 days late): both passed over; step 3 on 2027-03-31.
    expect(action).toEqual({ kind: 'wait', dueDate: '2027-03-31' });
  });
  it('plan_completed: one check-in at 90 days, nothing else', () => {
    const done = visited({ careStatus: 'plan_completed' });
    expect(nextAction(practice, done, '2027-01-05', now)).toEqual({ kind: 'wait', dueDate: '2027-03-01' });
    expect(
      nextAction(practice, { ...done, episode: { ...episode, lastStep: 1 } }, '2027-04-01', now),
    ).toEqual({ kind: 'none' });
  });
  it('discharged patients have nothing due, ever', () => {
    expect(nextAction(practice, visited({ careStatus: 'discharged' }), '2026-12-31', now)).toEqual({
      kind: 'none',
    });
  });
  it('a missed milestone is due the day after it, before the lapse step', () => {
    const planned = visited({ plan: { summary: 's', nextMilestoneAt: '2026-12-15T09:00:00.000Z' } });
    expect(nextAction(practice, planned, '2026-12-15', now)).toEqual({ kind: 'wait', dueDate: '2026-12-16' });
    expect(nextAction(practice, planned, '2026-12-16', now)).toMatchObject({
      kind: 'milestone',
      dueDate: '2026-12-16',
    });
  });
  it('a milestone already followed up is not followed up again', () => {
    const handled = visited({
      plan: { summary: 's', nextMilestoneAt: '2026-12-15T09:00:00.000Z' },
      episode: { ...episode, milestoneHandled: '2026-12-15T09:00:00.000Z' },
    });
    expect(nextAction(practice, handled, '2026-12-16', now)).toEqual({ kind: 'wait', dueDate: '2026-12-31' });
  });
  it('the DueIndex day is the due date, or today when overdue', () => {
    expect(dueDayOf({ kind: 'wait', dueDate: '2027-01-30' }, '2027-01-05')).toBe('20270130');
    expect(dueDayOf(nextAction(practice, visited(), '2027-01-05', now), '2027-01-05')).toBe('20270105');
    expect(dueDayOf({ kind: 'none' }, '2027-01-05')).toBeNull();
  });
});
