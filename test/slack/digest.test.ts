// The digest over real fixture runs (a real SQLite file; several apps on it, as processes would be): the first
// digest at the first run; then the platform data changes (one campaign overspends to critical, one recovers),
// two more runs, and the second digest tells what changed since the first, who is chronically off plan, which
// forecasts miss their budget, and the money at stake per currency. A day later the undecided escalations expire.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/agent/cycle.js';
import type { Escalation } from '../../src/domain/records.js';
import { buildDigest, type Digest } from '../../src/slack/digest.js';
import { digestBlocks, digestText } from '../../src/slack/views/digest.js';
import type { App } from '../../src/wiring.js';
import { RecordingNotifier } from '../fakes/platform.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/slack-api.js';
import { APPROVERS, type FixtureWorld, fastClient, fixtureWorld, later, NOW } from './fixture-app.js';

const CHANNEL = 'C0DIGEST01';
const NOW_ISO = new Date(NOW).toISOString();

let world: FixtureWorld;
let fake: FakeSlackApi;
let first: RunReport;
let third: RunReport;
let approved: Escalation;
/** At the first run (the first digest); after two more runs on changed data; a day later. */
let day1: Digest;
let day1b: Digest;
let expiredLater: Escalation[];
let tomorrowDigest: Digest;

/** Sets a Google fixture campaign's spend (the tracker's target stays): the next run sees it. */
function setGoogleSpend(id: string, spend: number): void {
  const file = join(world.dir, 'data', 'google.json');
  const data = JSON.parse(readFileSync(file, 'utf8')) as { campaigns: { id: string; spend: number }[] };
  const c = data.campaigns.find((x) => x.id === id);
  if (!c) throw new Error(`no fixture campaign ${id}`);
  c.spend = spend;
  writeFileSync(file, JSON.stringify(data));
}

beforeAll(async () => {
  world = fixtureWorld();
  fake = await startFakeSlackApi({ knownChannels: [CHANNEL] });
  const today: App = await world.open(new RecordingNotifier());
  first = await today.agent.run('test');
  const m005 = (await today.agent.pending()).find((e) => e.campaignId === 'ACM-M-005') as Escalation;
  approved = await today.agent.decide(m005.id, 'approved', APPROVERS[0] as string, null, 'slack');
  day1 = await buildDigest(today.reads, null, NOW_ISO);
  await today.store.digests.record(CHANNEL, NOW_ISO, day1.runs);

  // ACM-G-002 (5,000 planned) goes from 5,500 (+10 %, warning) to 7,000 (+40 %, critical); ACM-G-003 (4,000
  // planned) from 3,000 (−25 %, warning) to 3,900 (−2.5 %, healthy). Two runs, 4 and 8 hours later.
  setGoogleSpend('20512340002', 7000);
  setGoogleSpend('20512340003', 3900);
  await (await world.open(new RecordingNotifier(), later(4))).agent.run('test');
  const evening = await world.open(new RecordingNotifier(), later(8));
  third = await evening.agent.run('test');
  day1b = await buildDigest(evening.reads, await evening.store.digests.lastAt(CHANNEL), later(9));
  await evening.store.digests.record(CHANNEL, later(9), day1b.runs);

  // 25 hours after the first run, another process resolves what nobody decided.
  const tomorrow = await world.open(new RecordingNotifier(), later(25));
  expiredLater = (await tomorrow.agent.catchUp()).expired;
  tomorrowDigest = await buildDigest(tomorrow.reads, await tomorrow.store.digests.lastAt(CHANNEL), later(25));
});

afterAll(async () => {
  await fake?.close();
  await world?.cleanup();
});

const text = (v: unknown) => JSON.stringify(v);
const ids = (rows: readonly { campaignId: string | null }[]) => rows.map((r) => r.campaignId);

