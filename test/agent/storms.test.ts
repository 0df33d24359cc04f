// Guard 5 across runs, on a real SQLite file: a storm that grows joins its open question, an export that lists
// nothing for the plan is one question, and an orphan trickle is counted with the questions still open.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlatformSnapshot } from '../../src/agent/ports.js';
import type { PlanRow, PlatformCampaign } from '../../src/domain/types.js';
import { Store } from '../../src/store/index.js';
import { campaign, planRow } from '../domain/builders.js';
import { agentOnFakes, FakePlatform, RecordingNotifier } from '../fakes/platform.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function world(plan: PlanRow[], google: FakePlatform) {
  const dir = mkdtempSync(join(tmpdir(), 'pacing-storms-'));
  const store = await Store.open(join(dir, 'p.db'));
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const notifier = new RecordingNotifier();
  return { agent: agentOnFakes({ store, plan, google, notifier }), store, google, notifier };
}

const standingIds = (
  e: { batch: { members: { campaignId: string | null; dropped?: boolean }[] } | null } | undefined,
) =>
  e?.batch?.members
    .filter((m) => !m.dropped)
    .map((m) => m.campaignId)
    .sort();

/** `n` confident, pinned plan rows and their campaigns, all on plan. */
function fleet(n: number) {
  const rows: PlanRow[] = [];
  const campaigns: PlatformCampaign[] = [];
  for (let i = 0; i < n; i++) {
    const name = `Acme Campaign ${String(i).padStart(3, '0')} Search`;
    rows.push(planRow({ line: i + 2, campaignId: `c-${i}`, campaignName: name, platformCampaignId: `g-${i}` }));
    campaigns.push(campaign({ id: `g-${i}`, name }));
  }
  return { rows, campaigns };
}

/** A platform whose answer also lists campaigns added between runs. */
class Growing extends FakePlatform {
  extra: PlatformCampaign[] = [];
  override async fetchCampaigns(): Promise<PlatformSnapshot> {
    const snap = await super.fetchCampaigns();
    return { ...snap, campaigns: [...snap.campaigns, ...this.extra] };
  }
}

const orphan = (i: number) =>
  campaign({ id: `o-${i}`, name: `Unplanned ${i} Zzz Qqq Xxx`, market: 'IT', product: 'Other', spend: 100 + i });

describe('a storm that grows between runs', () => {
  it('adds the new members to the open batch instead of asking a second question', async () => {
    const f = fleet(10);
    const g = new FakePlatform('google', f.campaigns);
    for (let i = 0; i < 6; i++) g.setSpend(`g-${i}`, 0);
    const w = await world(f.rows, g);
    const first = await w.agent.run('test');
    const batchId = first.results.find((r) => r.campaignId === 'c-0')?.escalationId as string;
    expect(await w.agent.pending()).toHaveLength(1);

    for (let i = 6; i < 9; i++) g.setSpend(`g-${i}`, 0);
    const second = await w.agent.run('test');
    const zero = second.results.filter((r) => r.zeroDelivery);
    expect(zero).toHaveLength(9);
    for (const r of zero) expect(r).toMatchObject({ status: 'awaiting_approval', escalationId: batchId });
    const pending = await w.agent.pending();
    expect(pending.map((e) => e.id)).toEqual([batchId]);
    const members = pending[0]?.batch?.members.filter((m) => !m.dropped).map((m) => m.campaignId);
    expect(members?.sort()).toEqual(zero.map((r) => r.campaignId).sort());
    expect(g.pauseCalls).toEqual([]);
    // Its message is brought up to date once, with all nine.
    expect(w.notifier.updated.map((e) => e.id)).toEqual([batchId]);
    expect(standingIds(w.notifier.updated[0])).toEqual(zero.map((r) => r.campaignId).sort());
    // The question now describes the storm as it is: nine, not the first run's six.
    expect(pending[0]?.reason).toMatch(/^9 of 10 in-flight campaigns in .* \(90 %\) show no delivery: /);

    // Approving pauses all nine, once each.
    await w.agent.decide(batchId, 'approved', 'U1', null, 'cli');
    expect([...g.pauseCalls].sort()).toEqual(zero.map((r) => r.platformCampaignId).sort());
  });
});

