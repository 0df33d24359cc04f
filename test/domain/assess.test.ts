import { describe, expect, it } from 'vitest';
import { type AssessInput, type Assessment, assessAll, planKey, platformKey } from '../../src/domain/assess.js';
import {
  DEFAULT_THRESHOLDS,
  type PlanRow,
  type Platform,
  type PlatformCampaign,
  type SpendObservation,
  type Thresholds,
} from '../../src/domain/types.js';
import { campaign, hoursBefore, NOW, planRow } from './builders.js';

// Builders' defaults: a May flight planned at 100 a day, 1400 to date on NOW; the campaign matches it
// exactly (name, market, product, flight), spends 1400 and its data is 2 h old.

interface Options {
  unavailable?: [Platform, string][];
  thresholds?: Partial<Thresholds>;
  history?: Record<string, SpendObservation[]>;
}

function assess(plan: PlanRow[], campaigns: PlatformCampaign[], options: Options = {}): Assessment[] {
  const input: AssessInput = {
    plan,
    campaigns,
    unavailable: new Map(options.unavailable ?? []),
    now: NOW,
    thresholds: { ...DEFAULT_THRESHOLDS, ...options.thresholds },
    history: (key) => options.history?.[key] ?? [],
  };
  return assessAll(input).assessments;
}

/** Assess one plan row against one campaign. */
function one(row: Partial<PlanRow>, c: Partial<PlatformCampaign>, options: Options = {}): Assessment {
  const [a, ...rest] = assess([planRow(row)], [campaign(c)], options);
  expect(rest).toEqual([]);
  return a as Assessment;
}

const causeCodes = (a: Assessment) => a.rootCause.map((c) => c.code);
const mitigationCauses = (a: Assessment) => a.mitigation.map((m) => m.cause);

