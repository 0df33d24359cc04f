// Replay against the real pipeline: rows a run decided under one set of settings, replayed under another, must get
// exactly the actions a run under that other set would have taken (the matrix and the policy, not a copy of them).
import { describe, expect, it } from 'vitest';
import { assessAll } from '../../src/domain/assess.js';
import { DEFAULT_GUARDS, decidePolicy, type GuardSettings, type Memory } from '../../src/domain/policy.js';
import type { ResultRow } from '../../src/domain/records.js';
import { type ReplaySettings, reassess, replayRun } from '../../src/domain/replay.js';
import { byStake } from '../../src/domain/stake.js';
import { DEFAULT_THRESHOLDS, type PlanRow, type PlatformCampaign, type Thresholds } from '../../src/domain/types.js';
import { campaign, hoursBefore, NOW, planRow } from './builders.js';

/** One plan row and its campaign (pinned by id), or either alone; `spend` per row makes each situation. */
function pair(n: number, spend: number, c: Partial<PlatformCampaign> = {}, r: Partial<PlanRow> = {}) {
  const id = `g-${n}`;
  return {
    row: planRow({ line: n + 1, campaignId: `c-${n}`, campaignName: `Campaign ${n}`, platformCampaignId: id, ...r }),
    campaign: campaign({ id, name: `Campaign ${n}`, spend, ...c }),
  };
}

const PAIRS = [
  pair(1, 1400), // on plan
  pair(2, 1610), // warning, over
  pair(3, 1960), // critical, over (+40 %)
  pair(4, 700), // critical, under (−50 %)
  pair(5, 0), // zero delivery
  pair(6, 1610, { name: 'Campaign 6 x', market: 'FR', product: 'Other' }), // warning, confidence 61.67
  pair(7, 2100, { fetchedAt: hoursBefore(NOW, 30) }), // critical on data 30 h old
  pair(8, 0, { startDate: '2024-05-14' }, { startDate: '2024-05-14', targetSpend: 100 }), // zero on day one
  pair(9, 2100, { currency: 'GBP' }), // currency mismatch
  pair(10, 2100, {}, { currency: null }), // plan states no currency
  pair(11, 1500, {}, { targetSpend: 1000 }), // critical over, less money at stake
  pair(12, 0, { name: 'Another name', market: 'FR' }), // zero delivery, weaker match
  pair(13, 0), // zero delivery again (a storm at a low DATA_FAULT_SHARE)
  pair(14, 1200), // warning under (−14.29 %)
  pair(15, 2100, { market: 'FR' }), // critical over, confidence 83.33
];
const PLAN = [...PAIRS.map((p) => p.row), planRow({ line: 40, campaignId: 'c-missing', campaignName: 'Nowhere' })];
const CAMPAIGNS = [
  ...PAIRS.map((p) => p.campaign),
  campaign({ id: 'g-orphan', name: 'Unplanned thing', market: 'XX', product: 'None', spend: 300 }),
];

const BASE: ReplaySettings = settings({}, {});

function settings(t: Partial<Thresholds>, g: Partial<GuardSettings>): ReplaySettings {
  const thresholds: Thresholds = { ...DEFAULT_THRESHOLDS, underspendAction: 'halt', ...t };
  return {
    thresholds,
    guards: {
      ...DEFAULT_GUARDS,
      ...g,
      confidence: thresholds.confidence,
      freshnessHours: thresholds.freshnessHours,
    },
  };
}

const noMemory = (): Memory => ({ open: new Map(), decisions: new Map(), complete: new Set(['google']) });

/** What a run decides under `s`, as the rows it stores. */
function run(s: ReplaySettings, memory: Memory = noMemory()): ResultRow[] {
  const { assessments } = assessAll({
    plan: PLAN,
    campaigns: CAMPAIGNS,
    unavailable: new Map(),
    now: NOW,
    thresholds: s.thresholds,
    history: () => [],
  });
  // As the run leaves them: a campaign it paused is stored paused.
  return decidePolicy(assessments, memory, s.guards, NOW).rows.map(({ row }) => {
    const paused = row.action === 'halt' && row.platformStatus === 'ENABLED';
    return {
      ...row,
      platformStatus: paused ? 'PAUSED' : row.platformStatus,
      runId: 'run-1',
      status: 'done',
      escalationId: null,
      actionNote: null,
      pause: paused ? 'paused' : null,
    };
  });
}

