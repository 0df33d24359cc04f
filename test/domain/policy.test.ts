// The policy as a table: what the matrix says, what the store remembers, the guard settings → what the agent
// may do alone. Each guard of SPEC "Safety guards" has its rows here.
import { describe, expect, it } from 'vitest';
import { type Assessment, assessAll } from '../../src/domain/assess.js';
import {
  DEFAULT_GUARDS,
  decidePolicy,
  type GuardSettings,
  type HumanDecision,
  type Memory,
  type OpenQuestion,
} from '../../src/domain/policy.js';
import { DEFAULT_THRESHOLDS, type PlanRow, type PlatformCampaign } from '../../src/domain/types.js';
import { campaign, hoursBefore, NOW, planRow } from './builders.js';

const SETTINGS: GuardSettings = { ...DEFAULT_GUARDS, confidence: 70, freshnessHours: 12 };

function assess(rows: PlanRow[], campaigns: PlatformCampaign[], now = NOW): Assessment[] {
  return assessAll({
    plan: rows,
    campaigns,
    unavailable: new Map(),
    now,
    thresholds: DEFAULT_THRESHOLDS,
    history: () => [],
  }).assessments;
}

const memory = (m: Partial<Memory> = {}): Memory => ({
  open: new Map(),
  decisions: new Map(),
  complete: new Set(['google', 'meta']),
  ...m,
});

/** One plan row and its campaign, with the campaign's fields overridden. */
function one(c: Partial<PlatformCampaign>, r: Partial<PlanRow> = {}, settings: Partial<GuardSettings> = {}, now = NOW) {
  const p = decidePolicy(assess([planRow(r)], [campaign(c)], now), memory(), { ...SETTINGS, ...settings }, now);
  const row = p.rows[0];
  if (!row) throw new Error('no row');
  return { ...row, codes: row.row.rootCause.map((x) => x.code), outcome: p };
}

