// Budget steering on Slack: the daily-budget question with its forecast before and after, a pool's rebalance,
// advice on alert cards and in status, the "Restore budget" button, and the digest's line. Proposals come from the
// domain's own rule; every message is posted to the fake Slack API, which refuses what Slack refuses.
import type { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BudgetRow, proposeBudget } from '../../src/domain/budget.js';
import { projectedWithBudget } from '../../src/domain/budget-outlook.js';
import { formatMoney, formatPct } from '../../src/domain/money.js';
import { type PoolMember, rebalancePool, shareOfPool } from '../../src/domain/pools.js';
import type { Escalation, EscalationClosed, ResultRow, RunRecord } from '../../src/domain/records.js';
import type { Forecast } from '../../src/domain/types.js';
import { buildDigest, type Digest, type DigestReads } from '../../src/slack/digest.js';
import { alertBlocks } from '../../src/slack/views/alert.js';
import type { Block } from '../../src/slack/views/blocks.js';
import { RESTORE_BUDGET } from '../../src/slack/views/budget.js';
import { budgetLine, digestBlocks } from '../../src/slack/views/digest.js';
import { APPROVE, closedBlocks, escalationBlocks, REJECT } from '../../src/slack/views/escalation.js';
import { campaignBlocks, pendingBlocks } from '../../src/slack/views/status.js';
import { escalation, row } from '../cli/rows.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/slack-api.js';
import { fastClient } from './fixture-app.js';

const CHANNEL = 'C0BUDGET01';
const NOW = '2026-11-20T10:00:00Z';
const SETTINGS = { triggerPct: 10, maxChangePct: 20 };

/** A flight of 15,000 EUR (1–30 Nov), 9,500 spent, running at 700 a day: it ends 14.67 % over; 500 a day lands it. */
const FORECAST: Forecast = {
  dailyRunRate: 700,
  projectedSpend: 17_200,
  budget: 15_000,
  projectedVariancePct: 14.67,
  daysLeft: 11,
  recommendedDailyBudget: 500,
  basis: 'last_7_days',
};

/** A result row with the proposal the domain's rule gives it for `dailyBudget` and the budget facts. */
function proposed(o: Partial<ResultRow>, budget: Partial<BudgetRow> & { dailyBudget: number }): ResultRow {
  const r = row({ forecast: FORECAST, variancePct: 12, severity: 'warning', action: 'alert', ...o });
  const p = proposeBudget({ ...r, ...budget }, SETTINGS, NOW);
  if (!p) throw new Error('the rule gave no proposal');
  return { ...r, budgetProposal: p };
}

const budgetQuestion = (r: ResultRow): Escalation =>
  escalation({
    campaignId: r.campaignId,
    platform: r.platform,
    platformCampaignId: r.platformCampaignId,
    proposedAction: 'budget',
    reason: r.budgetProposal?.reason ?? '',
    snapshot: r,
  });

type Json = Record<string, unknown>;
const text = (v: unknown): string => JSON.stringify(v);
const buttons = (blocks: Block[]): Json[] =>
  blocks.filter((b) => b.type === 'actions').flatMap((b) => (b as unknown as { elements: Json[] }).elements);

/** A digest of one run with nothing else to say: only what a test sets. */
const digestOf = (results: ResultRow[]): Digest => ({
  since: null,
  until: NOW,
  runs: 1,
  latestRunId: 'run-1',
  latestAt: NOW,
  latest: null,
  actions: { paused: 0, alerts: 0, escalated: 0, approved: 0, overridden: 0, expired: 0, resumed: 0 },
  pending: [],
  expired: [],
  moneyAtStake: [],
  overspends: [],
  underspends: [],
  changes: null,
  chronic: [],
  forecastMisses: [],
  results,
});

let fake: FakeSlackApi;
let client: WebClient;
/** Posts the blocks the way the app does: the fake answers invalid_blocks for anything Slack would refuse. */
const post = async (blocks: Block[]) => {
  const res = await client.chat.postMessage({ channel: CHANNEL, text: 'budget', blocks });
  expect(res.ok).toBe(true);
};

beforeAll(async () => {
  fake = await startFakeSlackApi({ knownChannels: [CHANNEL] });
  client = fastClient(fake.url);
});
afterAll(async () => {
  await fake?.close();
});

