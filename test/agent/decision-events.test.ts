// The audit trail records what the agent decided when it matters: a campaign on plan run after run has its result
// in each run, but no decision event after the first; anything off plan, or that changed, keeps one every run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PacingAgent } from '../../src/agent/agent.js';
import { DEFAULT_THRESHOLDS } from '../../src/domain/types.js';
import { Store } from '../../src/store/index.js';
import { campaign, NOW, planRow } from '../domain/builders.js';
import { FakePlatform, RecordingNotifier, StaticPlan } from '../fakes/platform.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function world() {
  const dir = mkdtempSync(join(tmpdir(), 'pacing-decisions-'));
  const store = await Store.open(join(dir, 'p.db'));
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const google = new FakePlatform('google', [
    campaign({ id: 'g-1', name: 'UK Brand Search', spend: 1400 }),
    campaign({ id: 'g-2', name: 'UK Generic Search', spend: 1600 }),
  ]);
  const agent = new PacingAgent({
    store,
    tracker: new StaticPlan([
      planRow({ line: 2, campaignId: 'c-1', campaignName: 'UK Brand Search', platformCampaignId: 'g-1' }),
      planRow({ line: 3, campaignId: 'c-2', campaignName: 'UK Generic Search', platformCampaignId: 'g-2' }),
    ]),
    platforms: new Map([
      ['google', google],
      ['meta', new FakePlatform('meta')],
    ]),
    notifier: new RecordingNotifier(),
    clock: () => new Date(NOW).toISOString(),
    thresholds: DEFAULT_THRESHOLDS,
    approvalTimeoutHours: 24,
    checkpointRetentionDays: 30,
    approvers: [],
  });
  const decided = async (runId: string) =>
    (await store.audit.list({ type: 'decision', runId })).map((e) => e.campaignId).sort();
  return { agent, google, decided, store };
}

describe('decision events', () => {
  it('a campaign on plan in two runs in a row has no second event; an off-plan one has one every run', async () => {
    const { agent, google, decided, store } = await world();
    const first = await agent.run('test');
    expect(await decided(first.runId)).toEqual(['c-1', 'c-2']);
    const second = await agent.run('test');
    expect(await decided(second.runId)).toEqual(['c-2']);
    // Its result is still kept with the run.
    expect((await store.runs.results(second.runId)).map((r) => r.campaignId)).toEqual(['c-1', 'c-2']);
    // Off plan again: the change is recorded.
    google.setSpend('g-1', 1600);
    const third = await agent.run('test');
    expect(await decided(third.runId)).toEqual(['c-1', 'c-2']);
    // Back on plan: the first healthy run after it is recorded too, then it is steady again.
    google.setSpend('g-1', 1400);
    expect(await decided((await agent.run('test')).runId)).toEqual(['c-1', 'c-2']);
    expect(await decided((await agent.run('test')).runId)).toEqual(['c-2']);
  });
});