describe('per-row guards', () => {
  // A fuzzy match with market, product and flight all different: confidence ≈ 41.
  const wrongCampaign = {
    name: 'UK Brand Search Next',
    market: 'FR',
    product: 'Other',
    startDate: '2025-05-01',
    endDate: '2025-05-31',
  };
  it.each([
    ['zero delivery, confident', { spend: 0 }, {}, {}, 'pause', 'halt', null],
    [
      'zero delivery on a weak match (guard 1)',
      { spend: 0, ...wrongCampaign },
      {},
      {},
      'ask',
      'escalate',
      'guard_low_confidence',
    ],
    [
      'zero delivery on a weak match, opted out',
      { spend: 0, ...wrongCampaign },
      {},
      { zeroDeliveryAnyConfidence: true },
      'pause',
      'halt',
      null,
    ],
    [
      'critical on data 50 days old (guard 2)',
      { spend: 2400, fetchedAt: hoursBefore(NOW, 50 * 24) },
      {},
      {},
      'ask',
      'escalate',
      'guard_stale_data',
    ],
    [
      'warning on data 50 days old: still alerted',
      { spend: 1600, fetchedAt: hoursBefore(NOW, 50 * 24) },
      {},
      {},
      'alert',
      'alert',
      'guard_stale_data',
    ],
    [
      'healthy on data 30 h old',
      { spend: 1400, fetchedAt: hoursBefore(NOW, 30) },
      {},
      {},
      'log',
      'log',
      'guard_stale_data',
    ],
    [
      'critical on data 20 h old (freshness > 0)',
      { spend: 2400, fetchedAt: hoursBefore(NOW, 20) },
      {},
      {},
      'pause',
      'halt',
      null,
    ],
    [
      'zero delivery as the flight starts (guard 3)',
      { spend: 0, startDate: '2024-05-15' },
      { startDate: '2024-05-15' },
      {},
      'alert',
      'alert',
      'guard_early_flight',
    ],
    [
      'zero delivery 23 h into the flight',
      { spend: 0, startDate: '2024-05-14' },
      { startDate: '2024-05-14' },
      { earlyFlightHours: 25 },
      'alert',
      'alert',
      'guard_early_flight',
    ],
    [
      'zero delivery before the flight starts',
      { spend: 0, startDate: '2024-05-16' },
      { startDate: '2024-05-16' },
      {},
      'alert',
      'alert',
      'guard_early_flight',
    ],
    [
      'over-delivery as the flight starts is not held',
      { spend: 2400, startDate: '2024-05-15' },
      { startDate: '2024-05-15' },
      {},
      'pause',
      'halt',
      null,
    ],
    [
      'zero delivery 48 h into the flight',
      { spend: 0, startDate: '2024-05-13' },
      { startDate: '2024-05-13', endDate: '2024-05-31' },
      { earlyFlightHours: 24 },
      'pause',
      'halt',
      null,
    ],
    [
      'plan without currency, account in JPY (guard 4)',
      { spend: 140_000, currency: 'JPY' },
      { currency: null },
      {},
      'ask',
      'escalate',
      'guard_currency_unknown',
    ],
    [
      'healthy, plan without currency, account in JPY: logged, saying so',
      { spend: 1400, currency: 'JPY' },
      { currency: null },
      {},
      'log',
      'log',
      'guard_currency_unknown',
    ],
    [
      'warning, plan without currency, account in JPY',
      { spend: 1600, currency: 'JPY' },
      { currency: null },
      {},
      'ask',
      'escalate',
      'guard_currency_unknown',
    ],
  ] as const)('%s → %s', (_name, c, r, s, intent, action, code) => {
    const got = one(c, r, s);
    expect(got.intent.do).toBe(intent);
    expect(got.row.action).toBe(action);
    if (code) {
      expect(got.codes).toContain(code);
      expect(got.row.mitigation.some((m) => m.cause === code)).toBe(true);
    } else expect(got.codes.filter((x) => x.startsWith('guard_'))).toEqual([]);
  });

  it('keeps the matrix verdict as the proposal of a guarded row', () => {
    expect(one({ spend: 0, name: 'UK Brand Search Next', market: 'FR', product: 'Other' }).row.proposedAction).toBe(
      'halt',
    );
    expect(one({ spend: 1600, currency: 'JPY' }, { currency: null }).row.proposedAction).toBe('alert');
    expect(one({ spend: 2400, fetchedAt: hoursBefore(NOW, 50 * 24) }).row.proposedAction).toBe('halt');
  });

  it('says how old the data is on every stale row, in words a buyer reads', () => {
    expect(one({ spend: 1600, fetchedAt: hoursBefore(NOW, 50 * 24) }).row.reason).toMatch(/50 days old/);
    expect(one({ spend: 1400, fetchedAt: hoursBefore(NOW, 30) }).row.reason).toMatch(/30 h old/);
  });

  it('names the guard in the reason of a held-back row', () => {
    expect(one({ spend: 0, startDate: '2024-05-15' }, { startDate: '2024-05-15' }).row.reason).toMatch(
      /Too early to judge/,
    );
    expect(one({ spend: 140_000, currency: 'JPY' }, { currency: null }).row.reason).toMatch(/no currency.*JPY/);
  });
});

describe("guard 3 counts the flight from 00:00 in the account's time zone", () => {
  // A flight starting on 15 May, zero delivery, data an hour old. `local` is hours since 00:00 in the account's
  // zone; the UTC reading differs by the zone's offset (May: Los Angeles −7, Honolulu −10, New York −4, Tokyo +9).
  it.each([
    ['America/Los_Angeles', 19, 'alert'],
    ['Pacific/Honolulu', 19, 'alert'],
    ['Pacific/Honolulu', 23.5, 'alert'],
    ['America/New_York', 21, 'alert'],
    ['America/Los_Angeles', 25, 'pause'],
    ['Asia/Tokyo', 19, 'alert'],
    ['Asia/Tokyo', 25, 'pause'], // UTC would say 16 h: the account's day began nine hours before UTC's
    ['UTC', 23, 'alert'],
    ['UTC', 24, 'pause'],
  ] as const)('%s, %d h into the flight → %s', (timeZone, local, intent) => {
    const offset: Record<string, number> = {
      'America/Los_Angeles': -7,
      'Pacific/Honolulu': -10,
      'America/New_York': -4,
      'Asia/Tokyo': 9,
      UTC: 0,
    };
    const now = new Date(Date.parse('2024-05-15T00:00:00Z') + (local - (offset[timeZone] ?? 0)) * 3_600_000)
      .toISOString()
      .replace('.000Z', 'Z');
    const got = one(
      { spend: 0, startDate: '2024-05-15', timeZone, fetchedAt: hoursBefore(now, 1) },
      { startDate: '2024-05-15', targetSpend: 100 },
      {},
      now,
    );
    expect(got.intent.do).toBe(intent);
    if (intent === 'alert') {
      expect(got.codes).toContain('guard_early_flight');
      expect(got.row.reason).toMatch(new RegExp(`started ${local} h ago`));
    }
  });
});