describe('buildDigest', () => {
  it('shows a pause an approver approved as paused, its forecast its spend so far', () => {
    const m005 = day1.results.find((r) => r.campaignId === 'ACM-M-005');
    expect(m005).toMatchObject({ status: 'approved', proposedAction: 'halt' });
    expect(m005?.forecast).toMatchObject({ dailyRunRate: 0, projectedSpend: m005?.actualSpend });
    const lines = text(digestBlocks(day1))
      .split('\\n')
      .filter((l) => l.includes('(ACM-M-005)'));
    // In the biggest overspends and in the forecasts that miss their budget: each time as paused.
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).toContain('paused');
    expect(lines.join('\n')).not.toMatch(/ends at (?!its spend so far)[\d,.]+ USD vs/);
  });

  it('the first digest: the latest run, money at stake per currency, nothing to compare with yet', () => {
    const d = day1;
    expect(d).toMatchObject({ since: null, runs: 1, latestRunId: first.runId, latestAt: NOW_ISO });
    // The fixture scenario: 6 healthy, 6 warning, 5 critical, 4 without a variance (orphan, missing, currency).
    expect(d.latest?.bySeverity).toEqual({ healthy: 6, warning: 6, critical: 5, none: 4 });
    expect(d.actions).toMatchObject({ paused: 3, escalated: 6, approved: 1, expired: 0 });
    expect(approved).toMatchObject({ status: 'approved', outcome: 'done' });
    // |actual − target| of the warning and critical rows, per currency, never summed across currencies:
    // EUR: G-002 +500, G-004 +4,560; G-005 −4,750, M-003 −2,400, M-010 −150.
    // GBP: G-007 +720, M-004 +570, M-009 +1,000; G-003 −1,000.   USD: M-005 +2,100; G-006 −2,736.
    expect(d.moneyAtStake).toEqual([
      { currency: 'EUR', amount: 12_360, over: 5_060, under: 7_300, campaigns: 5 },
      { currency: 'USD', amount: 4_836, over: 2_100, under: 2_736, campaigns: 2 },
      { currency: 'GBP', amount: 3_290, over: 2_290, under: 1_000, campaigns: 4 },
    ]);
    // Overspends and underspends apart, biggest first; no healthy row in either.
    expect(ids(d.overspends)).toEqual(['ACM-G-004', 'ACM-M-005', 'ACM-M-009', 'ACM-M-004', 'ACM-G-007']);
    expect(ids(d.underspends)).toEqual(['ACM-M-003', 'ACM-M-010', 'ACM-G-005', 'ACM-G-003', 'ACM-G-006']);
    expect(d.overspends.every((r) => (r.variancePct ?? 0) > 0 && r.severity !== 'healthy')).toBe(true);
    expect(d.underspends.every((r) => (r.variancePct ?? 0) < 0 && r.severity !== 'healthy')).toBe(true);
    expect(d.changes).toBeNull(); // no earlier digest
    expect(d.chronic).toEqual([]); // one run is no trend
    // Forecasts beyond ±10 % of the budget, furthest first.
    // Paused campaigns (G-004 and M-003 by the agent, G-005 found paused, M-005 approved) end at their spend so far.
    // ACM-M-010 started 9 h ago: too early to judge, so no forecast from its first hours.
    expect(d.forecastMisses.map((r) => [r.campaignId, r.forecast?.projectedVariancePct])).toEqual([
      ['ACM-M-003', -100],
      ['ACM-G-005', -68.33],
      ['ACM-M-005', -55],
      ['ACM-G-007', 31.2],
      ['ACM-G-006', -18.58],
      ['ACM-G-002', 14.97],
      ['ACM-M-004', 14.18],
      ['ACM-G-020', -12.83],
      ['ACM-G-004', -11.33],
      ['ACM-G-022', -11],
      ['ACM-M-020', -11],
    ]);
    expect(d.pending).toHaveLength(5);
    expect(d.pending.map((e) => e.id)).not.toContain(approved.id);
  });

  it('after two more runs: newly critical, back on plan and chronic offenders since the first digest', () => {
    const d = day1b;
    expect(d).toMatchObject({ since: NOW_ISO, runs: 2, latestRunId: third.runId, latestAt: later(8) });
    expect(d.changes?.baselineRunId).toBe(first.runId);
    expect(ids(d.changes?.newCriticals ?? [])).toEqual(['ACM-G-002']);
    expect(d.changes?.resolved.map((x) => [x.row.campaignId, x.before.severity, x.row.severity])).toEqual([
      ['ACM-G-003', 'warning', 'healthy'],
    ]);
    // Off plan in all three runs and still now: chronic. ACM-G-003 was off plan twice, then recovered: not.
    const chronic = ids(d.chronic);
    expect(chronic).toContain('ACM-G-002');
    expect(chronic).toContain('ACM-G-004');
    expect(chronic).not.toContain('ACM-G-003');
    expect(d.chronic.every((r) => r.history?.chronic && r.severity !== 'healthy')).toBe(true);
    expect(d.chronic.every((r) => (r.history?.offPlanRuns ?? 0) >= 3)).toBe(true);
    // The money moved with the data: EUR +1,500 (G-002), GBP −900 (G-003 back on plan).
    expect(d.moneyAtStake.find((m) => m.currency === 'EUR')?.over).toBe(6_560);
    expect(d.moneyAtStake.find((m) => m.currency === 'GBP')).toMatchObject({ under: 0, campaigns: 3 });
    expect(ids(d.overspends)[0]).toBe('ACM-G-004');
    expect(ids(d.overspends)).toContain('ACM-G-002');
    expect(ids(d.underspends)).not.toContain('ACM-G-003');
  });

  it('a day later: no run since, the same standing, nothing new; the escalations nobody decided expired', async () => {
    expect(expiredLater).toHaveLength(5);
    const d = tomorrowDigest;
    expect(d).toMatchObject({ since: later(9), until: later(25), runs: 0, latestRunId: third.runId });
    expect(d.changes).toMatchObject({ newCriticals: [], resolved: [], baselineRunId: third.runId });
    expect(d.actions).toMatchObject({ paused: 0, escalated: 0, approved: 0, expired: 5 });
    expect(d.pending).toEqual([]);
    expect(d.expired.map((e) => e.id).sort()).toEqual(expiredLater.map((e) => e.id).sort());
    // A digest up to a time before any run has nothing to report.
    const before = await buildDigest((await world.open(new RecordingNotifier())).reads, null, later(-1));
    expect(before).toMatchObject({ runs: 0, latestRunId: null, moneyAtStake: [], changes: null });
  });
});