describe('the daily-budget question', () => {
  const google = proposed({ campaignId: 'ACM-G-020', campaignName: 'Acme_DE_Run' }, { dailyBudget: 550 });
  const stepped = proposed({ campaignId: 'ACM-G-021', campaignName: 'Acme_DE_Step' }, { dailyBudget: 700 });
  const meta = proposed(
    { campaignId: 'ACM-M-020', campaignName: 'Acme_FR_Meta', platform: 'meta', platformCampaignId: '2385' },
    { dailyBudget: 550 },
  );

  it('asks "Set daily budget to …" / "Keep …", each answering the escalation by id', async () => {
    const e = budgetQuestion(google);
    const blocks = escalationBlocks(e);
    await post(blocks);
    const [yes, no] = buttons(blocks);
    expect(yes).toMatchObject({
      action_id: APPROVE,
      value: e.id,
      style: 'primary',
      text: { text: 'Set daily budget to 500.00 EUR' },
    });
    expect(no).toMatchObject({ action_id: REJECT, value: e.id, text: { text: 'Keep 550.00 EUR' } });
    expect(text(blocks[0])).toContain('Set the daily budget of Acme_DE_Run to 500.00 EUR?');
  });

  it('shows the forecast at this rate and with the new budget', async () => {
    const blocks = escalationBlocks(budgetQuestion(google));
    const after = projectedWithBudget(FORECAST, 500);
    expect(after.projectedSpend).toBe(15_000);
    const t = text(blocks);
    expect(t).toContain('At this rate the flight ends at *17,200.00 EUR* of its 15,000.00 EUR budget (+14.67%)');
    expect(t).toContain('with the new budget of 500.00 EUR a day, near *15,000.00 EUR* (0.00%)');
    expect(t).not.toContain('A step toward');
    expect(t).not.toContain('learning phase');
  });

  it('says a capped change is a step toward what lands the flight', async () => {
    expect(stepped.budgetProposal).toMatchObject({ from: 700, to: 560, recommended: 500, step: true });
    const blocks = escalationBlocks(budgetQuestion(stepped));
    await post(blocks);
    expect(text(blocks)).toContain('A step toward 500.00 EUR a day');
    expect(buttons(blocks)[0]).toMatchObject({ text: { text: 'Set daily budget to 560.00 EUR' } });
  });

  it("warns on Meta cards that a budget edit can restart Meta's learning phase", async () => {
    const blocks = escalationBlocks(budgetQuestion(meta));
    await post(blocks);
    expect(text(blocks)).toContain('restart the learning phase');
  });

  it('once approved, says the budget was set and offers "Restore budget" by plan campaign id', async () => {
    const e = budgetQuestion(google);
    const c: EscalationClosed = {
      escalation: { ...e, status: 'approved', decidedBy: 'U0APPROVER1', decidedAt: NOW, outcome: 'done' },
      decision: 'approved',
      actor: 'U0APPROVER1',
      outcome: 'done',
      detail: 'Approved by U0APPROVER1: daily budget 550.00 → 500.00 EUR, read back.',
    } as EscalationClosed;
    const blocks = closedBlocks(c);
    await post(blocks);
    expect(text(blocks[0])).toContain('Daily budget set to 500.00 EUR: Acme_DE_Run');
    expect(buttons(blocks)).toEqual([
      expect.objectContaining({ action_id: RESTORE_BUDGET, value: 'ACM-G-020', text: expect.anything() }),
    ]);
    const rejected = closedBlocks({
      ...c,
      decision: 'overridden',
      escalation: { ...c.escalation, status: 'overridden' },
    });
    expect(text(rejected[0])).toContain('Budget kept: Acme_DE_Run');
    expect(buttons(rejected)).toEqual([]);
  });

  it('is listed as proposing a budget change among the open questions and in the expired ones', async () => {
    const e = budgetQuestion(google);
    const pending = pendingBlocks([e]);
    await post(pending);
    expect(text(pending)).toContain('proposes *a budget change*');
    const expired = { ...e, status: 'expired' as const, decidedBy: 'agent', decidedAt: NOW };
    const d = digestBlocks({ ...digestOf([]), expired: [expired] });
    expect(text(d)).toContain('(proposed: budget change)');
  });

  it('stays within Slack limits with a 500-character name', async () => {
    const long = proposed({ campaignId: 'ACM-G-022', campaignName: 'N'.repeat(500) }, { dailyBudget: 550 });
    await post(escalationBlocks(budgetQuestion(long)));
  });
});