const VARIANTS: [string, ReplaySettings][] = [
  ['CONFIDENCE_THRESHOLD=101', settings({ confidence: 101 }, {})],
  ['CONFIDENCE_THRESHOLD=60', settings({ confidence: 60 }, {})],
  ['CONFIDENCE_THRESHOLD=95', settings({ confidence: 95 }, {})],
  ['UNDERSPEND_ACTION=alert', settings({ underspendAction: 'alert' }, {})],
  ['HEALTHY 20 / WARNING 45', settings({ healthyVariance: 20, warningVariance: 45 }, {})],
  ['HEALTHY 5 / WARNING 12', settings({ healthyVariance: 5, warningVariance: 12 }, {})],
  ['FRESHNESS_HOURS=24', settings({ freshnessHours: 24 }, {})],
  ['FRESHNESS_HOURS=1.5', settings({ freshnessHours: 1.5 }, {})],
  ['ZERO_DELIVERY_ANY_CONFIDENCE=true', settings({}, { zeroDeliveryAnyConfidence: true })],
  ['EARLY_FLIGHT_HOURS=48', settings({}, { earlyFlightHours: 48 })],
  ['MAX_AUTONOMOUS_HALTS=1', settings({}, { maxAutonomousHalts: 1 })],
  ['MAX_AUTONOMOUS_HALTS=0', settings({}, { maxAutonomousHalts: 0 })],
  ['MAX_ORPHAN_ESCALATIONS=0', settings({}, { maxOrphanEscalations: 0 })],
  ['DATA_FAULT_SHARE=0.2', settings({}, { dataFaultShare: 0.2 })],
  ['several at once', settings({ confidence: 90, underspendAction: 'alert' }, { maxAutonomousHalts: 1 })],
];