describe('digestBlocks', () => {
  it('the second digest reads at a glance: money, changes, chronic, forecasts, over and under apart', async () => {
    const blocks = digestBlocks(day1b);
    const t = text(blocks);
    expect(t).toContain('Pacing digest');
    expect(t).toContain('2 runs since the last digest (<!date^');
    expect(t).not.toMatch(/run\(s\)|since the start/);
    // Times as Slack date tokens, never raw ISO.
    expect(t).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    expect(t).toContain(`<!date^${Date.parse(later(8)) / 1000}^`);
    expect(t).toContain('*Money at stake*');
    expect(t).toContain('*13,860.00 EUR* across 5 campaigns — 6,560.00 over plan, 7,300.00 under');
    expect(t).toContain('GBP');
    expect(t).toContain('USD');
    expect(t).toContain('*Newly critical (1)*');
    // Newly critical and paused by the agent in that run: said so.
    expect(t).toContain('Acme_FR_Running_Search_Brand_Q4 (ACM-G-002) · *+40.00%* · 2,000.00 EUR over plan · paused');
    expect(t).toContain('*Back on plan (1)*');
    expect(t).toContain('Acme_UK_Football_Search_Generic_Q4 (ACM-G-003) · -25.00% → -2.50%');
    expect(t).toMatch(/\*Chronic offenders \(\d+\)\*/);
    expect(t).toContain('off plan in 3 of 3 runs');
    expect(t).toContain('*Will miss budget at this rate');
    expect(t).toContain(
      'Acme_UK_Football_BlackFriday_Q4 (ACM-G-007) · ends at 22,419.82 GBP vs 18,000.00 GBP budget (*+24.55%*)',
    );
    expect(t).toContain(
      '(ACM-G-005) · paused, ends at its spend so far: 4,750.00 EUR vs 15,000.00 EUR budget (*-68.33%*)',
    );
    // Overspends and underspends in separate sections, each only its own direction.
    const over = blocks.find((b) => text(b).includes('*Biggest overspends*'));
    const under = blocks.find((b) => text(b).includes('*Biggest underspends*'));
    expect(text(over)).toContain('Acme_NL_Outdoor_Awareness_Q4 (ACM-G-004) · *+40.00%* · 4,560.00 EUR over plan');
    expect(text(over)).not.toContain('under plan');
    expect(text(under)).toContain('ACME | DE | Sneakers | Retargeting (ACM-M-003) · *-100.00%* · 2,400.00 EUR under');
    expect(text(under)).not.toContain('over plan');
    // Waiting escalations oldest first, by name, with their age; the count of what was done since.
    expect(t).toContain('*Awaiting a decision (5)* — oldest first');
    expect(t).toMatch(/waiting 9 h · expires <!date\^/);
    expect(t).toMatch(/Since the last digest: .*1 campaign paused/);

    expect(digestText(day1b)).toBe(
      'Pacing digest: 13,860.00 EUR + 4,836.00 USD + 2,290.00 GBP at stake, 1 new critical, 5 awaiting a decision',
    );
    const res = await fastClient(fake.url).chat.postMessage({ channel: CHANNEL, text: digestText(day1b), blocks });
    expect(res.ok).toBe(true);
  });

  it('the first digest says so; a day later: no run since, the expired escalations by name', async () => {
    const t1 = text(digestBlocks(day1));
    expect(t1).toContain('First digest · 1 run so far');
    expect(t1).not.toContain('Since the last digest*');
    expect(t1).toContain('So far: 3 campaigns paused');

    const blocks = digestBlocks(tomorrowDigest);
    const t = text(blocks);
    expect(t).toContain('No run since the last digest');
    expect(t).toContain('Nothing newly critical, nothing back on plan.');
    expect(t).toContain('*Expired without a decision (5)* — nothing was done');
    expect(t).toContain('ACME | UK | Trail | Prospecting (ACM-M-004) (proposed: alert)');
    expect(t).toContain('Nothing awaits a decision.');
    expect(t).toContain('5 expired');
    const res = await fastClient(fake.url).chat.postMessage({ channel: CHANNEL, text: 'digest', blocks });
    expect(res.ok).toBe(true);
  });
});