describe('assessAll: matched campaigns', () => {
  it('a healthy campaign is logged, with every field filled in and no root cause or mitigation', () => {
    // 1450 against 1400: +3.571… % → 3.57
    const a = one({}, { spend: 1450 });
    expect(a).toEqual({
      key: 'plan:c-1',
      line: 2,
      campaignId: 'c-1',
      campaignName: 'UK Brand Search',
      platform: 'google',
      platformCampaignId: 'g-1',
      platformCampaignName: 'UK Brand Search',
      platformStatus: 'ENABLED',
      market: 'UK',
      product: 'Brand',
      ownerSlackId: null,
      currency: 'EUR',
      platformCurrency: 'EUR',
      planCurrency: 'EUR',
      startDate: '2024-05-01',
      endDate: '2024-05-31',
      account: null,
      timeZone: null,
      fetchedAt: '2024-05-14T22:00:00Z',
      targetSource: 'tracker',
      budget: 3100,
      // 1450 over 14 days; 17 days left: on course to land near its 3100 budget.
      forecast: {
        basis: 'flight_to_date',
        budget: 3100,
        dailyRunRate: 103.57,
        daysLeft: 17,
        projectedSpend: 3210.71,
        projectedVariancePct: 3.57,
        recommendedDailyBudget: 97.06,
      },
      history: null,
      matchedBy: 'name',
      confidence: 100,
      confidenceParts: { metadata: 50, name: 30, freshness: 20 },
      dataAgeHours: 2,
      reportingLagHours: null,
      targetSpend: 1400,
      actualSpend: 1450,
      variancePct: 3.57,
      severity: 'healthy',
      zeroDelivery: false,
      action: 'log',
      proposedAction: null,
      reason: 'Pacing within tolerance.',
      rootCause: [],
      mitigation: [],
    });
  });

  it('a healthy campaign has no root cause even when signals are present', () => {
    // Stale (30 h), other market, weak name: still within tolerance, so it is only logged.
    const a = one({}, { spend: 1450, market: 'DE', name: 'UK Brand Srch', fetchedAt: hoursBefore(NOW, 30) });
    expect(a.action).toBe('log');
    expect(a.rootCause).toEqual([]);
    expect(a.mitigation).toEqual([]);
  });

  it('a warning at full confidence is an alert, explained', () => {
    // 1610 against 1400: +15 %. 115 a day over 14 days; 17 days left → ends at 3565 against 3100 (+15 %);
    // (3100 − 1610) / 17 = 87.65 a day lands it.
    const a = one({}, { spend: 1610 });
    expect(a).toMatchObject({
      variancePct: 15,
      severity: 'warning',
      action: 'alert',
      proposedAction: null,
      confidence: 100,
    });
    expect(causeCodes(a)).toEqual(['forecast_miss']);
    expect(a.forecast).toEqual({
      dailyRunRate: 115,
      projectedSpend: 3565,
      budget: 3100,
      projectedVariancePct: 15,
      daysLeft: 17,
      recommendedDailyBudget: 87.65,
      basis: 'flight_to_date',
    });
    expect(a.mitigation).toEqual([
      {
        cause: 'forecast_miss',
        step: 'Set the daily budget to 87.65 EUR for the 17 days left to land on the budget of 3,100.00 EUR.',
      },
    ]);
  });

  it('a critical variance at full confidence is a halt', () => {
    const a = one({}, { spend: 1820 });
    expect(a).toMatchObject({ variancePct: 30, severity: 'critical', action: 'halt', proposedAction: null });
    expect(causeCodes(a)).toEqual(['forecast_miss']);
  });

  it('confidence of exactly 70 counts as confident', () => {
    // Pinned pair, names with nothing in common: metadata 50 + name 0 + freshness 20 = 70.
    const a = one({ campaignName: 'abc', platformCampaignId: 'g-1' }, { name: 'xyz', spend: 1610 });
    expect(a).toMatchObject({
      matchedBy: 'pinned_id',
      confidence: 70,
      confidenceParts: { metadata: 50, name: 0, freshness: 20 },
    });
    expect(a).toMatchObject({ severity: 'warning', action: 'alert', proposedAction: null });
    expect(causeCodes(a)).toEqual(['name_mismatch', 'forecast_miss']);
  });

  it('below 70 a warning is escalated, proposing an alert, and a critical one proposing a halt', () => {
    // Pinned pair, unrelated names, other market: 100/3 + 0 + 20 = 53.33.
    const pinned = { campaignName: 'abc', platformCampaignId: 'g-1' };
    const warning = one(pinned, { name: 'xyz', market: 'DE', spend: 1610 });
    expect(warning).toMatchObject({ confidence: 53.33, action: 'escalate', proposedAction: 'alert' });
    expect(causeCodes(warning)).toEqual(['name_mismatch', 'market_mismatch', 'forecast_miss']);
    expect(mitigationCauses(warning)).toEqual(causeCodes(warning));
    const critical = one(pinned, { name: 'xyz', market: 'DE', spend: 1820 });
    expect(critical).toMatchObject({ confidence: 53.33, action: 'escalate', proposedAction: 'halt' });
  });

  it('zero delivery halts even at low confidence', () => {
    const a = one({ campaignName: 'abc', platformCampaignId: 'g-1' }, { name: 'xyz', market: 'DE', spend: 0 });
    expect(a).toMatchObject({
      confidence: 53.33,
      actualSpend: 0,
      variancePct: -100,
      severity: 'critical',
      zeroDelivery: true,
      action: 'halt',
      proposedAction: null,
    });
    expect(causeCodes(a)).toEqual(['name_mismatch', 'market_mismatch', 'no_delivery']);
  });

  it('a campaign already paused keeps the action the matrix gives; the root cause says it is paused', () => {
    // 560 against 1400: −60 %, critical, confident.
    const a = one({}, { status: 'PAUSED', spend: 560 });
    expect(a).toMatchObject({ platformStatus: 'PAUSED', severity: 'critical', action: 'halt' });
    expect(causeCodes(a)).toEqual(['campaign_paused', 'forecast_miss']);
    // Paused, it spends no more: its flight ends at the 560 spent, not at 560 + 40 a day for 17 days.
    expect(a.forecast).toMatchObject({ dailyRunRate: 0, projectedSpend: 560, projectedVariancePct: -81.94 });
    expect(a.rootCause[1]?.message).toContain('ends at 560.00 EUR against a budget of 3,100.00 EUR');
  });

  it('a currency mismatch is escalated proposing an alert, even when the variance would be critical', () => {
    const a = one({}, { currency: 'USD', spend: 1820 });
    expect(a).toMatchObject({ action: 'escalate', proposedAction: 'alert', confidence: 100 });
    // The variance between two currencies is meaningless: none is reported.
    expect(a).toMatchObject({ variancePct: null, severity: null });
    expect(causeCodes(a)).toEqual(['currency_mismatch']);
    expect(a.mitigation[0]?.step).toContain('USD');
  });

  it('spend against a target of 0 has no variance and is escalated proposing a halt', () => {
    const a = one({ targetSpend: 0 }, { spend: 50 });
    expect(a).toMatchObject({
      targetSpend: 0,
      actualSpend: 50,
      variancePct: null,
      severity: null,
      zeroDelivery: false,
      action: 'escalate',
      proposedAction: 'halt',
    });
    expect(causeCodes(a)).toEqual(['zero_plan_spend']);
  });

  it('a target of 0 and no spend is logged, without root cause', () => {
    const a = one({ targetSpend: 0 }, { spend: 0 });
    expect(a).toMatchObject({
      variancePct: null,
      severity: null,
      zeroDelivery: false,
      action: 'log',
      proposedAction: null,
    });
    expect(a.rootCause).toEqual([]);
    expect(a.mitigation).toEqual([]);
  });

  it('rounds reported money and ages to 2 decimals', () => {
    // 1610.004 against 1399.996: (210.008 / 1399.996) × 100 = 15.0006 … → 15
    const a = one({ targetSpend: 1399.996 }, { spend: 1610.004, fetchedAt: '2024-05-14T21:40:00Z' });
    expect(a).toMatchObject({ targetSpend: 1400, actualSpend: 1610, variancePct: 15, dataAgeHours: 2.33 });
  });

  it('reads the history of the campaign by its platform key', () => {
    // 250 spent in the last 24 h against 100 planned: a spike.
    const history = { 'google:g-1': [{ at: '2024-05-14T00:00:00Z', actualSpend: 1570 }] };
    const a = one({}, { spend: 1820 }, { history });
    expect(causeCodes(a)).toEqual(['spend_spike', 'forecast_miss']);
    expect(a.rootCause[0]?.evidence).toMatchObject({ delta: 250, expectedDelta: 100 });
  });
});