describe('replay decides stored rows as a run under the new settings would', () => {
  const stored = run(BASE);

  it('changes nothing under the settings the run had', () => {
    const r = replayRun(stored, noMemory(), BASE, NOW);
    expect(r.changed).toEqual([]);
    expect(r.now).toEqual(r.then);
    expect(r.then.halt).toBeGreaterThan(0);
  });

  it.each(VARIANTS)('%s', (_name, s) => {
    const direct = run(s);
    const replayed = replayRun(stored, noMemory(), s, NOW);
    const expected = stored
      .map((r, i) => ({ r, now: direct[i] as ResultRow }))
      .filter(({ r, now }) => r.action !== now.action)
      .map(({ r, now }) => `${r.campaignId ?? r.platformCampaignId}:${r.action}>${now.action}`)
      .sort();
    expect(replayed.changed.map((c) => `${c.campaignId ?? c.platformCampaignId}:${c.then}>${c.now}`).sort()).toEqual(
      expected,
    );
    const counts = { log: 0, alert: 0, escalate: 0, halt: 0 };
    for (const r of direct) counts[r.action]++;
    expect(replayed.now).toEqual(counts);
    // The reason is the policy's own, word for word.
    for (const c of replayed.changed)
      expect(c.reason).toBe(
        direct.find((r) => r.key === stored.find((x) => x.campaignId === c.campaignId)?.key)?.reason,
      );
  });

  it('turns every autonomous pause into a question at CONFIDENCE_THRESHOLD=101', () => {
    const r = replayRun(stored, noMemory(), settings({ confidence: 101 }, {}), NOW);
    expect(r.now.halt).toBe(0);
    const halted = stored.filter((x) => x.action === 'halt').map((x) => x.campaignId);
    expect(r.changed.filter((c) => c.then === 'halt').map((c) => c.campaignId)).toEqual(expect.arrayContaining(halted));
    for (const c of r.changed.filter((x) => x.then === 'halt')) {
      expect(c.now).toBe('escalate');
      expect(c.proposedAction).toBe('halt');
    }
  });

  it('alerts the critical under-delivery instead of pausing it with UNDERSPEND_ACTION=alert, zero delivery still paused', () => {
    const r = replayRun(stored, noMemory(), settings({ underspendAction: 'alert' }, {}), NOW);
    expect(r.changed.map((c) => [c.campaignId, c.then, c.now])).toEqual([['c-4', 'halt', 'alert']]);
    expect(r.changed[0]?.reason).toContain('UNDERSPEND_ACTION=alert');
    expect(stored.find((x) => x.campaignId === 'c-5')?.action).toBe('halt');
  });

  it('lists the changes most at stake first: the share of the flight budget off plan, whatever the currency', () => {
    const r = replayRun(stored, noMemory(), settings({ confidence: 101 }, {}), NOW);
    const rows = r.changed.map((c) => stored.find((x) => x.campaignId === c.campaignId) as ResultRow);
    expect(rows.length).toBeGreaterThan(2);
    expect(rows.map((x) => x.key)).toEqual([...rows].sort(byStake).map((x) => x.key));
  });

  it('puts a large amount in a small currency after a larger share in another, and never subtracts currencies', () => {
    const yen = pair(
      30,
      2_100_000,
      { currency: 'JPY' },
      { currency: 'JPY', targetSpend: 1_400_000, budget: 100_000_000 },
    );
    const euro = pair(31, 2100);
    const mixed = pair(32, 5400, { currency: 'USD' });
    const { assessments } = assessAll({
      plan: [yen.row, euro.row, mixed.row],
      campaigns: [yen.campaign, euro.campaign, mixed.campaign],
      unavailable: new Map(),
      now: NOW,
      thresholds: BASE.thresholds,
      history: () => [],
    });
    // Stored as if they had all been logged: under the usual settings each one changes.
    const logged: ResultRow[] = assessments.map((a) => ({
      ...a,
      action: 'log',
      runId: 'run-1',
      status: 'done',
      escalationId: null,
      actionNote: null,
      pause: null,
    }));
    const r = replayRun(logged, noMemory(), BASE, NOW);
    expect(r.changed.map((c) => c.campaignId)).toEqual(['c-31', 'c-30', 'c-32']);
    // The spend itself is what is at stake when it cannot be compared with the plan: 5,400 USD, not 5,400 − 1,400.
    expect(r.changed[2]).toMatchObject({ atStake: 5400, currency: 'USD' });
  });

  it('respects what people decided then, as the run did', () => {
    const resumed: Memory = {
      ...noMemory(),
      decisions: new Map([
        [
          'plan:c-3',
          {
            kind: 'resumed',
            actor: 'U1',
            at: hoursBefore(NOW, 5),
            proposedAction: null,
            escalationId: null,
            variancePct: 40,
            actualSpend: 1960,
          },
        ],
      ]),
    };
    const s = settings({ confidence: 60 }, {});
    const then = run(BASE, resumed);
    expect(then.find((x) => x.campaignId === 'c-3')?.action).toBe('alert');
    const replayed = replayRun(then, resumed, s, NOW);
    expect(replayed.changed.map((c) => c.campaignId)).not.toContain('c-3');
    expect(replayed.now).toEqual(replayRun(run(s, resumed), resumed, s, NOW).then);
    // Without the decision in memory the same row would pause: memory matters.
    expect(replayRun(then, noMemory(), s, NOW).changed.find((c) => c.campaignId === 'c-3')?.now).toBe('halt');
  });
});

describe('reassess', () => {
  const stored = run(BASE);

  it("drops the guards' causes, so the replay's policy adds its own once", () => {
    const zero = stored.find((x) => x.campaignId === 'c-12') as ResultRow;
    expect(zero.rootCause.map((c) => c.code)).toContain('guard_low_confidence');
    const again = reassess(zero, BASE.thresholds, NOW);
    expect(again.rootCause.map((c) => c.code)).not.toContain('guard_low_confidence');
    expect(again.action).toBe('halt');
  });

  it('scores freshness under the new FRESHNESS_HOURS from the exact age of the data', () => {
    const stale = stored.find((x) => x.campaignId === 'c-7') as ResultRow;
    expect(stale.confidenceParts.freshness).toBe(0);
    const again = reassess(stale, { ...BASE.thresholds, freshnessHours: 24 }, NOW);
    // 30 h old: past 24 h, falling linearly to 0 at 48 h → 20 × 18 / 24.
    expect(again.confidenceParts.freshness).toBe(15);
    expect(again.confidence).toBe(stale.confidence + 15);
  });
});