describe('figures that cannot be compared are bad input, not a pause', () => {
  it.each([
    ['spend 1e308', { spend: 1e308 }, {}],
    ['spend past 2^53 cents', { spend: 2 ** 53 }, {}],
    ['a target so small the variance overflows', { spend: 1400 }, { targetSpend: 1e-307 }],
  ] as const)('%s → reported, not acted on', (_name, c, r) => {
    const got = one(c, r);
    expect(got.intent.do).toBe('report');
    expect(got.row.action).toBe('log');
    expect(got.row.variancePct).toBeNull();
    expect(got.row.severity).toBeNull();
    expect(got.codes).toEqual(['platform_data_unusable']);
    expect(got.row.reason).toMatch(/^Not judged: .*(beyond any real amount|not a finite number)/);
    expect(JSON.stringify(got.row)).not.toMatch(/Infinity/);
  });

  it('still judges a large but real amount', () => {
    expect(one({ spend: 9_000_000_000 }, { targetSpend: 4_000_000_000, budget: 9_000_000_000 }).intent.do).toBe(
      'pause',
    );
  });
});

describe('guards that follow an early flight', () => {
  it('asks about an early flight whose plan states no currency (guard 4 still applies)', () => {
    const now = '2024-05-15T12:00:00Z';
    const got = one(
      { spend: 0, startDate: '2024-05-15', currency: 'EUR', fetchedAt: hoursBefore(now, 1) },
      { startDate: '2024-05-15', currency: null, targetSpend: 100 },
      {},
      now,
    );
    expect(got.intent).toEqual({ do: 'ask', proposed: 'alert', supersedes: null });
    expect(got.row.action).toBe('escalate');
    expect(got.codes).toEqual(expect.arrayContaining(['guard_early_flight', 'guard_currency_unknown']));
    expect(got.row.reason).toMatch(/no currency.*EUR.*Too early to judge/);
  });

  it('names the platform as people know it in the currency guard', () => {
    const got = one({ currency: 'EUR' }, { currency: null });
    expect(got.row.reason).toMatch(/Google Ads reports EUR/);
    expect(got.row.rootCause.find((c) => c.code === 'guard_currency_unknown')?.message).toMatch(
      /and Google Ads reports EUR:/,
    );
  });
});

describe('guard 2 compares the exact age of the data', () => {
  // 24 h and a few seconds old rounds to 24.00 h; freshness is 0 from 24 h on (FRESHNESS_HOURS 12).
  it.each([
    [24 * 3600 - 1, 'pause'],
    [24 * 3600, 'ask'],
    [24 * 3600 + 1, 'ask'],
    [24 * 3600 + 17, 'ask'],
  ])('critical on data %d s old → %s', (seconds, intent) => {
    const fetchedAt = new Date(Date.parse(NOW) - seconds * 1000).toISOString();
    const got = one({ spend: 2400, fetchedAt });
    expect(got.intent.do).toBe(intent);
    if (intent === 'ask') expect(got.codes).toContain('guard_stale_data');
  });
});

