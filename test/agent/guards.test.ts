// Guards for real money: an escalation that gets worse is re-asked, a found pause is announced once, an undo
// only undoes a pause of ours, a pause interrupted before its audit is still recorded, and a partly read
// platform does not produce false "no matching campaign" escalations.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PacingAgent } from '../../src/agent/agent.js';
import type { PlatformSnapshot } from '../../src/agent/ports.js';
import { assessAll } from '../../src/domain/assess.js';
import type { PauseOutcome } from '../../src/domain/records.js';
import { flightSpend } from '../../src/domain/spend.js';
import { DEFAULT_THRESHOLDS, type PlanRow } from '../../src/domain/types.js';
import { Store } from '../../src/store/index.js';
import { campaign, NOW, planRow } from '../domain/builders.js';
import { agentOnFakes, FakePlatform, RecordingNotifier } from '../fakes/platform.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function world(plan: PlanRow[], google: FakePlatform, store?: Store) {
  const dir = mkdtempSync(join(tmpdir(), 'pacing-guards-'));
  const s = store ?? (await Store.open(join(dir, 'p.db')));
  cleanups.push(async () => {
    if (!store) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const notifier = new RecordingNotifier();
  const agent = agentOnFakes({ store: s, plan, google, notifier, now: NOW });
  return { agent, store: s, notifier, google };
}

describe('an open escalation and a worse one', () => {
  it('closes the open "alert?" question as superseded and asks about the pause instead', async () => {
    // Low confidence (market differs): a warning escalates proposing an alert.
    const row = planRow({ market: 'DE', product: 'Other' });
    const g = new FakePlatform('google', [campaign({ spend: 1600 })]);
    const w = await world([row], g);
    const first = await w.agent.run('test');
    expect(first.results[0]).toMatchObject({ action: 'escalate', proposedAction: 'alert' });
    const old = first.results[0]?.escalationId as string;

    // Spend runs away: critical, still low confidence → the proposal is now a pause.
    g.setSpend('g-1', 2400);
    const second = await w.agent.run('test');
    const now = second.results[0];
    expect(now).toMatchObject({ action: 'escalate', proposedAction: 'halt', status: 'awaiting_approval' });
    expect(now?.escalationId).not.toBe(old);
    expect(await w.store.escalations.get(old)).toMatchObject({ status: 'expired', outcome: 'done' });
    expect((await w.store.escalations.get(old))?.outcomeDetail).toMatch(
      /superseded: the campaign now warrants a pause/,
    );
    expect((await w.agent.pending()).map((e) => e.proposedAction)).toEqual(['halt']);
  });
});

describe('a question that no longer stands, or was answered', () => {
  it('closes an open escalation when a later run finds the campaign back on plan', async () => {
    const row = planRow({ market: 'DE', product: 'Other' });
    const g = new FakePlatform('google', [campaign({ spend: 2400 })]);
    const w = await world([row], g);
    const first = await w.agent.run('test');
    const id = first.results[0]?.escalationId as string;
    expect(first.results[0]).toMatchObject({ action: 'escalate', proposedAction: 'halt' });
    g.setSpend('g-1', 1420);
    const second = await w.agent.run('test');
    expect(second.results[0]).toMatchObject({ action: 'log', status: 'done', escalationId: null });
    expect(await w.agent.pending()).toEqual([]);
    expect((await w.store.escalations.get(id))?.outcomeDetail).toMatch(/no longer needed/);
    // Approving the stale question now is refused: nothing is paused.
    await expect(w.agent.decide(id, 'approved', 'U1', null, 'cli')).rejects.toThrow(/expired/);
    expect(g.pauseCalls).toEqual([]);
  });

  it('does not ask again about a rejected proposal within the approval window, and asks after it', async () => {
    const row = planRow({ market: 'DE', product: 'Other' });
    const g = new FakePlatform('google', [campaign({ spend: 2400 })]);
    const dir = mkdtempSync(join(tmpdir(), 'pacing-guards-'));
    const store = await Store.open(join(dir, 'p.db'));
    cleanups.push(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const w = await world([row], g, store);
    const first = await w.agent.run('test');
    const id = first.results[0]?.escalationId as string;
    await w.agent.decide(id, 'overridden', 'U1', 'planned push', 'cli');
    const second = await w.agent.run('test');
    expect(second.results[0]).toMatchObject({ action: 'escalate', status: 'overridden', escalationId: id });
    expect(second.results[0]?.actionNote).toMatch(/Rejected by U1/);
    expect(await w.agent.pending()).toEqual([]);

    // Once HUMAN_DECISION_HOURS (72) have passed the question is put again.
    const later = new PacingAgent({
      ...w.agent.deps,
      clock: () => '2024-05-18T01:00:00.000Z',
      approvalTimeoutHours: 24,
    });
    const third = await later.run('test');
    expect(third.results[0]).toMatchObject({ action: 'escalate', status: 'awaiting_approval' });
    expect(third.results[0]?.escalationId).not.toBe(id);
  });
});

describe('a campaign found already paused', () => {
  it('is announced once, not again every run, and offers no undo', async () => {
    const g = new FakePlatform('google', [campaign({ spend: 2400, status: 'PAUSED' })]);
    const w = await world([planRow()], g);
    const first = await w.agent.run('test');
    expect(first.results[0]).toMatchObject({ action: 'halt', pause: 'already_paused' });
    expect(w.notifier.alerts).toHaveLength(1);
    await w.agent.run('test');
    expect(w.notifier.alerts).toHaveLength(1);
    expect(g.pauseCalls).toEqual([]);
    await expect(w.agent.resumeCampaign('google', 'g-1', 'U1')).rejects.toThrow(
      /no pause of c-1 \(UK Brand Search\) on record/,
    );
    expect(g.resumeCalls).toEqual([]);
  });
});

describe('undo', () => {
  it('resumes a pause the agent made, once', async () => {
    const g = new FakePlatform('google', [campaign({ spend: 2400 })]);
    const w = await world([planRow()], g);
    const run = await w.agent.run('test');
    expect(run.results[0]).toMatchObject({ action: 'halt', pause: 'paused' });
    expect(await w.agent.resumeCampaign('google', 'g-1', 'U1')).toBe('resumed');
    expect(await w.store.audit.list({ type: 'campaign_resumed' })).toMatchObject([
      { actor: 'U1', platformCampaignId: 'g-1' },
    ]);
    await expect(w.agent.resumeCampaign('google', 'g-1', 'U2')).rejects.toThrow(/already resumed by U1/);
  });
});

describe('a decision another live process is carrying out', () => {
  it('is not taken over by recovery, so nothing happens twice', async () => {
    const row = planRow({ market: 'DE', product: 'Other' });
    const g = new FakePlatform('google', [campaign({ spend: 2400 })]);
    const w = await world([row], g);
    const run = await w.agent.run('test');
    const id = run.results[0]?.escalationId as string;
    await w.store.escalations.claim(id, 'approved', 'U1', new Date(NOW).toISOString(), null); // this (live) process
    expect(await w.agent.decisions.recover()).toBe(0);
    expect(g.pauseCalls).toEqual([]);
  });
});

describe('a pause interrupted before its audit', () => {
  it('is recorded as campaign_paused when the decision is carried out again', async () => {
    const row = planRow({ market: 'DE', product: 'Other' }); // low confidence → escalate, proposes halt
    const g = new FakePlatform('google', [campaign({ spend: 2400 })]);
    const w = await world([row], g);
    const run = await w.agent.run('test');
    const id = run.results[0]?.escalationId as string;
    // The process paused the campaign and stopped before writing anything else: the intent is on record,
    // the platform shows it paused, the decision is claimed but not carried out.
    await w.store.pauses.record({
      key: `pause:${id}:google:g-1`,
      createdAt: NOW,
      runId: null,
      escalationId: id,
      campaignId: 'c-1',
      platform: 'google',
      platformCampaignId: 'g-1',
      actor: 'U1',
      details: {},
    });
    w.store.db.prepare('UPDATE pause_intents SET owner = ?').run('4194305:gone');
    await g.pause('g-1');
    await w.store.escalations.claim(id, 'approved', 'U1', new Date(NOW).toISOString(), null);
    // The claiming process is gone (no process has pid 2^22 + 1 here).
    w.store.db.prepare('UPDATE escalations SET claimed_by = ? WHERE id = ?').run('4194305:gone', id);
    expect(await w.agent.decisions.recover()).toBe(1);
    const paused = await w.store.audit.list({ type: 'campaign_paused' });
    expect(paused).toMatchObject([{ actor: 'U1', platformCampaignId: 'g-1' }]);
    expect(await w.store.escalations.get(id)).toMatchObject({ status: 'approved', outcome: 'done' });
  });
});

describe('a platform read only in part', () => {
  it('does not escalate plan rows as unmatched: they may be in the account that failed', () => {
    const { assessments } = assessAll({
      plan: [
        planRow({ campaignId: 'c-1' }),
        planRow({ line: 3, campaignId: 'c-2', campaignName: 'Totally Different Name Here' }),
      ],
      campaigns: [campaign()],
      unavailable: new Map(),
      incomplete: new Map([['google', 'customer 555 could not be read']]),
      now: NOW,
      thresholds: DEFAULT_THRESHOLDS,
      history: () => [],
    });
    expect(assessments.find((a) => a.campaignId === 'c-1')).toMatchObject({ action: 'log', platformCampaignId: 'g-1' });
    const c2 = assessments.find((a) => a.campaignId === 'c-2');
    expect(c2).toMatchObject({ action: 'log' });
    expect(c2?.rootCause.map((c) => c.code)).toEqual(['platform_unavailable']);
  });

  it('marks those rows failed in a run and keeps the matched ones', async () => {
    class PartGoogle extends FakePlatform {
      override async fetchCampaigns(): Promise<PlatformSnapshot> {
        return { ...(await super.fetchCampaigns()), incomplete: 'customer 555 could not be read' };
      }
    }
    const w = await world(
      [planRow(), planRow({ line: 3, campaignId: 'c-2', campaignName: 'Nothing Like It At All' })],
      new PartGoogle('google', [campaign()]),
    );
    const run = await w.agent.run('test');
    expect(run.results.map((r) => [r.campaignId, r.action, r.status])).toEqual([
      ['c-1', 'log', 'done'],
      ['c-2', 'log', 'failed'],
    ]);
    expect(await w.agent.pending()).toEqual([]);
  });
});

describe('spend per day', () => {
  it('charges a row only the days of its own flight up to today, in cents', () => {
    const c = campaign({
      spend: 999,
      spendByDay: { '2024-04-30': 500, '2024-05-01': 0.1, '2024-05-02': 0.2, '2024-05-15': 10, '2024-05-16': 7 },
    });
    expect(flightSpend(c, planRow(), '2024-05-15')).toBe(10.3);
    expect(flightSpend(campaign({ spend: 42 }), planRow(), '2024-05-15')).toBe(42);
  });

  it('is what the variance is computed on', () => {
    const { assessments } = assessAll({
      plan: [planRow()],
      campaigns: [campaign({ spend: 5000, spendByDay: { '2024-04-01': 3600, '2024-05-10': 1400 } })],
      unavailable: new Map(),
      now: NOW,
      thresholds: DEFAULT_THRESHOLDS,
      history: () => [],
    });
    expect(assessments[0]).toMatchObject({ actualSpend: 1400, variancePct: 0, action: 'log' });
  });
});

describe('a campaign whose plan row is invalid', () => {
  it('is reported against that row, not escalated as unplanned spend', async () => {
    const { parseTracker } = await import('../../src/tracker/csv.js');
    const plan = parseTracker(
      'campaign_id,campaign_name,platform,market,product,start_date,end_date,target_spend\n' +
        'c-1,UK Brand Search,google,UK,Brand,2024-05-01,2024-05-31,TBD\n',
    );
    expect(plan.rows).toEqual([]);
    expect(plan.rejected).toMatchObject([{ line: 2, campaignName: 'UK Brand Search', platform: 'google' }]);
    const { assessments } = assessAll({
      plan: plan.rows,
      rejected: plan.rejected ?? [],
      campaigns: [campaign({ spend: 2400 })],
      unavailable: new Map(),
      now: NOW,
      thresholds: DEFAULT_THRESHOLDS,
      history: () => [],
    });
    expect(assessments).toHaveLength(1);
    expect(assessments[0]).toMatchObject({ campaignId: null, platformCampaignId: 'g-1', action: 'log' });
    expect(assessments[0]?.rootCause.map((c) => c.code)).toEqual(['plan_row_invalid']);
    expect(assessments[0]?.mitigation[0]?.step).toMatch(/Fix tracker line 2/);
  });
});

describe('review findings', () => {
  it('does not link a much worse situation to an earlier rejection', async () => {
    const row = planRow({ market: 'DE', product: 'Other' });
    const g = new FakePlatform('google', [campaign({ spend: 2400 })]); // +71 %
    const w = await world([row], g);
    const first = await w.agent.run('test');
    await w.agent.decide(first.results[0]?.escalationId as string, 'overridden', 'U1', null, 'cli');
    g.setSpend('g-1', 7000); // +400 %
    const second = await w.agent.run('test');
    expect(second.results[0]).toMatchObject({ action: 'escalate', status: 'awaiting_approval' });
    expect(await w.agent.pending()).toHaveLength(1);
  });

  it('records a pause that took effect although the platform call failed afterwards', async () => {
    class PausesThenFails extends FakePlatform {
      override async pause(id: string): Promise<PauseOutcome> {
        await super.pause(id);
        throw new Error('read-back timed out');
      }
    }
    const g = new PausesThenFails('google', [campaign({ spend: 2400 })]);
    const w = await world([planRow()], g);
    const run = await w.agent.run('test');
    expect(run.results[0]).toMatchObject({ action: 'halt', status: 'done', pause: 'paused' });
    expect(await w.store.audit.list({ type: 'campaign_paused' })).toHaveLength(1);
    expect(await w.store.audit.list({ type: 'pause_failed' })).toHaveLength(0);
    expect(await w.agent.pending()).toEqual([]);
  });

  it('a lock or claim left by an earlier process with the same pid is not taken for alive', async () => {
    const g = new FakePlatform('google', [campaign({ spend: 2400 })]);
    const w = await world([planRow({ market: 'DE', product: 'Other' })], g);
    const run = await w.agent.run('test');
    const id = run.results[0]?.escalationId as string;
    await w.store.escalations.claim(id, 'approved', 'U1', new Date(NOW).toISOString(), null);
    // The same pid, another process's token: a restarted container.
    w.store.db.prepare('UPDATE escalations SET claimed_by = ? WHERE id = ?').run(`${process.pid}:earlier`, id);
    w.store.db
      .prepare("INSERT INTO locks (name, holder, acquired_at, pid, owner) VALUES ('cycle', 'run-old', ?, ?, ?)")
      .run(NOW, process.pid, `${process.pid}:earlier`);
    expect(await w.agent.decisions.recover()).toBe(1);
    expect(g.pauseCalls).toEqual(['g-1']);
    // The stale lock does not refuse the next run: it runs and reports.
    await expect(w.agent.run('test')).resolves.toMatchObject({ runId: expect.stringMatching(/^run-/) });
  });
});

describe('a live platform listing one campaign id twice', () => {
  /** A platform whose answer repeats a campaign, as a paging fault upstream would: once with spend, once without. */
  class ListsTwice extends FakePlatform {
    override async fetchCampaigns(): Promise<PlatformSnapshot> {
      const snap = await super.fetchCampaigns();
      const first = snap.campaigns[0];
      return first ? { ...snap, campaigns: [{ ...first, spend: 0 }, ...snap.campaigns] } : snap;
    }
  }

  it('reports it and acts on neither copy', async () => {
    const g = new ListsTwice('google', [campaign({ spend: 1400 })]);
    const w = await world([planRow()], g);
    const report = await w.agent.run('test');
    expect(g.pauseCalls).toEqual([]);
    expect(report.platformErrors.map((e) => e.message)).toContain(
      'Google Ads returned campaign g-1 2 times (spend 0 and 1400): which copy is right cannot be told, so neither is used',
    );
    const row = report.results.find((r) => r.campaignId === 'c-1');
    expect(row).toMatchObject({ platformCampaignId: null, actualSpend: null });
    expect(row?.action).not.toBe('halt');
    expect(row?.rootCause.map((c) => c.code)).toContain('platform_data_unusable');
  });
});
