// The Slack notifier caps a run's alerts: Slack posts about one message a second per channel, so past
// MAX_ALERTS_PER_RUN a run's alerts are summarised in one message, never posted one by one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PacingAgent } from '../../src/agent/agent.js';
import { DEFAULT_THRESHOLDS } from '../../src/domain/types.js';
import { MAX_ALERTS_PER_RUN, SlackNotifier } from '../../src/slack/notifier.js';
import { Store } from '../../src/store/index.js';
import { campaign, NOW, planRow } from '../domain/builders.js';
import { FakePlatform, StaticPlan } from '../fakes/platform.js';

const ALERTS = 'C0ALERTS01';
const APPROVALS = 'C0APPROVE1';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

/**
 * A real agent and store over `warnings` campaigns at +14.29 % (warning → alert) and `criticals` at +42.86 %
 * (critical → halt, which alerts too), all matched with full confidence.
 */
function agentWith(warnings: number, criticals: number) {
  const dir = mkdtempSync(join(tmpdir(), 'pacing-notifier-'));
  const store = Store.open(join(dir, 'p.db'));
  cleanups.push(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const plan = [];
  const campaigns = [];
  for (let i = 0; i < warnings + criticals; i++) {
    const name = `UK Brand Search ${String(i).padStart(3, '0')}`;
    plan.push(planRow({ line: i + 2, campaignId: `c-${i}`, campaignName: name, platformCampaignId: `g-${i}` }));
    campaigns.push(campaign({ id: `g-${i}`, name, spend: i < warnings ? 1600 : 2000 }));
  }
  const notifier = new SlackNotifier(store, { alert: ALERTS, approval: APPROVALS }, () => new Date(NOW).toISOString());
  const agent = new PacingAgent({
    store,
    tracker: new StaticPlan(plan),
    platforms: new Map([
      ['google', new FakePlatform('google', campaigns)],
      ['meta', new FakePlatform('meta')],
    ]),
    notifier,
    clock: () => new Date(NOW).toISOString(),
    thresholds: DEFAULT_THRESHOLDS,
    approvalTimeoutHours: 24,
    checkpointRetentionDays: 30,
    approvers: [],
  });
  const queued = (runId: string) =>
    (
      store.db.prepare(`SELECT id, kind, channel, payload FROM outbox WHERE run_id = ? ORDER BY id`).all(runId) as {
        id: number;
        kind: string;
        channel: string;
        payload: string;
      }[]
    ).map((r) => ({
      ...r,
      payload: JSON.parse(r.payload) as { text: string; blocks: unknown[] },
    }));
  return { agent, store, notifier, queued };
}

describe('SlackNotifier and MAX_ALERTS_PER_RUN', () => {
  it('posts every halt, queues MAX warnings and then one summary, never more', async () => {
    const { agent, notifier, queued } = agentWith(25, 5);
    const report = await agent.run('test');
    const alerted = report.results.filter((r) => r.action === 'alert' || r.action === 'halt');
    expect(alerted).toHaveLength(30);
    expect(alerted.filter((r) => r.action === 'halt')).toHaveLength(5);

    const items = queued(report.runId);
    // Pauses are never summarised away: each carries its undo button and its owner.
    const halts = items.filter((i) => i.kind === 'halt_alert');
    expect(halts).toHaveLength(5);
    for (const i of halts) expect(i.payload.text).toMatch(/^Halted: c-\d+/);
    const warnings = items.filter((i) => i.kind === 'alert');
    expect(warnings).toHaveLength(MAX_ALERTS_PER_RUN + 1);
    expect(items.every((i) => i.channel === ALERTS)).toBe(true);
    // The first MAX are the campaigns' own warnings, each naming its campaign …
    const own = warnings.slice(0, MAX_ALERTS_PER_RUN);
    expect(new Set(own.map((i) => i.payload.text)).size).toBe(MAX_ALERTS_PER_RUN);
    for (const i of own) expect(i.payload.text).toMatch(/^Pacing warning: c-\d+/);
    // … and the last one says that the rest are not posted one by one, and where to see them.
    const summary = warnings.at(-1);
    expect(summary?.payload.text).toContain(`More warnings in run ${report.runId} are not posted one by one`);
    expect(summary?.payload.text).toContain('/pacing status');
    expect(summary?.payload.blocks).toHaveLength(1);

    // Warnings that still come for this run (a retry) add nothing.
    for (const r of alerted.filter((x) => x.action === 'alert').slice(0, 5)) await notifier.alert(r);
    expect(queued(report.runId).filter((i) => i.kind === 'alert')).toHaveLength(MAX_ALERTS_PER_RUN + 1);
  });

  it('each run has its own cap', async () => {
    const { agent, store, queued } = agentWith(MAX_ALERTS_PER_RUN + 3, 0);
    const first = await agent.run('test');
    const second = await agent.run('test');
    expect(second.runId).not.toBe(first.runId);
    expect(queued(first.runId)).toHaveLength(MAX_ALERTS_PER_RUN + 1);
    expect(queued(second.runId)).toHaveLength(MAX_ALERTS_PER_RUN + 1);
    expect(store.outbox.pendingCount()).toBe(2 * (MAX_ALERTS_PER_RUN + 1));
  });

  it('exactly MAX alerts are all posted, with no summary', async () => {
    const { agent, queued } = agentWith(MAX_ALERTS_PER_RUN, 0);
    const report = await agent.run('test');
    const items = queued(report.runId);
    expect(items).toHaveLength(MAX_ALERTS_PER_RUN);
    expect(items.some((i) => i.payload.text.startsWith('More warnings'))).toBe(false);
  });
});