describe('assessAll: configurable thresholds', () => {
  it('a lower healthy threshold turns a small variance into an alert', () => {
    // 1500 against 1400: +7.14 %
    expect(one({}, { spend: 1500 }).action).toBe('log');
    expect(one({}, { spend: 1500 }, { thresholds: { healthyVariance: 5 } })).toMatchObject({
      variancePct: 7.14,
      severity: 'warning',
      action: 'alert',
    });
  });

  it('a lower warning threshold makes a variance critical', () => {
    expect(one({}, { spend: 1610 }, { thresholds: { warningVariance: 12 } })).toMatchObject({
      severity: 'critical',
      action: 'halt',
    });
  });

  it('a higher confidence threshold escalates what would be an alert', () => {
    // 19 h old data: 20 × (24 − 19) / 12 = 8.33 freshness → 88.33
    const stale = { spend: 1610, fetchedAt: hoursBefore(NOW, 19) };
    expect(one({}, stale)).toMatchObject({ confidence: 88.33, action: 'alert' });
    expect(one({}, stale, { thresholds: { confidence: 90 } })).toMatchObject({
      action: 'escalate',
      proposedAction: 'alert',
    });
  });

  it('a longer freshness window scores old data higher and moves the staleness line', () => {
    // 30 h with a 24 h window: 20 × (48 − 30) / 24 = 15 → 95; still older than 24 h, so stale.
    const a = one({}, { spend: 1610, fetchedAt: hoursBefore(NOW, 30) }, { thresholds: { freshnessHours: 24 } });
    expect(a).toMatchObject({ confidence: 95, confidenceParts: { metadata: 50, name: 30, freshness: 15 } });
    expect(causeCodes(a)).toEqual(['stale_data', 'forecast_miss']);
    expect(a.rootCause[0]?.evidence).toMatchObject({ ageHours: 30, freshHours: 24 });
    // 20 h with a 24 h window: fully fresh, not stale.
    const fresh = one({}, { spend: 1610, fetchedAt: hoursBefore(NOW, 20) }, { thresholds: { freshnessHours: 24 } });
    expect(fresh).toMatchObject({ confidence: 100 });
    expect(causeCodes(fresh)).toEqual(['forecast_miss']);
  });
});