/** `n` confident plan rows and campaigns in one account; `zero` of them without delivery, the rest over plan. */
function fleet(n: number, zero: number, account = '111') {
  const rows: PlanRow[] = [];
  const campaigns: PlatformCampaign[] = [];
  for (let i = 0; i < n; i++) {
    const name = `Acme Campaign ${String(i).padStart(3, '0')} Search`;
    rows.push(planRow({ line: i + 2, campaignId: `c-${i}`, campaignName: name, platformCampaignId: `g-${i}` }));
    campaigns.push(campaign({ id: `g-${i}`, name, account, spend: i < zero ? 0 : 1400 + 1000 + i * 10 }));
  }
  return { rows, campaigns };
}

describe('guard 5: a storm is one question', () => {
  it('batches the would-be pauses of an account where most in-flight campaigns show no delivery', () => {
    const f = fleet(5, 4);
    const p = decidePolicy(assess(f.rows, f.campaigns), memory(), SETTINGS, NOW);
    expect(p.batches).toHaveLength(1);
    expect(p.batches[0]).toMatchObject({ kind: 'data_fault', proposed: 'halt', scope: 'google:111' });
    // The zero-delivery rows and the over-plan one of the same account: nothing there is paused alone.
    expect(p.rows.map((r) => r.intent.do)).toEqual(['batch', 'batch', 'batch', 'batch', 'batch']);
    expect(p.warnings[0]?.message).toMatch(/4 of 5 in-flight campaigns .* show no delivery: the data looks faulty/);
    expect(p.rows[0]?.row.rootCause.map((c) => c.code)).toContain('guard_data_fault');
  });

  it.each([
    [10, 2, 'pause'],
    [6, 3, 'batch'],
    [2, 2, 'pause'], // fewer than 3 campaigns is not a storm
    [10, 4, 'pause'], // 40 % < DATA_FAULT_SHARE
  ])('%d campaigns, %d without delivery → %s', (n, zero, intent) => {
    const f = fleet(n, zero);
    const p = decidePolicy(assess(f.rows, f.campaigns), memory(), SETTINGS, NOW);
    expect(p.rows[0]?.intent.do).toBe(intent);
  });

  it('does not count flights in their first hours toward a storm (guard 3 before guard 5)', () => {
    // Four flights that started 12 h ago, none delivering yet: too early to judge, not a data fault.
    const now = '2024-05-15T12:00:00Z';
    const f = fleet(4, 4);
    const rows = f.rows.map((r) => ({ ...r, startDate: '2024-05-15' }));
    const campaigns = f.campaigns.map((c) => ({ ...c, startDate: '2024-05-15', fetchedAt: hoursBefore(now, 1) }));
    const p = decidePolicy(assess(rows, campaigns, now), memory(), SETTINGS, now);
    expect(p.warnings).toEqual([]);
    expect(p.batches).toEqual([]);
    expect(p.rows.map((r) => r.intent.do)).toEqual(['alert', 'alert', 'alert', 'alert']);
    expect(p.rows[0]?.row.rootCause.map((c) => c.code)).toContain('guard_early_flight');
  });

  it('keeps accounts apart: a faulty account does not hold back a healthy one', () => {
    const a = fleet(4, 4, 'A');
    const b = fleet(4, 0, 'B');
    const bRows = b.rows.map((r, i) => ({ ...r, campaignId: `b-${i}`, platformCampaignId: `gb-${i}`, line: 100 + i }));
    const bCampaigns = b.campaigns.map((c, i) => ({ ...c, id: `gb-${i}` }));
    const p = decidePolicy(assess([...a.rows, ...bRows], [...a.campaigns, ...bCampaigns]), memory(), SETTINGS, NOW);
    expect(p.rows.filter((r) => r.row.account === 'A').every((r) => r.intent.do === 'batch')).toBe(true);
    expect(p.rows.filter((r) => r.row.account === 'B').every((r) => r.intent.do === 'pause')).toBe(true);
  });

  it('pauses at most MAX_AUTONOMOUS_HALTS alone, the biggest money first, and batches the rest', () => {
    const f = fleet(25, 0);
    const p = decidePolicy(assess(f.rows, f.campaigns), memory(), SETTINGS, NOW);
    const paused = p.rows.filter((r) => r.intent.do === 'pause').map((r) => r.row.campaignId);
    expect(paused).toHaveLength(20);
    // Spend grows with the index: the 5 smallest overspends (c-0 … c-4) wait for an approver.
    expect(p.batches[0]).toMatchObject({ kind: 'halt_budget', proposed: 'halt' });
    expect(p.batches[0]?.members.map((i) => p.rows[i]?.row.campaignId)).toEqual(['c-4', 'c-3', 'c-2', 'c-1', 'c-0']);
    expect(p.rows[0]?.row.rootCause.map((c) => c.code)).toContain('guard_halt_budget');
  });

  it('asks about more than MAX_ORPHAN_ESCALATIONS orphans in one batch that proposes a review', () => {
    const orphans = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        campaign({ id: `o-${i}`, name: `Unplanned ${i} Zzz Qqq Xxx`, market: 'IT', spend: 100 + i }),
      );
    const many = decidePolicy(assess([], orphans(25)), memory(), SETTINGS, NOW);
    expect(many.batches).toHaveLength(1);
    expect(many.batches[0]).toMatchObject({ kind: 'orphans', proposed: 'alert' });
    expect(many.batches[0]?.reason).toMatch(/tracker may be incomplete/);
    expect(many.rows.every((r) => r.intent.do === 'batch')).toBe(true);
    const few = decidePolicy(assess([], orphans(20)), memory(), SETTINGS, NOW);
    expect(few.batches).toHaveLength(0);
    expect(few.rows.every((r) => r.intent.do === 'ask')).toBe(true);
  });
});