describe('advice, changes and the undo on alert cards and status', () => {
  const shared = proposed({ campaignId: 'ACM-G-030' }, { dailyBudget: 550, sharedBudget: true });
  const lifetime = proposed(
    { campaignId: 'ACM-M-030', platform: 'meta', platformCampaignId: '2386' },
    { dailyBudget: 550, lifetimeBudget: 20_000 },
  );

  it('shows advice-only proposals as a line with the reason', async () => {
    expect(shared.budgetProposal?.applicable).toBe(false);
    for (const r of [shared, lifetime]) {
      const blocks = alertBlocks(r);
      await post(blocks);
      expect(text(blocks)).toContain('*Budget advice:* Advice only:');
      expect(buttons(blocks)).toEqual([]);
    }
    expect(text(alertBlocks(shared))).toContain('shares its budget');
    expect(text(campaignBlocks([lifetime], () => null))).toContain('lifetime budget of 20,000.00 EUR');
  });

  it('shows an applicable proposal in status, but not as advice', () => {
    const r = proposed({ campaignId: 'ACM-G-031' }, { dailyBudget: 550 });
    expect(text(campaignBlocks([r], () => null))).toContain('*Daily budget:* Set the daily budget to 500.00 EUR');
    expect(text(alertBlocks(r))).not.toContain('Budget advice');
  });

  it('offers "Restore budget" on the alert after the agent changed a budget alone, and only then', async () => {
    const r = proposed({ campaignId: 'ACM-G-032' }, { dailyBudget: 550 });
    const changed = { ...r, budgetChange: { from: 550, to: 500, status: 'changed' as const } };
    const blocks = alertBlocks(changed);
    await post(blocks);
    expect(text(blocks)).toContain('The agent changed its daily budget:* 550.00 EUR → 500.00 EUR a day');
    expect(buttons(blocks)).toEqual([
      expect.objectContaining({ action_id: 'pacing_restore_budget', value: 'ACM-G-032' }),
    ]);
    const dry = alertBlocks({ ...r, budgetChange: { from: 550, to: 500, status: 'would_change' } });
    expect(text(dry)).toContain('Dry run');
    expect(buttons(dry)).toEqual([]);
    expect(buttons(alertBlocks(r))).toEqual([]);
  });
});