describe('assessAll: unmatched rows and orphans', () => {
  it('an unmatched row is escalated proposing an alert, with zero confidence and the closest campaign', () => {
    const [a, ...rest] = assess(
      [planRow({ line: 4, campaignId: 'c-4', campaignName: 'abcdefg' })],
      [campaign({ id: 'g-2', name: 'abcwxyz', spend: 0 })],
    );
    expect(rest).toEqual([]); // the unclaimed campaign has no spend: not an orphan
    expect(a).toMatchObject({
      key: 'plan:c-4',
      line: 4,
      platformCampaignId: null,
      platformCampaignName: null,
      matchedBy: null,
      confidence: 0,
      confidenceParts: { metadata: 0, name: 0, freshness: 0 },
      targetSpend: 1400,
      actualSpend: null,
      variancePct: null,
      severity: null,
      zeroDelivery: false,
      action: 'escalate',
      proposedAction: 'alert',
    });
    expect(causeCodes(a as Assessment)).toEqual(['unmatched_no_similar_name']);
    // abcdefg / abcwxyz: 4 edits over 7 → 0.43
    expect(a?.rootCause[0]?.evidence).toMatchObject({
      closestId: 'g-2',
      closestName: 'abcwxyz',
      closestSimilarity: 0.43,
    });
    expect(a?.mitigation[0]?.step).toContain('platform_campaign_id=g-2 on tracker line 4');
  });

  it('a row pinned to an id the platform does not list stays unmatched (no platform id) and says why', () => {
    const [a, orphan] = assess(
      [planRow({ platformCampaignId: 'g-9' })],
      [campaign({ id: 'g-1' })], // same name, but the pin wins: no fallback
    );
    expect(a).toMatchObject({ platformCampaignId: null, action: 'escalate', proposedAction: 'alert', confidence: 0 });
    expect(causeCodes(a as Assessment)).toEqual(['unmatched_pinned_id']);
    expect(orphan).toMatchObject({ platformCampaignId: 'g-1', action: 'escalate', proposedAction: 'halt' });
  });

  it('an orphan is escalated proposing a halt, keyed by its platform id', () => {
    const [a, ...rest] = assess(
      [],
      [campaign({ id: 'g-7', name: 'Rogue', spend: 250.005, market: 'FR', product: 'Promo' })],
    );
    expect(rest).toEqual([]);
    expect(a).toMatchObject({
      key: 'google:g-7',
      line: null,
      campaignId: null,
      campaignName: null,
      platform: 'google',
      platformCampaignId: 'g-7',
      platformCampaignName: 'Rogue',
      market: 'FR',
      product: 'Promo',
      confidence: 0,
      dataAgeHours: 2,
      targetSpend: null,
      actualSpend: 250.01,
      variancePct: null,
      action: 'escalate',
      proposedAction: 'halt',
    });
    expect(a?.rootCause).toEqual([
      {
        code: 'orphan_spend',
        message: '"Rogue" spent 250.01 EUR with no row in the tracker.',
        evidence: { platformCampaignId: 'g-7', name: 'Rogue', spend: 250.01, status: 'ENABLED' },
      },
    ]);
    expect(mitigationCauses(a as Assessment)).toEqual(['orphan_spend']);
  });
});

describe('assessAll: platform unavailable', () => {
  it('rows on an unavailable platform are logged with the platform_unavailable cause; others go on', () => {
    const plan = [
      planRow({ line: 2, campaignId: 'c-2', platform: 'meta', campaignName: 'Meta Prospecting' }),
      planRow({ line: 3, campaignId: 'c-3', platform: 'google' }),
    ];
    const out = assess(plan, [campaign({ spend: 1820 })], { unavailable: [['meta', 'Meta API timed out']] });
    expect(out.map((a) => a.line)).toEqual([2, 3]);
    const [meta, google] = out;
    expect(meta).toMatchObject({
      key: 'plan:c-2',
      platform: 'meta',
      platformCampaignId: null,
      actualSpend: null,
      targetSpend: 1400,
      variancePct: null,
      severity: null,
      confidence: 0,
      action: 'log',
      proposedAction: null,
    });
    expect(meta?.reason).toContain('meta');
    expect(meta?.rootCause).toEqual([
      {
        code: 'platform_unavailable',
        message: 'Platform data unavailable: Meta API timed out',
        evidence: { error: 'Meta API timed out' },
      },
    ]);
    expect(meta?.mitigation).toEqual([
      {
        cause: 'platform_unavailable',
        step: 'Check the platform connection and credentials; the next run retries automatically.',
      },
    ]);
    expect(google).toMatchObject({ platform: 'google', platformCampaignId: 'g-1', action: 'halt' });
  });

  it('reports no platform campaign on an unavailable row', () => {
    const [a] = assess([planRow({ platform: 'meta', platformCampaignId: 'm-1' })], [], {
      unavailable: [['meta', 'down']],
    });
    expect(a).toMatchObject({ platformCampaignId: null, action: 'log' });
  });
});