describe('guard 5 across runs and exports', () => {
  const open = (q: Partial<OpenQuestion>): OpenQuestion => ({
    id: 'esc-1',
    proposedAction: 'halt',
    createdAt: NOW,
    batch: false,
    ...q,
  });

  it('adds the new members of a grown storm to its open batch', () => {
    const f = fleet(10, 9);
    const storm = open({ id: 'esc-storm', batch: true, kind: 'data_fault' });
    const m = memory({ open: new Map(f.rows.slice(0, 6).map((r) => [`plan:${r.campaignId}`, storm])) });
    const p = decidePolicy(assess(f.rows, f.campaigns), m, SETTINGS, NOW);
    expect(p.batches).toHaveLength(1);
    expect(p.batches[0]).toMatchObject({ kind: 'data_fault', joins: 'esc-storm' });
    expect(p.batches[0]?.members.map((i) => p.rows[i]?.row.campaignId).sort()).toEqual(['c-6', 'c-7', 'c-8', 'c-9']);
    expect(p.warnings[0]?.message).toMatch(/9 of 10 .* join the open question esc-storm/);
  });

  it.each([
    [30, 0, 'one batch'],
    [10, 3, 'one batch'], // 7 of 10 missing
    [10, 8, 'single questions'], // 2 missing: not a fault
    [4, 2, 'single questions'], // 2 missing is below the minimum of 3
  ])('%d planned rows, %d listed by the platform → %s', (n, listed, outcome) => {
    const f = fleet(n, 0);
    const p = decidePolicy(assess(f.rows, f.campaigns.slice(n - listed)), memory(), SETTINGS, NOW);
    const missing = p.rows.filter((r) => r.row.platformCampaignId === null);
    if (outcome === 'one batch') {
      expect(p.batches).toEqual([expect.objectContaining({ kind: 'data_fault', proposed: 'alert' })]);
      expect(missing.every((r) => r.intent.do === 'batch')).toBe(true);
      expect(p.warnings.map((w) => w.message).join(' ')).toMatch(/are missing from its data: the export looks faulty/);
    } else {
      expect(p.batches).toEqual([]);
      expect(missing.every((r) => r.intent.do === 'ask')).toBe(true);
    }
  });

  it('counts open orphan questions with new ones: 20 open and 5 new become one batch of 25', () => {
    const orphans = Array.from({ length: 25 }, (_, i) =>
      campaign({ id: `o-${i}`, name: `Unplanned ${i} Zzz Qqq Xxx`, market: 'IT', spend: 100 + i }),
    );
    const m = memory({
      open: new Map(
        orphans.slice(0, 20).map((c, i) => [`google:${c.id}`, open({ id: `esc-${i}`, proposedAction: 'halt' })]),
      ),
    });
    const p = decidePolicy(assess([], orphans), m, SETTINGS, NOW);
    expect(p.batches).toHaveLength(1);
    expect(p.batches[0]).toMatchObject({ kind: 'orphans', joins: null });
    expect(p.batches[0]?.members).toHaveLength(25);
    // The 20 single questions are closed as replaced by the batch.
    expect(p.close).toHaveLength(20);
    expect(p.close[0]?.note).toMatch(/replaced by a batch question/);
  });
});