describe('a storm that shrinks between runs', () => {
  it('tells the open batch message that a member came back on plan, and leaves it out of the approval', async () => {
    const f = fleet(10);
    const g = new FakePlatform('google', f.campaigns);
    for (let i = 0; i < 7; i++) g.setSpend(`g-${i}`, 0);
    const w = await world(f.rows, g);
    const first = await w.agent.run('test');
    const batchId = first.results.find((r) => r.campaignId === 'c-0')?.escalationId as string;
    expect(w.notifier.updated).toEqual([]);

    g.setSpend('g-6', (f.campaigns[6] as PlatformCampaign).spend); // back on plan: 6 of 10 still a storm
    await w.agent.run('test');
    expect(w.notifier.updated.map((e) => e.id)).toEqual([batchId]);
    expect(standingIds(w.notifier.updated[0])).toEqual(['c-0', 'c-1', 'c-2', 'c-3', 'c-4', 'c-5']);

    // A run that changes nothing does not edit it again.
    await w.agent.run('test');
    expect(w.notifier.updated).toHaveLength(1);

    // Approving pauses the six the message now shows, not the one back on plan.
    await w.agent.decide(batchId, 'approved', 'U1', null, 'cli');
    expect([...g.pauseCalls].sort()).toEqual(['g-0', 'g-1', 'g-2', 'g-3', 'g-4', 'g-5']);
  });
});

describe('an export that lists no campaigns for the plan', () => {
  it('is one question and a platform error, not one question per planned row', async () => {
    const f = fleet(30);
    const w = await world(f.rows, new FakePlatform('google', []));
    const report = await w.agent.run('test');
    expect(report.platformErrors.map((e) => e.message)).toContain(
      '30 of 30 planned Google Ads campaigns (100 %) are missing from its data: the export looks faulty or incomplete, so they are asked about in one question, not one each.',
    );
    const pending = await w.agent.pending();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ proposedAction: 'alert', batch: { kind: 'data_fault' } });
    expect(pending[0]?.batch?.members).toHaveLength(30);
    expect(report.results.every((r) => r.escalationId === pending[0]?.id)).toBe(true);
  });

  it('still asks about two rows missing beside a full export one by one', async () => {
    const f = fleet(10);
    const w = await world(f.rows, new FakePlatform('google', f.campaigns.slice(2)));
    await w.agent.run('test');
    expect((await w.agent.pending()).map((e) => e.batch)).toEqual([null, null]);
  });
});

describe('an orphan trickle', () => {
  it('counts the orphan questions still open: 20, then 25, is one batch, not 25 single questions', async () => {
    const f = fleet(1);
    const g = new Growing('google', f.campaigns);
    g.extra = Array.from({ length: 20 }, (_, i) => orphan(i));
    const w = await world(f.rows, g);
    await w.agent.run('test');
    expect(await w.agent.pending()).toHaveLength(20);

    g.extra = Array.from({ length: 25 }, (_, i) => orphan(i));
    const second = await w.agent.run('test');
    const pending = await w.agent.pending();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ proposedAction: 'alert', batch: { kind: 'orphans' } });
    expect(pending[0]?.batch?.members).toHaveLength(25);
    expect(pending[0]?.reason).toMatch(/^25 campaigns spend with no plan row/);
    const orphans = second.results.filter((r) => r.campaignId === null);
    expect(orphans.every((r) => r.escalationId === pending[0]?.id)).toBe(true);

    // One more the run after joins that batch.
    g.extra = Array.from({ length: 26 }, (_, i) => orphan(i));
    await w.agent.run('test');
    const after = await w.agent.pending();
    expect(after.map((e) => e.id)).toEqual([pending[0]?.id]);
    expect(after[0]?.batch?.members).toHaveLength(26);
  });
});
