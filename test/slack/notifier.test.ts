// No alert fatigue (SPEC, Slack surface): a situation is posted once, and again only when it changed; a run with
// more than SUMMARY_ABOVE new alerts posts one summary message with the cards in its thread.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PacingAgent } from '../../src/agent/agent.js';
import { DEFAULT_THRESHOLDS } from '../../src/domain/types.js';
import { SlackNotifier, SUMMARY_ABOVE } from '../../src/slack/notifier.js';
import { MAX_THREADED } from '../../src/slack/views/alert.js';
import { Store } from '../../src/store/index.js';
import { campaign, NOW, planRow } from '../domain/builders.js';
import { FakePlatform, StaticPlan } from '../fakes/platform.js';

const ALERTS = 'C0ALERTS01';
const APPROVALS = 'C0APPROVE1';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/**
 * A real agent and store over `warnings` campaigns at +14.29 % (warning → alert) and `criticals` at +42.86 %
 * (critical → halt, which alerts too), all matched with full confidence.
 */
async function agentWith(warnings: number, criticals: number) {
  const dir = mkdtempSync(join(tmpdir(), 'pacing-notifier-'));
  const store = await Store.open(join(dir, 'p.db'));
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const plan = [];
  const campaigns = [];
  for (let i = 0; i < warnings + criticals; i++) {
    const name = `UK Brand Search ${String(i).padStart(3, '0')}`;
    plan.push(planRow({ line: i + 2, campaignId: `c-${i}`, campaignName: name, platformCampaignId: `g-${i}` }));
    campaigns.push(campaign({ id: `g-${i}`, name, spend: i < warnings ? 1600 : 2000 }));
  }
  const google = new FakePlatform('google', campaigns);
  const notifier = new SlackNotifier(store, { alert: ALERTS, approval: APPROVALS }, () => new Date(NOW).toISOString());
  const agent = new PacingAgent({
    store,
    tracker: new StaticPlan(plan),
    platforms: new Map([
      ['google', google],
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
      store.db
        .prepare(`SELECT id, kind, channel, payload, thread_of FROM outbox WHERE run_id = ? ORDER BY id`)
        .all(runId) as {
        id: number;
        kind: string;
        channel: string;
        payload: string;
        thread_of: number | null;
      }[]
    ).map((r) => ({
      ...r,
      payload: JSON.parse(r.payload) as { text: string; blocks: unknown[] },
    }));
  return { agent, store, notifier, queued, google };
}

describe('SlackNotifier: each situation once, many under one summary', () => {
  it('a run with more than SUMMARY_ABOVE new alerts posts one summary with every card in its thread, pauses first', async () => {
    const { agent, queued } = await agentWith(25, 5);
    const report = await agent.run('test');
    const alerted = report.results.filter((r) => r.action === 'alert' || r.action === 'halt');
    expect(alerted).toHaveLength(30);
    expect(alerted.every((r) => r.notice === 'new')).toBe(true);

    const items = queued(report.runId);
    const [summary, ...cards] = items;
    expect(summary?.kind).toBe('alert_summary');
    expect(summary?.thread_of).toBeNull();
    expect(summary?.payload.text).toBe('Pacing alerts: 5 paused, 25 new alerts');
    expect(cards).toHaveLength(30);
    expect(cards.every((c) => c.thread_of === summary?.id && c.channel === ALERTS)).toBe(true);
    // The pauses lead the thread: each carries its undo button.
    expect(cards.slice(0, 5).map((c) => c.kind)).toEqual(Array(5).fill('halt_alert'));
    for (const c of cards.slice(0, 5)) expect(c.payload.text).toMatch(/^Paused: UK Brand Search \d{3} — /);
    for (const c of cards.slice(5)) expect(c.payload.text).toMatch(/^Warning overspend: UK Brand Search \d{3} — /);
  });

  it('two runs over unchanged data: the second posts nothing', async () => {
    const { agent, queued, store } = await agentWith(8, 0);
    const first = await agent.run('test');
    expect(queued(first.runId)).toHaveLength(9); // the summary and 8 cards
    const second = await agent.run('test');
    expect(queued(second.runId)).toEqual([]);
    expect(second.results.filter((r) => r.action === 'alert').every((r) => r.notice === 'repeat')).toBe(true);
    // Decided is not delivered: the run records what it raised; nothing was sent yet (no dispatcher ran).
    const types = (
      store.db.prepare(`SELECT type FROM audit WHERE run_id = ?`).all(first.runId) as { type: string }[]
    ).map((e) => e.type);
    expect(types.filter((t) => t === 'alert_raised')).toHaveLength(8);
    expect(types).not.toContain('alert_sent');
  });

  it('up to SUMMARY_ABOVE alerts go out as cards of their own', async () => {
    const { agent, queued } = await agentWith(SUMMARY_ABOVE, 0);
    const items = queued((await agent.run('test')).runId);
    expect(items).toHaveLength(SUMMARY_ABOVE);
    expect(items.every((i) => i.kind === 'alert' && i.thread_of === null)).toBe(true);
  });

  it('posts again only what moved 5 points or more, changed severity, or came back after being on plan', async () => {
    const { agent, queued, google } = await agentWith(3, 0);
    await agent.run('test'); // c-0..c-2 at +14.29 %
    google.setSpend('g-0', 1600 + 0.04 * 1400); // +18.29 %: moved 4 points, not news
    google.setSpend('g-1', 1600 + 0.05 * 1400); // +19.29 %: moved 5 points
    google.setSpend('g-2', 1400); // back on plan: forgotten
    const second = await agent.run('test');
    expect(queued(second.runId).map((i) => i.payload.text)).toEqual([
      expect.stringMatching(/^Warning overspend: UK Brand Search 001/),
    ]);
    expect(second.results.map((r) => r.notice)).toEqual(['repeat', 'changed', null]);
    google.setSpend('g-2', 1600); // off plan again: new again
    google.setSpend('g-0', 2000); // critical now: paused, always posted
    const third = await agent.run('test');
    const texts = queued(third.runId).map((i) => i.payload.text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/^Paused: UK Brand Search 000/);
    expect(texts[1]).toMatch(/^Warning overspend: UK Brand Search 002/);
    // The campaign the agent paused stays paused: finding it so is not news.
    const fourth = await agent.run('test');
    expect(queued(fourth.runId)).toEqual([]);
  });

  it(`past MAX_THREADED cards the thread ends with one line; every pause still gets its card`, async () => {
    const { agent, queued } = await agentWith(MAX_THREADED + 5, 3);
    const report = await agent.run('test');
    const [summary, ...thread] = queued(report.runId);
    expect(summary?.kind).toBe('alert_summary');
    expect(thread.filter((c) => c.kind === 'halt_alert')).toHaveLength(3);
    expect(thread.filter((c) => c.kind === 'alert')).toHaveLength(MAX_THREADED - 3 + 1);
    expect(thread.at(-1)?.payload.text).toContain('8 more alerts');
    expect(thread.at(-1)?.payload.text).toContain('/pacing status');
  });
});