describe("a pool's rebalance", () => {
  type Member = NonNullable<Escalation['batch']>['members'][number];
  const changes = [
    { campaignId: 'ACM-G-040', from: 1_000, to: 1_200 },
    { campaignId: 'ACM-G-041', from: 900, to: 1_080 },
    { campaignId: 'ACM-M-040', from: 800, to: 960 },
    { campaignId: 'ACM-M-041', from: 500, to: 600 },
  ];
  const member = (c: { campaignId: string; from: number; to: number }, dropped = false): Member => ({
    key: `budget:plan:${c.campaignId}`,
    campaignId: c.campaignId,
    campaignName: `Name of ${c.campaignId}`,
    platform: c.campaignId.startsWith('ACM-M') ? 'meta' : 'google',
    platformCampaignId: `p-${c.campaignId}`,
    platformCampaignName: null,
    currency: 'EUR',
    targetSpend: 10_000,
    actualSpend: 9_000,
    variancePct: -10,
    dropped,
    budget: { from: c.from, to: c.to, currency: 'EUR' },
  });
  /** The question as the agent opens it: a batch of kind 'pool', its reason the pool's totals. */
  const question = (cs: typeof changes, pool = 'DE Sneakers', dropped: string[] = []): Escalation =>
    escalation({
      id: 'esc-pool000001',
      key: `batch:pool:${pool}:esc-pool000001`,
      campaignId: null,
      proposedAction: 'rebalance',
      reason: `Rebalance ${pool}: ${cs.length - dropped.length} changes, lands at 100.4 % of 120,000.00 EUR (at today's rates 90.0 %, -10 %).`,
      batch: { kind: 'pool', members: cs.map((c) => member(c, dropped.includes(c.campaignId))) },
    });

  it("falls back to the agent's sentence on a question asked before the pool's figures were kept", async () => {
    const e = question(changes);
    const blocks = escalationBlocks(e);
    await post(blocks);
    expect(text(blocks[0])).toContain('Rebalance DE Sneakers: 4 changes, lands at 100.4 % of 120,000.00 EUR');
    const t = text(blocks);
    expect(t).toContain('*Name of ACM-G-040* (ACM-G-040): 1,000.00 → 1,200.00 EUR a day');
    expect(t).toContain('*Name of ACM-M-041* (ACM-M-041): 500.00 → 600.00 EUR a day');
    expect(t).toContain('restart the learning phase');
    const [yes, no] = buttons(blocks);
    expect(yes).toMatchObject({ action_id: APPROVE, value: e.id, text: { text: 'Apply 4 changes' } });
    expect(no).toMatchObject({ action_id: REJECT, value: e.id, text: { text: 'Keep budgets' } });
  });

  it('leaves out members a later run dropped, and names the pool once decided', async () => {
    const e = question(changes, 'DE: Boots', ['ACM-M-041']);
    const blocks = escalationBlocks(e);
    expect(text(blocks)).not.toContain('ACM-M-041');
    // Where the pool lands was worked out with all four: the title counts what still stands instead.
    expect(text(blocks[0])).toContain('Rebalance DE: Boots: 3 changes still standing of 4 asked');
    const google = question(changes.slice(0, 2));
    expect(text(escalationBlocks(google))).not.toContain('learning phase');
    expect(buttons(blocks)[0]).toMatchObject({ text: { text: 'Apply 3 changes' } });
    const closed = closedBlocks({
      escalation: { ...e, status: 'approved', decidedBy: 'U1', decidedAt: NOW },
      decision: 'approved',
      actor: 'U1',
      outcome: 'done',
      detail: 'Approved by U1: 3 budgets changed.',
    });
    await post(closed);
    expect(text(closed[0])).toContain('Rebalanced: pool DE: Boots');
    // No question left to answer: only each change's undo, the dropped member's none.
    expect(buttons(closed).map((b) => [b.action_id, b.value])).toEqual([
      [RESTORE_BUDGET, 'ACM-G-040'],
      [RESTORE_BUDGET, 'ACM-G-041'],
      [RESTORE_BUDGET, 'ACM-M-040'],
    ]);
    const rejected = closedBlocks({
      escalation: { ...e, status: 'overridden', decidedBy: 'U1', decidedAt: NOW },
      decision: 'overridden',
      actor: 'U1',
      outcome: 'done',
      detail: 'Rejected by U1.',
    });
    expect(buttons(rejected)).toEqual([]);
  });

  it('names a batch of budget changes (over MAX_AUTONOMOUS_BUDGET_CHANGES) by its count, not its biggest member', () => {
    const batch = escalation({
      proposedAction: 'budget',
      campaignId: null,
      snapshot: row({
        campaignId: 'ACM-G-040',
        budgetProposal: {
          from: 1_000,
          to: 1_200,
          currency: 'EUR',
          recommended: 1_300,
          step: true,
          applicable: true,
          reason: 'Step toward 1,300.00 EUR a day.',
          escalationId: 'esc-0000000001',
        },
      }),
      batch: { kind: 'budget', members: changes.slice(0, 2).map((c) => member(c)) },
    });
    const closed = closedBlocks({
      escalation: { ...batch, status: 'approved', decidedBy: 'U1', decidedAt: NOW },
      decision: 'approved',
      actor: 'U1',
      outcome: 'done',
      detail: 'Approved by U1: 2 budgets changed.',
    });
    expect(text(closed[0])).toContain('Daily budgets changed: 2 campaigns');
    expect(text(closed[0])).not.toContain('1,200.00');
  });

  it('asks about a batch of budget changes as budget changes: each from → to, Apply / Keep budgets', async () => {
    const members = [member(changes[0] as (typeof changes)[number]), member(changes[3] as (typeof changes)[number])];
    const batch = escalation({
      proposedAction: 'budget',
      campaignId: null,
      reason: '2 more daily-budget changes than the agent makes alone in one run (MAX_AUTONOMOUS_BUDGET_CHANGES 0).',
      batch: { kind: 'budget', members },
    });
    const blocks = escalationBlocks(batch);
    await post(blocks);
    expect(text(blocks[0])).toContain('Set 2 daily budgets? More than the agent changes alone in one run');
    const t = text(blocks);
    expect(t).toContain('*Name of ACM-G-040* (ACM-G-040): 1,000.00 → 1,200.00 EUR a day (+20.00%)');
    expect(t).toContain('*Name of ACM-M-041* (ACM-M-041): 500.00 → 600.00 EUR a day (+20.00%)');
    expect(t).toContain('restart the learning phase');
    // Not a flag for review: approving sets budgets.
    expect(t).not.toMatch(/Flag|nothing is paused/);
    const [yes, no] = buttons(blocks);
    expect(yes).toMatchObject({ action_id: APPROVE, text: { text: 'Apply 2 changes' } });
    expect(no).toMatchObject({ action_id: REJECT, text: { text: 'Keep budgets' } });
    // Once approved, each change can be put back.
    const closed = closedBlocks({
      escalation: { ...batch, status: 'approved', decidedBy: 'U1', decidedAt: NOW },
      decision: 'approved',
      actor: 'U1',
      outcome: 'done',
      detail: 'Approved by U1 for 2 daily budgets: 2 changed.',
    });
    await post(closed);
    expect(text(closed)).toContain('1,000.00 → 1,200.00 EUR a day');
    expect(buttons(closed).map((b) => b.value)).toEqual(['ACM-G-040', 'ACM-M-041']);
  });

  it("shows the pool's figures kept with the question: its total, spent, where it ends before and after", async () => {
    // 120,000 EUR over three members, 78,000 spent: at today's rates 124,200 (103.5 %); the shared one is held.
    const pm = (id: string, budget: number, actual: number, rate: number, o: Partial<PoolMember> = {}): PoolMember => ({
      campaignId: id,
      planCurrency: 'EUR',
      platformCurrency: 'EUR',
      startDate: '2026-11-01',
      endDate: '2026-11-30',
      timeZone: null,
      budget,
      actualSpend: actual,
      forecast: { ...FORECAST, dailyRunRate: rate, projectedSpend: actual + rate * 11, budget, daysLeft: 11 },
      platformStatus: 'ENABLED',
      dailyBudget: rate,
      ...o,
    });
    const r = rebalancePool(
      'DE Sneakers',
      [
        pm('ACM-G-040', 60_000, 40_000, 2_000),
        pm('ACM-M-040', 40_000, 26_000, 1_400),
        pm('ACM-G-041', 20_000, 12_000, 800, { sharedBudget: true }),
      ],
      { maxChangePct: 20 },
      NOW,
    );
    expect(r.changes.map((c) => c.campaignId)).toEqual(['ACM-G-040', 'ACM-M-040']);
    const { changes: cs, ...figures } = r;
    const e = escalation({
      id: 'esc-pool000002',
      key: 'batch:pool:DE Sneakers:esc-pool000002',
      campaignId: null,
      proposedAction: 'rebalance',
      reason: 'Rebalance DE Sneakers: a sentence the card no longer needs.',
      batch: { kind: 'pool', pool: figures, members: cs.map((c) => member(c)) },
    });
    const blocks = escalationBlocks(e);
    await post(blocks);
    const lands = shareOfPool(r.projectedAfter as number, 120_000);
    expect(lands).toMatch(/^(99\.[5-9]|100\.[0-4]) %$/);
    expect(text(blocks[0])).toContain(`Rebalance DE Sneakers: 2 changes, lands at ${lands} of 120,000 EUR`);
    const t = text(blocks);
    expect(t).toContain(
      `At today's rates the pool ends at *124,200.00 EUR* (+3.50%) of its 120,000.00 EUR, 78,000.00 EUR spent so far`,
    );
    expect(t).toContain(`with these changes near *${formatMoney(r.projectedAfter, 'EUR')}*`);
    // Each change with its step, the held member named, and not the pool's first sentence again.
    const g040 = cs[0] as (typeof cs)[number];
    expect(t).toContain(
      `(ACM-G-040): 2,000.00 → ${formatMoney(g040.to, 'EUR')} a day (${formatPct(((g040.to - 2_000) / 2_000) * 100)})`,
    );
    expect(t).toContain('Held: ACM-G-041 (shared budget)');
    expect(t).not.toContain('land it at');
    expect(t).toContain('restart the learning phase');
    expect(buttons(blocks)[0]).toMatchObject({ text: { text: 'Apply 2 changes' } });
    // Once decided, the card keeps the figures under its outcome.
    const closed = closedBlocks({
      escalation: { ...e, status: 'approved', decidedBy: 'U1', decidedAt: NOW },
      decision: 'approved',
      actor: 'U1',
      outcome: 'done',
      detail: 'Approved by U1 for 2 daily budgets: 2 changed.',
    });
    await post(closed);
    expect(text(closed[0])).toContain('Rebalanced: pool DE Sneakers');
    expect(text(closed)).toContain('*124,200.00 EUR* (+3.50%)');
  });

  it('lists at most a screenful of changes and counts the rest, within Slack limits', async () => {
    const many = Array.from({ length: 300 }, (_, i) => ({
      campaignId: `C-${'x'.repeat(150)}-${i}`,
      from: 100,
      to: 120,
    }));
    const blocks = escalationBlocks(question(many));
    await post(blocks);
    expect(text(blocks)).toMatch(/…and \d+ more/);
    expect(text(blocks[0])).toContain('300 changes');
    // Approved, the first ten get their undo button; the rest are pointed to the command line.
    const closed = closedBlocks({
      escalation: { ...question(many), status: 'approved', decidedBy: 'U1', decidedAt: NOW },
      decision: 'approved',
      actor: 'U1',
      outcome: 'done',
      detail: 'Approved by U1 for 300 daily budgets: 300 changed.',
    });
    await post(closed);
    expect(buttons(closed)).toHaveLength(10);
    expect(text(closed)).toContain(
      'the other 290 with `npx pacing restore-budget &lt;campaign-id&gt; --user &lt;id&gt;`',
    );
  });
});

