// Which pools a run asks about, as a table of the policy's rows: a member being paused or asked about pausing is
// held (a pause and a budget change never fight), and an open pool question keeps only the changes that still stand.
import { describe, expect, it } from 'vitest';
import { assessAll } from '../../src/domain/assess.js';
import { type BudgetSettings, DEFAULT_BUDGET_SETTINGS } from '../../src/domain/budget.js';
import { round2 } from '../../src/domain/money.js';
import { DEFAULT_GUARDS, decidePolicy } from '../../src/domain/policy.js';
import { planPools } from '../../src/domain/pool-steering.js';
import { DEFAULT_THRESHOLDS, type PlanRow, type PlatformCampaign } from '../../src/domain/types.js';
import { campaign, NOW, planRow } from './builders.js';

const ASK = { ...DEFAULT_BUDGET_SETTINGS, actions: 'ask' as const };

/**
 * Three members of pool P on 3,100 flights, 1,400 planned each by 15 May; `spend` says what each has spent, and each
 * daily budget is what it spends a day (it spends all it may).
 */
function plan(
  spend: [number, number, number],
  o: {
    weak?: string;
    open?: Record<string, string>;
    remembered?: Record<string, string>;
    budgets?: Partial<BudgetSettings>;
  } = {},
) {
  const ids = ['a', 'b', 'c'];
  const rows: PlanRow[] = ids.map((id, i) =>
    planRow({
      line: i + 2,
      campaignId: id,
      campaignName: `Pool ${id}`,
      platformCampaignId: `g-${id}`,
      budgetPool: 'P',
      // A member found by name whose market and product differ matches weakly: critical spend is then asked
      // about, not paused alone.
      ...(o.weak === id ? { platformCampaignId: null, market: 'DE', product: 'Other' } : {}),
    }),
  );
  const campaigns: PlatformCampaign[] = ids.map((id, i) =>
    campaign({ id: `g-${id}`, name: `Pool ${id}`, spend: spend[i] as number, dailyBudget: 85 }),
  );
  const assessed = assessAll({
    plan: rows,
    campaigns,
    unavailable: new Map(),
    now: NOW,
    thresholds: DEFAULT_THRESHOLDS,
    history: () => [],
  }).assessments;
  const policy = decidePolicy(
    assessed,
    { open: new Map(), decisions: new Map(), complete: new Set(['google', 'meta']) },
    { ...DEFAULT_GUARDS, confidence: 70, freshnessHours: 12 },
    NOW,
  );
  return planPools({
    plan: policy,
    planRows: rows,
    campaigns: new Map(campaigns.map((c) => [`google:${c.id}`, c])),
    budgets: { ...ASK, ...o.budgets },
    openPool: (key) => o.open?.[key] ?? null,
    remembered: (a) => o.remembered?.[a.key] ?? null,
    now: NOW,
  });
}

describe('planPools', () => {
  it('asks about a pool that under-delivers (-14 %), every member raised', () => {
    const p = plan([1200, 1200, 1200]);
    expect(p.questions).toHaveLength(1);
    expect(p.questions[0]?.rebalance.changes.map((c) => c.campaignId)).toEqual(['a', 'b', 'c']);
    expect(p.questions[0]?.open).toBeNull();
  });

  it.each([
    ['being paused (critical on a confident match)', {}, 'Held: c (paused).'],
    ['asked about pausing (critical on a weak match)', { weak: 'c' }, 'Held: c (asked about pausing it).'],
  ])('holds a member %s: no change to its budget', (_name, o, held) => {
    const p = plan([1200, 1200, 2400], o);
    const q = p.questions[0];
    expect(q?.rebalance.changes.map((c) => c.campaignId)).toEqual(['a', 'b']);
    expect(q?.rebalance.note).toContain(held);
  });

  it('counts a member asked about pausing as still spending, one paused now as spending no more', () => {
    const paused = plan([1200, 1200, 2400]).questions[0]?.rebalance;
    const asked = plan([1200, 1200, 2400], { weak: 'c' }).questions[0]?.rebalance;
    // c runs at 2,400 / 14 days a day for the 17 days left while a person decides.
    expect(round2((asked?.projectedSpend ?? 0) - (paused?.projectedSpend ?? 0))).toBe(round2((2400 / 14) * 17));
  });

  it("holds a member what the store remembers holds (a person's restore, a change within 24 h)", () => {
    const p = plan([1200, 1200, 1200], { remembered: { 'plan:b': 'restored by U2' } });
    expect(p.questions[0]?.rebalance.changes.map((c) => c.campaignId)).toEqual(['a', 'c']);
    expect(p.questions[0]?.rebalance.note).toContain('Held: b (restored by U2).');
    // Every member held: nothing to change, nothing asked.
    const all = plan([1200, 1200, 1200], {
      remembered: { 'plan:a': 'a change was rejected by U1', 'plan:b': 'restored by U2', 'plan:c': 'changed at T' },
    });
    expect(all.questions).toEqual([]);
    expect(all.rebalances[0]?.changes).toEqual([]);
  });

  it('drops from an open question a member that is now held, and keeps the question', () => {
    const open = { 'plan:a': 'esc-p1', 'plan:b': 'esc-p1', 'plan:c': 'esc-p1' };
    const p = plan([1200, 1200, 2400], { open });
    expect(p.drop).toEqual([{ escalationId: 'esc-p1', key: 'plan:c' }]);
    expect(p.close).toEqual([]);
    expect(p.questions[0]?.open).toBe('esc-p1');
  });

  it.each([
    ['the pool is back on course', [1400, 1400, 1400], 'ask', 'no longer needed: the pool is on course'],
    ['BUDGET_ACTIONS is turned off', [1200, 1200, 1200], 'off', 'no longer asked: BUDGET_ACTIONS is off'],
  ] as const)('closes an open question once %s', (_name, spend, actions, note) => {
    const p = plan([...spend], { open: { 'plan:a': 'esc-p3' }, budgets: { actions } });
    expect(p.questions).toEqual([]);
    expect(p.close).toEqual([{ escalationId: 'esc-p3', key: 'pool:P', note }]);
  });

  it('closes an open question none of whose changes stands, and asks afresh', () => {
    const p = plan([1200, 1200, 2400], { open: { 'plan:c': 'esc-p2' } });
    expect(p.drop).toEqual([]);
    expect(p.close).toEqual([
      {
        escalationId: 'esc-p2',
        key: 'pool:P',
        note: 'replaced: none of its changes stands any more, so the pool is asked about afresh',
      },
    ]);
    expect(p.questions[0]?.open).toBeNull();
  });
});
