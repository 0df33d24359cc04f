// The budget lever as a table: the policy's rows, what the store remembers about budgets, the settings → what the
// agent does with each proposal (show, ask, wait, change alone) and which budget questions it closes.
import { describe, expect, it } from 'vitest';
import { type Assessment, assessAll } from '../../src/domain/assess.js';
import { type BudgetSettings, DEFAULT_BUDGET_SETTINGS } from '../../src/domain/budget.js';
import { DEFAULT_GUARDS, decidePolicy, type GuardSettings } from '../../src/domain/policy.js';
import { type BudgetMemory, type SteeringPlan, steer } from '../../src/domain/steering.js';
import { DEFAULT_THRESHOLDS, type PlanRow, type PlatformCampaign } from '../../src/domain/types.js';
import { campaign, hoursBefore, NOW, planRow } from './builders.js';

const GUARDS: GuardSettings = { ...DEFAULT_GUARDS, confidence: 70, freshnessHours: 12 };
const AUTO: BudgetSettings = { ...DEFAULT_BUDGET_SETTINGS, actions: 'auto' };

// 1600 spent in 14 days of a 31-day flight budgeted 3100: at this rate it ends at 3542.86 (+14.29 %); 88.24 a day
// (from 100) lands it. A warning on a confident match: the matrix alerts.
const OVER: Partial<PlatformCampaign> = { spend: 1600 };

interface Case {
  c?: Partial<PlatformCampaign>;
  r?: Partial<PlanRow>;
  budgets?: Partial<BudgetSettings>;
  guards?: Partial<GuardSettings>;
  memory?: Partial<BudgetMemory>;
}

function assess(rows: PlanRow[], campaigns: PlatformCampaign[]): Assessment[] {
  return assessAll({
    plan: rows,
    campaigns,
    unavailable: new Map(),
    now: NOW,
    thresholds: DEFAULT_THRESHOLDS,
    history: () => [],
  }).assessments;
}

function steerAll(rows: PlanRow[], campaigns: PlatformCampaign[], k: Case = {}): SteeringPlan {
  const guards = { ...GUARDS, ...k.guards };
  const policy = decidePolicy(
    assess(rows, campaigns),
    { open: new Map(), decisions: new Map(), complete: new Set(['google', 'meta']) },
    guards,
    NOW,
  );
  return steer({
    plan: policy,
    campaigns: new Map(campaigns.map((c) => [`${c.platform}:${c.id}`, c])),
    memory: { open: new Map(), lastChange: new Map(), decisions: new Map(), keptRunning: new Map(), ...k.memory },
    budgets: { ...AUTO, ...k.budgets },
    guards,
    now: NOW,
  });
}

function one(k: Case = {}) {
  const s = steerAll([planRow({ platformCampaignId: 'g-1', ...k.r })], [campaign({ ...OVER, ...k.c })], k);
  return { row: s.rows[0] ?? null, plan: s };
}

const restored = (actor: string, at: string, projectedVariancePct: number) =>
  new Map([['google:g-1', { kind: 'restored' as const, actor, at, projectedVariancePct }]]);

