// A notifier that fails never changes what happened to a campaign, a run or a decision: every failure is audited
// as `notification_failed` (by effects/tell.ts, the one path to the notifier), none is swallowed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Escalation, EscalationClosed, ResultRow } from '../../src/domain/records.js';
import type { PlanRow } from '../../src/domain/types.js';
import { Store } from '../../src/store/index.js';
import { campaign, NOW, planRow } from '../domain/builders.js';
import { agentOnFakes, FakePlatform, RecordingNotifier } from '../fakes/platform.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** Records like RecordingNotifier, but the calls named in `failing` throw (as a notifier that lost Slack would). */
class FailingNotifier extends RecordingNotifier {
  readonly resumed: unknown[] = [];
  constructor(private readonly failing: ReadonlySet<string>) {
    super();
  }
  private check(call: string): void {
    if (this.failing.has(call)) throw new Error(`${call}: channel_not_found`);
  }
  override async alert(row: ResultRow): Promise<void> {
    this.check('alert');
    await super.alert(row);
  }
  override async escalationOpened(e: Escalation): Promise<void> {
    this.check('escalationOpened');
    await super.escalationOpened(e);
  }
  override async escalationClosed(c: EscalationClosed): Promise<void> {
    this.check('escalationClosed');
    await super.escalationClosed(c);
  }
  async campaignResumed(r: unknown): Promise<void> {
    this.check('campaignResumed');
    this.resumed.push(r);
  }
}

async function world(plan: PlanRow[], google: FakePlatform, failing: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'pacing-notifier-'));
  const store = await Store.open(join(dir, 'p.db'));
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const notifier = new FailingNotifier(new Set(failing));
  const agent = agentOnFakes({ store, plan, google, notifier, now: NOW });
  return { agent, store, notifier };
}

const failures = async (store: Store) =>
  (await store.audit.list({ type: 'notification_failed' })).map((e) => ({
    platformCampaignId: e.platformCampaignId,
    escalationId: e.details.escalationId ?? null,
    error: e.details.error,
  }));

describe('a notifier that fails', () => {
  it('an escalation it could not announce is still opened, audited as not told, and asked again', async () => {
    // Low confidence (market differs) and critical: escalated, proposing a pause.
    const g = new FakePlatform('google', [campaign({ spend: 2400 })]);
    const w = await world([planRow({ market: 'DE', product: 'Other' })], g, ['escalationOpened']);
    const run = await w.agent.run('test');
    const id = run.results[0]?.escalationId as string;
    expect(run.results[0]).toMatchObject({ action: 'escalate', proposedAction: 'halt', status: 'awaiting_approval' });
    expect(await failures(w.store)).toEqual([
      { platformCampaignId: 'g-1', escalationId: id, error: 'escalationOpened: channel_not_found' },
    ]);
    // Not marked as announced: whoever can post asks it again.
    expect((await w.store.escalations.unannounced()).map((e) => e.id)).toEqual([id]);
    expect(await w.agent.announceUnposted(() => false)).toBe(1);
    expect(await failures(w.store)).toHaveLength(2);
  });

  it('a decision is carried out and its closing notice that failed is audited', async () => {
    const g = new FakePlatform('google', [campaign({ spend: 2400 })]);
    const w = await world([planRow({ market: 'DE', product: 'Other' })], g, ['escalationClosed']);
    const run = await w.agent.run('test');
    const id = run.results[0]?.escalationId as string;
    const decided = await w.agent.decide(id, 'overridden', 'U1', null, 'cli');
    expect(decided).toMatchObject({ status: 'overridden', outcome: 'done' });
    expect(await failures(w.store)).toEqual([
      { platformCampaignId: 'g-1', escalationId: id, error: 'escalationClosed: channel_not_found' },
    ]);

    // The reason given afterwards is recorded, and its notice's failure audited too (it was swallowed before).
    const withReason = await w.agent.recordRejectionReason(id, 'U1', 'planned burst', 'cli');
    expect(withReason.decisionNote).toBe('planned burst');
    await new Promise((r) => setImmediate(r));
    expect(await failures(w.store)).toHaveLength(2);
    expect(g.pauseCalls).toEqual([]);
  });

  it('an undo resumes the campaign and audits the notice about it that failed', async () => {
    const g = new FakePlatform('google', [campaign({ spend: 2400 })]);
    const w = await world([planRow()], g, ['campaignResumed']);
    const run = await w.agent.run('test');
    expect(run.results[0]).toMatchObject({ action: 'halt', pause: 'paused' });
    expect(await w.agent.resumeCampaign('google', 'g-1', 'U1')).toBe('resumed');
    expect(g.resumeCalls).toEqual(['g-1']);
    expect(await w.store.audit.list({ type: 'campaign_resumed' })).toMatchObject([
      { actor: 'U1', platformCampaignId: 'g-1' },
    ]);
    expect(await failures(w.store)).toEqual([
      { platformCampaignId: 'g-1', escalationId: null, error: 'campaignResumed: channel_not_found' },
    ]);
  });
});