describe('assessAll: order', () => {
  it('orders results by tracker line, then orphans', () => {
    const plan = [
      planRow({ line: 6, campaignId: 'c-6', campaignName: 'Google Six', platform: 'google' }),
      planRow({ line: 3, campaignId: 'c-3', campaignName: 'Meta Three', platform: 'meta' }),
      planRow({ line: 5, campaignId: 'c-5', campaignName: 'Meta Five', platform: 'meta' }),
      planRow({ line: 2, campaignId: 'c-2', campaignName: 'qqqqqqqqqqqq', platform: 'google' }), // unmatched
      planRow({ line: 4, campaignId: 'c-4', campaignName: 'Google Four', platform: 'google' }),
    ];
    const campaigns = [
      campaign({ id: 'g-9', name: 'Orphan One', platform: 'google', spend: 10 }),
      campaign({ id: 'g-4', name: 'Google Four', platform: 'google' }),
      campaign({ id: 'g-6', name: 'Google Six', platform: 'google' }),
      campaign({ id: 'g-8', name: 'Orphan Two', platform: 'google', spend: 20 }),
    ];
    // Meta is unavailable this cycle: lines 3 and 5 are logged in their place, not after the others.
    const out = assess(plan, campaigns, { unavailable: [['meta', 'down']] });
    expect(out.map((a) => [a.line, a.key, a.action])).toEqual([
      [2, 'plan:c-2', 'escalate'],
      [3, 'plan:c-3', 'log'],
      [4, 'plan:c-4', 'log'],
      [5, 'plan:c-5', 'log'],
      [6, 'plan:c-6', 'log'],
      [null, 'google:g-9', 'escalate'],
      [null, 'google:g-8', 'escalate'],
    ]);
  });

  it('orders results across both platforms by line', () => {
    const plan = [
      planRow({ line: 4, campaignId: 'c-4', campaignName: 'Meta Four', platform: 'meta' }),
      planRow({ line: 2, campaignId: 'c-2', campaignName: 'Google Two', platform: 'google' }),
      planRow({ line: 3, campaignId: 'c-3', campaignName: 'Meta Three', platform: 'meta' }),
    ];
    const campaigns = [
      campaign({ id: 'm-3', name: 'Meta Three', platform: 'meta' }),
      campaign({ id: 'm-4', name: 'Meta Four', platform: 'meta' }),
      campaign({ id: 'g-2', name: 'Google Two', platform: 'google' }),
      campaign({ id: 'm-9', name: 'Meta Orphan', platform: 'meta', spend: 5 }),
    ];
    expect(assess(plan, campaigns).map((a) => [a.line, a.platformCampaignId])).toEqual([
      [2, 'g-2'],
      [3, 'm-3'],
      [4, 'm-4'],
      [null, 'm-9'],
    ]);
  });
});

describe('keys', () => {
  it('identify plan rows by campaign id and orphans by platform and id', () => {
    expect(planKey('c-1')).toBe('plan:c-1');
    expect(platformKey('meta', '123')).toBe('meta:123');
  });

  it('reports the number of name comparisons', () => {
    const result = assessAll({
      plan: [planRow({ campaignName: 'abcd' })],
      campaigns: [campaign({ name: 'abce' })],
      unavailable: new Map(),
      now: NOW,
      thresholds: DEFAULT_THRESHOLDS,
      history: () => [],
    });
    expect(result.comparisons).toBe(1);
  });
});
