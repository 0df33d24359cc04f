// Decisions race and platforms fail: two App instances on one SQLite file stand for two processes sharing
// the database; a fake platform whose pause throws shows that a failed pause is never recorded as done.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Decision } from '../../src/domain/records.js';
import { DecisionConflict, PlatformError } from '../../src/errors.js';
import { Store } from '../../src/store/index.js';
import { type App, createApp } from '../../src/wiring.js';
import { campaign, NOW, planRow } from '../domain/builders.js';
import { ensureBuilt, pacing, readAudit, type Workspace, workspace } from '../fakes/pacing-cli.js';
import { agentOnFakes, FakePlatform, RecordingNotifier } from '../fakes/platform.js';

const M005 = '23851200000000005';
const ORPHAN = '20599990001';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** Two apps ("processes") on the same database and data, after one run of the bundled scenario. */
async function twoApps(): Promise<{ ws: Workspace; a: App; b: App }> {
  const ws = workspace();
  const env = { PACING_DB: ws.db, PACING_NOW: ws.env.PACING_NOW as string, PACING_DATA_DIR: ws.dataDir };
  const a = await createApp(loadConfig({ ...env }), new RecordingNotifier());
  const b = await createApp(loadConfig({ ...env }), new RecordingNotifier());
  cleanups.push(async () => {
    await a.close();
    await b.close();
    ws.cleanup();
  });
  await a.agent.run('test');
  return { ws, a, b };
}

const escalationFor = async (app: App, platformCampaignId: string): Promise<string> => {
  const e = (await app.agent.pending()).find((p) => p.platformCampaignId === platformCampaignId);
  if (!e) throw new Error(`no pending escalation for ${platformCampaignId}`);
  return e.id;
};

const paused = async (app: App, platformCampaignId: string) =>
  (await app.store.audit.list({ type: 'campaign_paused' })).filter((e) => e.platformCampaignId === platformCampaignId);

describe('two processes deciding the same escalation', () => {
  it('exactly one of two concurrent approvals wins; the other is a DecisionConflict; the campaign is paused once', async () => {
    const { a, b } = await twoApps();
    const id = await escalationFor(a, M005);

    const settled = await Promise.allSettled([
      a.agent.decide(id, 'approved', 'U1', null, 'cli'),
      b.agent.decide(id, 'approved', 'U2', null, 'cli'),
    ]);
    const won = settled.filter((s) => s.status === 'fulfilled');
    const lost = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(DecisionConflict);

    expect(await paused(a, M005)).toHaveLength(1);
    expect(
      (await a.store.audit.list({ type: 'escalation_approved' })).filter((e) => e.details.escalationId === id),
    ).toHaveLength(1);
    expect(await b.store.escalations.get(id)).toMatchObject({ status: 'approved', outcome: 'done' });

    // Deciding again, from either process and either way, changes nothing.
    await expect(a.agent.decide(id, 'approved', 'U1', null, 'cli')).rejects.toBeInstanceOf(DecisionConflict);
    await expect(b.agent.decide(id, 'overridden', 'U2', 'late', 'cli')).rejects.toBeInstanceOf(DecisionConflict);
    expect(await paused(b, M005)).toHaveLength(1);
    expect(await b.store.escalations.get(id)).toMatchObject({ status: 'approved', outcome: 'done' });
  });

  it('an approval racing a rejection: one wins, and the campaign is paused only if the approval did', async () => {
    const { a, b } = await twoApps();
    const id = await escalationFor(a, ORPHAN);
    const settled = await Promise.allSettled([
      b.agent.decide(id, 'overridden', 'U2', 'planned', 'cli'),
      a.agent.decide(id, 'approved', 'U1', null, 'cli'),
    ]);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    const status = (await a.store.escalations.get(id))?.status as Decision;
    expect(await paused(a, ORPHAN)).toHaveLength(status === 'approved' ? 1 : 0);
    const decisions = (await a.store.audit.list()).filter(
      (e) =>
        e.type.startsWith('escalation_') &&
        e.details.escalationId === id &&
        e.type !== 'escalation_opened' &&
        e.type !== 'escalation_linked',
    );
    expect(decisions).toHaveLength(1);
  });
});

