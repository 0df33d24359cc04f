// The digest after a real fixture run, an approval and an expiry a day later (a second app on the same database,
// as a second process would be): runs since the last digest, the latest run's severities, actions, pending and
// expired escalations, the biggest variances; and the digest message shows them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/agent/cycle.js';
import type { Escalation } from '../../src/agent/ports.js';
import { buildDigest, type Digest } from '../../src/slack/digest.js';
import { digestBlocks } from '../../src/slack/views/digest.js';
import type { App } from '../../src/wiring.js';
import { RecordingNotifier } from '../fakes/platform.js';
import { APPROVERS, type FixtureWorld, fixtureWorld, later, NOW } from './fixture-app.js';

const CHANNEL = 'C0DIGEST01';
const NOW_ISO = new Date(NOW).toISOString();
const TOMORROW = later(25);

let world: FixtureWorld;
let today: App;
let tomorrow: App;
let report: RunReport;
let approved: Escalation;
/** The digest at the end of the first day, and the one a day later (since the first). */
let day1: Digest;
let day2: Digest;
let pendingDay1: Escalation[];
let expired: Escalation[];

beforeAll(async () => {
  world = fixtureWorld();
  today = world.open(new RecordingNotifier());
  report = await today.agent.run('test');
  const m005 = today.agent.pending().find((e) => e.campaignId === 'ACM-M-005') as Escalation;
  approved = await today.agent.decide(m005.id, 'approved', APPROVERS[0] as string, null, 'slack');
  pendingDay1 = today.agent.pending();
  day1 = buildDigest(today.store, null, NOW_ISO);
  today.store.digests.record(CHANNEL, NOW_ISO, day1.runs);

  // 25 hours later, another process on the same database resolves what nobody decided.
  tomorrow = world.open(new RecordingNotifier(), TOMORROW);
  expired = (await tomorrow.agent.catchUp()).expired;
  day2 = buildDigest(tomorrow.store, tomorrow.store.digests.lastAt(CHANNEL), TOMORROW);
});

afterAll(() => world?.cleanup());

const text = (v: unknown) => JSON.stringify(v);

describe('buildDigest', () => {
  it('summarises the first day: one run, its severities, what was done, what waits', () => {
    const d = day1;
    expect(d.since).toBeNull();
    expect(d.runs).toBe(1);
    expect(d.latestRunId).toBe(report.runId);
    // The fixture scenario: 3 healthy, 6 warning, 5 critical, 4 without a variance (orphan, missing, currency).
    expect(d.latest?.bySeverity).toEqual({ healthy: 3, warning: 6, critical: 5, none: 4 });
    expect(d.latest?.bySeverity).toEqual(report.summary.bySeverity);
    // Paused: ACM-G-004 and ACM-M-003 by the agent (ACM-G-005 was already paused) and ACM-M-005 on approval;
    // alerts: 5 warnings + 3 halts + the early-flight alert; 6 escalations.
    expect(d.actions).toEqual({
      paused: 3,
      alerts: 9,
      escalated: 6,
      approved: 1,
      overridden: 0,
      expired: 0,
      resumed: 0,
    });
    expect(approved).toMatchObject({ status: 'approved', outcome: 'done' });

    expect(d.pending).toHaveLength(5);
    expect(d.pending.map((e) => e.id).sort()).toEqual(pendingDay1.map((e) => e.id).sort());
    expect(d.pending.map((e) => e.id)).not.toContain(approved.id);
    expect(d.expired).toEqual([]);

    // Biggest variances of the latest run, by absolute value.
    expect(d.biggest.map((r) => [r.campaignId, r.variancePct])).toEqual([
      ['ACM-M-003', -100],
      ['ACM-M-010', -100],
      ['ACM-G-005', -50],
      ['ACM-G-004', 40],
      ['ACM-M-005', 35],
    ]);
    const abs = d.biggest.map((r) => Math.abs(r.variancePct ?? 0));
    expect(abs).toEqual([...abs].sort((a, b) => b - a));
  });

  it('a day later: the escalations nobody decided have expired, and only what happened since the last digest counts', () => {
    expect(expired).toHaveLength(5);
    const d = day2;
    expect(d.since).toBe(NOW_ISO);
    expect(d.until).toBe(TOMORROW);
    expect(d.runs).toBe(0); // the run was in the previous digest
    expect(d.latest).toBeNull();
    expect(d.biggest).toEqual([]);
    expect(d.actions).toEqual({
      paused: 0,
      alerts: 0,
      escalated: 0,
      approved: 0,
      overridden: 0,
      expired: 5,
      resumed: 0,
    });
    expect(d.pending).toEqual([]);
    expect(d.expired.map((e) => e.id).sort()).toEqual(expired.map((e) => e.id).sort());
    expect(d.expired.map((e) => e.id).sort()).toEqual(pendingDay1.map((e) => e.id).sort());
    expect(d.expired.every((e) => e.status === 'expired' && e.decidedBy === 'agent')).toBe(true);

    // The whole story, from the start: one run, the approval and the expiries.
    const all = buildDigest(tomorrow.store, null, TOMORROW);
    expect(all.runs).toBe(1);
    expect(all.actions).toMatchObject({ paused: 3, escalated: 6, approved: 1, expired: 5 });
    expect(all.expired).toHaveLength(5);
  });

  it('counts a run made after the last digest', async () => {
    const second = await tomorrow.agent.run('test');
    const d = buildDigest(tomorrow.store, NOW_ISO, TOMORROW);
    expect(d.runs).toBe(1);
    expect(d.latestRunId).toBe(second.runId);
    expect(d.latest?.bySeverity).toEqual(second.summary.bySeverity);
    // A digest up to a time before that run does not see it.
    expect(buildDigest(tomorrow.store, NOW_ISO, later(24)).runs).toBe(0);
  });
});

describe('digestBlocks', () => {
  it('shows runs, severities, actions, pending, expired and the biggest variances', () => {
    const first = digestBlocks(day1);
    const t1 = text(first);
    expect(t1).toContain('Pacing digest');
    expect(t1).toContain('*1* run(s) since the start');
    expect(t1).toContain('3 healthy');
    expect(t1).toContain('6 warning');
    expect(t1).toContain('5 critical');
    expect(t1).toContain('4 without variance');
    expect(t1).toContain('3 paused · 9 alerts · 6 escalated · 1 approved · 0 overridden · 0 expired · 0 resumed');
    expect(t1).toContain('*Awaiting a decision (5)*');
    for (const e of pendingDay1) expect(t1).toContain(e.id);
    expect(t1).toContain('*Biggest variances*');
    const order = ['ACM-M-003', 'ACM-M-010', 'ACM-G-005', 'ACM-G-004', 'ACM-M-005'].map((id) => t1.indexOf(`${id} ·`));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(t1).toContain('-100.00%');
    expect(t1).not.toContain('Expired without a decision');

    const later1 = text(digestBlocks(day2));
    expect(later1).toContain(`since ${NOW_ISO}`);
    expect(later1).toContain('5 expired');
    expect(later1).toContain('*Expired without a decision (5)*');
    for (const e of expired) expect(later1).toContain(e.id);
    expect(later1).toContain('Nothing awaits a decision.');
  });
});