describe('guard 6: people are not overridden', () => {
  const critical = () => assess([planRow()], [campaign({ spend: 2400 })]); // +71.43 %
  const decided = (d: Partial<HumanDecision>): HumanDecision => ({
    kind: 'resumed',
    actor: 'U1',
    at: '2024-05-14T12:00:00Z',
    proposedAction: null,
    escalationId: null,
    variancePct: 71.43,
    actualSpend: 2400,
    ...d,
  });
  it.each([
    ['resumed by a person, no worse', 'google:g-1', decided({}), 'alert'],
    ['resumed by a person, 10 points worse', 'google:g-1', decided({ variancePct: 61.43 }), 'ask'],
    ['resumed by a person, 9.99 points worse', 'google:g-1', decided({ variancePct: 61.44 }), 'alert'],
    [
      'a pause rejected by an approver',
      'plan:c-1',
      decided({ kind: 'rejected', proposedAction: 'halt', escalationId: 'esc-1' }),
      'alert',
    ],
    [
      'an alert rejected by an approver',
      'plan:c-1',
      decided({ kind: 'rejected', proposedAction: 'alert', escalationId: 'esc-1' }),
      'pause',
    ],
    [
      'a pause approved by an approver',
      'plan:c-1',
      decided({ kind: 'approved', proposedAction: 'halt', escalationId: 'esc-1' }),
      'pause',
    ],
  ] as const)('%s → %s', (_name, key, d, intent) => {
    const p = decidePolicy(critical(), memory({ decisions: new Map([[key, d]]) }), SETTINGS, NOW);
    const row = p.rows[0];
    expect(row?.intent.do).toBe(intent);
    if (intent !== 'pause') {
      expect(row?.row.rootCause.map((c) => c.code)).toContain('guard_human_decision');
      expect(row?.row.reason).toMatch(/U1.*2024-05-14T12:00:00Z/);
    }
  });
});