describe('the digest', () => {
  const digest = (results: ResultRow[], budgetProposals: NonNullable<Digest['budgetProposals']>): Digest => ({
    since: null,
    until: NOW,
    runs: 1,
    latestRunId: 'run-1',
    latestAt: NOW,
    latest: null,
    actions: { paused: 0, alerts: 0, escalated: 0, approved: 0, overridden: 0, expired: 0, resumed: 0 },
    pending: [],
    expired: [],
    moneyAtStake: [],
    overspends: [],
    underspends: [],
    changes: null,
    chronic: [],
    forecastMisses: [],
    results,
    budgetProposals,
  });

  it('says "3 budget changes would steer 2.1 M EUR of flights toward their budgets"', async () => {
    const blocks = digestBlocks(digest([], { count: 3, budgets: [{ currency: 'EUR', amount: 2_100_000 }] }));
    await post(blocks);
    expect(text(blocks)).toContain('3 budget changes would steer 2.1 M EUR of flights toward their budgets');
    expect(budgetLine(digest([], { count: 0, budgets: [] }))).toBeNull();
  });
});

describe('buildDigest', () => {
  it("counts the latest run's proposals the agent can make and sums their flights' budgets per currency", async () => {
    const run: RunRecord = {
      id: 'run-1',
      startedAt: NOW,
      finishedAt: NOW,
      status: 'completed',
      trigger: 'test',
      actor: 'agent',
      summary: null,
      errors: [],
      platformErrors: [],
      failure: null,
    };
    const results = [
      proposed({ campaignId: 'ACM-G-050', budget: 15_000 }, { dailyBudget: 550 }),
      proposed({ campaignId: 'ACM-G-051', budget: 15_000 }, { dailyBudget: 700 }),
      proposed({ campaignId: 'ACM-G-052', budget: 15_000 }, { dailyBudget: 550, sharedBudget: true }),
      row({ campaignId: 'ACM-G-053' }),
    ];
    // The reads port as the digest sees it, over one completed run.
    const reads: DigestReads = {
      runsCompletedSince: async () => [run],
      latestCompletedBy: async () => run,
      results: async () => results,
      auditCounts: async () => ({}),
      decidedSince: async () => [],
      pending: async () => [],
    };
    const d = await buildDigest(reads, null, NOW);
    expect(d.budgetProposals).toEqual({ count: 2, budgets: [{ currency: 'EUR', amount: 30_000 }] });
    expect(budgetLine(d)).toContain('2 budget changes would steer 30,000.00 EUR of flights toward their budgets');
  });
});