describe('two real processes approving at once', () => {
  beforeAll(ensureBuilt, 60_000);

  it('one exits 0, the other non-zero, and there is one campaign_paused event', async () => {
    const ws = workspace();
    cleanups.push(() => ws.cleanup());
    const first = await pacing(ws, ['run', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const id = (
      JSON.parse(first.stdout) as { results: { platformCampaignId: string | null; escalationId: string | null }[] }
    ).results.find((r) => r.platformCampaignId === M005)?.escalationId as string;
    const outs = await Promise.all([
      pacing(ws, ['approve', id, '--user', 'U1']),
      pacing(ws, ['approve', id, '--user', 'U2']),
    ]);
    expect(outs.map((o) => o.code).sort()).toEqual([0, 1]);
    expect(outs.find((o) => o.code === 1)?.stderr).toMatch(/already approved/);
    expect(readAudit(ws).filter((e) => e.type === 'campaign_paused' && e.platformCampaignId === M005)).toHaveLength(1);
  });
});

describe('a pause the platform refuses', () => {
  async function agentWithFailingPause() {
    const dir = mkdtempSync(join(tmpdir(), 'pacing-agent-'));
    const store = await Store.open(join(dir, 'p.db'));
    cleanups.push(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    // 2000 spent against 1400 planned: +42.86 %, critical, confidence 100 → halt.
    const google = new FakePlatform('google', [campaign({ id: 'g-1', spend: 2000 })]);
    google.pauseError = new PlatformError('google', 'Google Ads refused the mutate: RESOURCE_EXHAUSTED', true, 60_000);
    const notifier = new RecordingNotifier();
    const agent = agentOnFakes({ store, plan: [planRow({ campaignId: 'c-1' })], google, notifier, now: NOW });
    return { agent, store, google, notifier };
  }

  it('is reported as failed and escalated with a proposed halt; no campaign_paused is written', async () => {
    const { agent, store, google, notifier } = await agentWithFailingPause();
    const report = await agent.run('test');

    const r = report.results.find((x) => x.campaignId === 'c-1');
    expect(r).toMatchObject({ action: 'halt', status: 'failed', platformCampaignId: 'g-1' });
    expect(r?.escalationId).toEqual(expect.any(String));
    expect(r?.rootCause.map((c) => c.code)).toContain('pause_failed');
    expect(r?.actionNote).toMatch(/RESOURCE_EXHAUSTED/);
    expect(google.pauseCalls).toEqual(['g-1']);

    const e = await store.escalations.get(r?.escalationId as string);
    expect(e).toMatchObject({ status: 'pending', proposedAction: 'halt', platformCampaignId: 'g-1' });
    expect(notifier.opened.map((x) => x.id)).toEqual([e?.id]);

    const events = await store.audit.list();
    expect(events.filter((x) => x.type === 'pause_failed')).toEqual([
      expect.objectContaining({
        campaignId: 'c-1',
        platformCampaignId: 'g-1',
        details: expect.objectContaining({ error: expect.stringMatching(/RESOURCE_EXHAUSTED/) }),
      }),
    ]);
    expect(events.filter((x) => x.type === 'campaign_paused')).toHaveLength(0);
    // The stored run shows the failure too.
    expect((await agent.latest())?.results.find((x) => x.campaignId === 'c-1')?.status).toBe('failed');
  });

  it('approving it while the platform still refuses records the failure, not a pause', async () => {
    const { agent, store, google } = await agentWithFailingPause();
    const report = await agent.run('test');
    const id = report.results.find((x) => x.campaignId === 'c-1')?.escalationId as string;

    const e = await agent.decide(id, 'approved', 'U1', null, 'cli');
    expect(e).toMatchObject({ status: 'approved', outcome: 'failed' });
    expect(e.outcomeDetail).toMatch(/pause failed/i);
    expect(google.pauseCalls).toHaveLength(2);
    const events = await store.audit.list();
    expect(events.filter((x) => x.type === 'pause_failed')).toHaveLength(2);
    expect(events.filter((x) => x.type === 'campaign_paused')).toHaveLength(0);
    expect((await agent.latest())?.results.find((x) => x.campaignId === 'c-1')?.status).toBe('failed');
  });
});