describe('questions already asked', () => {
  const open = (q: Partial<OpenQuestion> = {}): OpenQuestion => ({
    id: 'esc-1',
    proposedAction: 'halt',
    createdAt: NOW,
    batch: false,
    ...q,
  });
  const lowConfidenceCritical = () =>
    assess([planRow({ market: 'DE', product: 'Other' })], [campaign({ spend: 2400 })]);

  it('points a row at its open question instead of asking again', () => {
    const p = decidePolicy(lowConfidenceCritical(), memory({ open: new Map([['plan:c-1', open()]]) }), SETTINGS, NOW);
    expect(p.rows[0]?.intent).toEqual({ do: 'wait', escalationId: 'esc-1' });
    expect(p.close).toEqual([]);
  });

  it('replaces an open "alert?" with a "pause?" when the campaign got worse', () => {
    const m = memory({ open: new Map([['plan:c-1', open({ proposedAction: 'alert' })]]) });
    const p = decidePolicy(lowConfidenceCritical(), m, SETTINGS, NOW);
    expect(p.rows[0]?.intent).toEqual({ do: 'ask', proposed: 'halt', supersedes: 'esc-1' });
    expect(p.close).toEqual([{ escalationId: 'esc-1', key: 'plan:c-1', note: expect.stringMatching(/superseded/) }]);
  });

  it('closes a question about a campaign back on plan', () => {
    const p = decidePolicy(
      assess([planRow()], [campaign()]),
      memory({ open: new Map([['plan:c-1', open()]]) }),
      SETTINGS,
      NOW,
    );
    expect(p.close).toEqual([
      { escalationId: 'esc-1', key: 'plan:c-1', note: expect.stringMatching(/no longer needed/) },
    ]);
  });

  it('closes an orphan question once the campaign has a plan row', () => {
    const m = memory({ open: new Map([['google:g-1', open()]]) });
    const p = decidePolicy(assess([planRow()], [campaign()]), m, SETTINGS, NOW);
    expect(p.close).toEqual([
      { escalationId: 'esc-1', key: 'google:g-1', note: 'no longer needed: it now has a plan row (c-1)' },
    ]);
  });

  it('closes an orphan question when the campaign no longer spends, only if its platform was read in full', () => {
    const m = (complete: Set<'google' | 'meta'>) => memory({ open: new Map([['google:g-9', open()]]), complete });
    expect(decidePolicy(assess([planRow()], [campaign()]), m(new Set(['google'])), SETTINGS, NOW).close).toHaveLength(
      1,
    );
    expect(decidePolicy(assess([planRow()], [campaign()]), m(new Set()), SETTINGS, NOW).close).toHaveLength(0);
  });

  it('keeps a batch member that still stands waiting, and drops one back on plan', () => {
    const f = fleet(2, 0);
    f.campaigns[1] = { ...(f.campaigns[1] as PlatformCampaign), spend: 1400 };
    const batch = open({ id: 'esc-b', batch: true });
    const m = memory({
      open: new Map([
        ['plan:c-0', batch],
        ['plan:c-1', batch],
      ]),
    });
    const p = decidePolicy(assess(f.rows, f.campaigns), m, SETTINGS, NOW);
    expect(p.rows[0]?.intent).toEqual({ do: 'wait', escalationId: 'esc-b' });
    expect(p.drop).toEqual([{ escalationId: 'esc-b', key: 'plan:c-1' }]);
    expect(p.close).toEqual([]);
  });

  it('keeps orphans in their open review batch instead of asking again every run', () => {
    const orphans = Array.from({ length: 25 }, (_, i) =>
      campaign({ id: `o-${i}`, name: `Unplanned ${i} Zzz Qqq Xxx`, market: 'IT', spend: 100 + i }),
    );
    const review = open({ id: 'esc-r', proposedAction: 'alert', batch: true });
    const m = memory({ open: new Map(orphans.map((c) => [`google:${c.id}`, review])) });
    const p = decidePolicy(assess([], orphans), m, SETTINGS, NOW);
    expect(p.batches).toEqual([]);
    expect(p.rows.every((r) => r.intent.do === 'wait')).toBe(true);
  });

  it('shows a would-be pause waiting on its batch as an escalation, not a halt', () => {
    const batch = open({ id: 'esc-b', batch: true });
    const p = decidePolicy(
      assess([planRow()], [campaign({ spend: 2400 })]),
      memory({ open: new Map([['plan:c-1', batch]]) }),
      SETTINGS,
      NOW,
    );
    expect(p.rows[0]?.intent).toEqual({ do: 'wait', escalationId: 'esc-b' });
    expect(p.rows[0]?.row).toMatchObject({ action: 'escalate', proposedAction: 'halt' });
  });

  it('closes a batch none of whose members needs it any more', () => {
    const batch = open({ id: 'esc-b', batch: true });
    const p = decidePolicy(
      assess([planRow()], [campaign()]),
      memory({ open: new Map([['plan:c-1', batch]]) }),
      SETTINGS,
      NOW,
    );
    expect(p.close.map((c) => c.escalationId)).toEqual(['esc-b']);
  });

  it('does not ask again what an approver answered, unless it got 10 points worse', () => {
    const answered = (variancePct: number) =>
      memory({
        decisions: new Map([
          [
            'plan:c-1',
            {
              kind: 'rejected',
              actor: 'U1',
              at: NOW,
              proposedAction: 'halt',
              escalationId: 'esc-1',
              variancePct,
              actualSpend: 2400,
            } satisfies HumanDecision,
          ],
        ]),
      });
    expect(decidePolicy(lowConfidenceCritical(), answered(71.43), SETTINGS, NOW).rows[0]?.intent.do).toBe('answered');
    expect(decidePolicy(lowConfidenceCritical(), answered(61.43), SETTINGS, NOW).rows[0]?.intent.do).toBe('ask');
  });
});