describe('BUDGET_ACTIONS=auto: the guards of a pause decide whether the agent changes a budget alone', () => {
  it.each<[string, Case, string, RegExp | null]>([
    ['a confident match on fresh data, in flight', {}, 'change', null],
    [
      'a weak match (confidence below CONFIDENCE_THRESHOLD)',
      { c: { market: 'FR', product: 'Other' } },
      'ask',
      /Confidence 66\.67 < 70/,
    ],
    ['spend data too old to act on', { c: { fetchedAt: hoursBefore(NOW, 30) } }, 'ask', /too old to act on alone/],
    ['early in the flight', { guards: { earlyFlightHours: 400 } }, 'ask', /too early to steer alone/],
    [
      'a plan with no currency (money not known comparable)',
      { r: { currency: null }, c: { currency: null } },
      'ask',
      /states no currency/,
    ],
    [
      'a person restored the budget within HUMAN_DECISION_HOURS',
      { memory: { decisions: restored('U7', hoursBefore(NOW, 5), 14) } },
      'show',
      /Not asked: the budget was restored by U7/,
    ],
    [
      'a person restored it, and the forecast has since moved 10 points further off',
      { memory: { decisions: restored('U7', hoursBefore(NOW, 5), 4.29) } },
      'ask',
      /moved 10 points further off, so the agent asks again/,
    ],
    [
      'the agent changed it less than 24 h ago',
      { memory: { lastChange: new Map([['google:g-1', hoursBefore(NOW, 10)]]) } },
      'show',
      /changes one campaign's budget at most once in 24 h/,
    ],
    [
      'the agent changed it more than 24 h ago',
      { memory: { lastChange: new Map([['google:g-1', hoursBefore(NOW, 30)]]) } },
      'change',
      null,
    ],
    [
      'a person resumed it within HUMAN_DECISION_HOURS',
      {
        memory: {
          keptRunning: new Map([['plan:c-1', { kind: 'resumed' as const, actor: 'U7', at: hoursBefore(NOW, 3) }]]),
        },
      },
      'ask',
      /resumed by U7 at .*: the agent does not change its budget alone for 72 h/,
    ],
    [
      'a person rejected its pause within HUMAN_DECISION_HOURS',
      {
        memory: {
          keptRunning: new Map([
            ['google:g-1', { kind: 'rejected_pause' as const, actor: 'U8', at: hoursBefore(NOW, 2) }],
          ]),
        },
      },
      'ask',
      /kept running \(a pause was rejected\) by U8/,
    ],
    ['BUDGET_ACTIONS=ask', { budgets: { actions: 'ask' } }, 'ask', null],
    ['BUDGET_ACTIONS=off', { budgets: { actions: 'off' } }, 'show', null],
  ])('%s → %s', (_name, k, expected, why) => {
    const { row } = one(k);
    expect(row?.proposal).toMatchObject({ from: 100, to: 88.24, applicable: true });
    expect(row?.intent.do).toBe(expected);
    const said = row?.intent.do === 'ask' ? row.intent.why : row?.intent.do === 'show' ? row.intent.note : null;
    if (why) expect(said).toMatch(why);
    else if (expected !== 'ask') expect(said ?? null).toBeNull();
  });

  it('waits on the open question instead of asking again, and links the proposal to it', () => {
    const { row } = one({ memory: { open: new Map([['plan:c-1', { id: 'esc-b1', batch: false }]]) } });
    expect(row?.intent).toEqual({ do: 'wait', escalationId: 'esc-b1' });
    expect(row?.proposal.escalationId).toBe('esc-b1');
  });

  it('closes an open budget question once the flight is back on course, but leaves a batch to its other members', () => {
    const single = one({
      c: { spend: 1400 },
      memory: { open: new Map([['plan:c-1', { id: 'esc-b1', batch: false }]]) },
    });
    expect(single.row).toBeNull();
    expect(single.plan.close).toEqual([
      { escalationId: 'esc-b1', key: 'plan:c-1', note: 'no longer needed: the flight no longer needs a budget change' },
    ]);
    const batch = one({ c: { spend: 1400 }, memory: { open: new Map([['plan:c-1', { id: 'esc-b2', batch: true }]]) } });
    expect(batch.plan.close).toEqual([]);
  });

  it('drops a member whose change no longer stands from a batch of budget changes, closing a batch left empty', () => {
    const inBatch = (id: string) => ({ id, batch: true, proposedAction: 'budget' as const });
    // c-1 is back on course; c-2, also in the batch, is not in this run (it may still stand).
    const shared = one({
      c: { spend: 1400 },
      memory: {
        open: new Map([
          ['plan:c-1', inBatch('esc-b3')],
          ['plan:c-2', inBatch('esc-b3')],
        ]),
      },
    });
    expect(shared.plan.drop).toEqual([{ escalationId: 'esc-b3', key: 'plan:c-1' }]);
    expect(shared.plan.close).toEqual([]);
    const alone = one({ c: { spend: 1400 }, memory: { open: new Map([['plan:c-1', inBatch('esc-b4')]]) } });
    expect(alone.plan.drop).toEqual([]);
    expect(alone.plan.close).toEqual([
      { escalationId: 'esc-b4', key: 'plan:c-1', note: 'no longer needed: none of its budget changes stands any more' },
    ]);
    // Still standing: the member waits on its batch.
    const standing = one({ memory: { open: new Map([['plan:c-1', inBatch('esc-b5')]]) } });
    expect(standing.row?.intent).toEqual({ do: 'wait', escalationId: 'esc-b5' });
    expect(standing.plan.drop).toEqual([]);
    // A pool's question is left to the pool's own rebalance.
    const pool = one({
      c: { spend: 1400 },
      memory: { open: new Map([['plan:c-1', { id: 'esc-p1', batch: true, proposedAction: 'rebalance' as const }]]) },
    });
    expect([...pool.plan.drop, ...pool.plan.close]).toEqual([]);
  });

  it('closes an open question when BUDGET_ACTIONS is turned off', () => {
    const { row, plan: p } = one({
      budgets: { actions: 'off' },
      memory: { open: new Map([['plan:c-1', { id: 'esc-b1', batch: false }]]) },
    });
    expect(row?.intent.do).toBe('show');
    expect(p.close.map((c) => c.escalationId)).toEqual(['esc-b1']);
  });

  it('gives a row being halted no proposal: a pause and a budget change never fight', () => {
    expect(one({ c: { spend: 2400 } }).row).toBeNull();
  });

  it('only advises on a budget kept on ad sets', () => {
    const { row } = one({ c: { adSetBudgets: true } });
    expect(row?.proposal).toMatchObject({ applicable: false });
    expect(row?.proposal.reason).toMatch(/^Advice only: the campaign's budgets are on its ad sets/);
    expect(row?.intent.do).toBe('show');
  });

  it('makes at most MAX_AUTONOMOUS_BUDGET_CHANGES alone, biggest miss first; the rest wait for one batch question', () => {
    const rows = [
      planRow({ campaignId: 'c-1', campaignName: 'UK Brand Search', platformCampaignId: 'g-1' }),
      planRow({
        campaignId: 'c-2',
        campaignName: 'UK Brand Search Two',
        platformCampaignId: 'g-2',
        budget: 6200,
        targetSpend: 2800,
      }),
      planRow({ campaignId: 'c-3', campaignName: 'UK Brand Search Three', platformCampaignId: 'g-3' }),
    ];
    const campaigns = [
      campaign({ id: 'g-1', spend: 1600 }),
      // Twice the money off course: changed first.
      campaign({ id: 'g-2', name: 'UK Brand Search Two', spend: 3200, dailyBudget: 200 }),
      campaign({ id: 'g-3', name: 'UK Brand Search Three', spend: 1580 }),
    ];
    const s = steerAll(rows, campaigns, { budgets: { maxAutonomousChanges: 1 } });
    expect(s.rows.map((r) => r?.intent.do)).toEqual(['batch', 'change', 'batch']);
    expect(s.batch).toEqual([0, 2]);
  });
});
