import { describe, expect, it } from 'vitest';
import type { Unmatched } from '../../src/domain/match.js';
import { mitigate } from '../../src/domain/mitigation.js';
import { diagnose, type Signals } from '../../src/domain/rootcause.js';
import type { Cause, CauseCode, PlanRow, PlatformCampaign, SpendObservation } from '../../src/domain/types.js';
import { isZeroDelivery, variancePct } from '../../src/domain/variance.js';
import { campaign, hoursBefore, NOW, planRow } from './builders.js';

// Builders' defaults: flight 2024-05-01 … 2024-05-31 (31 days), planned 100 a day, so 1400 to date on
// NOW = 2024-05-15T00:00Z (14 days elapsed); budget 3100; platform daily budget 100; data 2 h old.

const NO_SIGNALS: Signals = {
  row: null,
  campaign: null,
  now: NOW,
  freshHours: 12,
  nameSimilarity: null,
  variancePct: null,
  zeroDelivery: false,
  unmatched: null,
  history: [],
  platformError: null,
};

/** Signals of a matched pair, with variance and zero delivery worked out from the figures. */
function matched(
  rowOverrides: Partial<PlanRow> = {},
  campaignOverrides: Partial<PlatformCampaign> = {},
  extra: Partial<Signals> = {},
): Signals {
  const row = planRow(rowOverrides);
  const c = campaign(campaignOverrides);
  return {
    ...NO_SIGNALS,
    row,
    campaign: c,
    nameSimilarity: 1,
    variancePct: variancePct(c.spend, row.targetSpend as number),
    zeroDelivery: isZeroDelivery(row.targetSpend as number, c.spend),
    ...extra,
  };
}

const codes = (causes: Cause[]): CauseCode[] => causes.map((c) => c.code);
const only = (causes: Cause[], code: CauseCode): Cause => {
  const found = causes.filter((c) => c.code === code);
  expect(found, `one ${code} among ${codes(causes).join(', ')}`).toHaveLength(1);
  return found[0] as Cause;
};
/** The mitigation step for the one cause with `code`. */
const stepFor = (causes: Cause[], code: CauseCode): string => {
  const steps = mitigate(causes).filter((m) => m.cause === code);
  expect(steps).toHaveLength(1);
  return steps[0]?.step ?? '';
};

describe('diagnose: platform unavailable', () => {
  it('is the only cause, with the error', () => {
    const causes = diagnose({ ...NO_SIGNALS, row: planRow(), platformError: 'HTTP 503 from Meta' });
    expect(causes).toEqual([
      {
        code: 'platform_unavailable',
        message: 'Platform data unavailable: HTTP 503 from Meta',
        evidence: { error: 'HTTP 503 from Meta' },
      },
    ]);
    expect(stepFor(causes, 'platform_unavailable')).toMatch(/connection and credentials/);
  });
});

describe('diagnose: unmatched tracker rows', () => {
  const row = planRow({ line: 7, platformCampaignId: 'g-9' });

  it('names the pinned id the platform does not list', () => {
    const u: Unmatched = { row, reason: 'pinned_id_not_listed', closest: null };
    const causes = diagnose({ ...NO_SIGNALS, row, unmatched: u });
    expect(causes).toEqual([
      {
        code: 'unmatched_pinned_id',
        message: 'Tracker line 7 pins Google Ads campaign g-9, which the platform does not list.',
        evidence: { line: 7, platformCampaignId: 'g-9' },
      },
    ]);
    expect(stepFor(causes, 'unmatched_pinned_id')).toBe(
      'Correct platform_campaign_id on tracker line 7 (g-9 is not on the platform), or clear it to match by name.',
    );
  });

  it('names the closest campaign and how similar it is', () => {
    const unpinned = planRow({ line: 7 });
    const u: Unmatched = {
      row: unpinned,
      reason: 'no_similar_name',
      closest: { id: 'g-3', name: 'DE Generic', similarity: 1 / 3 },
    };
    const causes = diagnose({ ...NO_SIGNALS, row: unpinned, unmatched: u });
    const cause = only(causes, 'unmatched_no_similar_name');
    expect(cause.evidence).toEqual({
      line: 7,
      planName: 'UK Brand Search',
      closestId: 'g-3',
      closestName: 'DE Generic',
      closestSimilarity: 0.33,
    });
    expect(cause.message).toBe(
      'No Google Ads campaign is named like "UK Brand Search"; the closest, "DE Generic", is only 33.33% similar (50% needed).',
    );
    expect(stepFor(causes, 'unmatched_no_similar_name')).toBe(
      'If "DE Generic" is this campaign, pin it: set platform_campaign_id=g-3 on tracker line 7; otherwise create the campaign or remove the row.',
    );
  });

  it('says so when no campaign is left to compare with', () => {
    const unpinned = planRow({ line: 7 });
    const causes = diagnose({
      ...NO_SIGNALS,
      row: unpinned,
      unmatched: { row: unpinned, reason: 'no_similar_name', closest: null },
    });
    const cause = only(causes, 'unmatched_no_similar_name');
    expect(cause.evidence).toMatchObject({ line: 7, closestId: null, closestName: null, closestSimilarity: null });
    expect(cause.message).toBe('No unclaimed Google Ads campaign is left to match "UK Brand Search".');
    expect(stepFor(causes, 'unmatched_no_similar_name')).toBe(
      'Create the campaign on the platform or remove tracker line 7.',
    );
  });
});

describe('diagnose: orphans', () => {
  it('reports spend with no plan, with the platform id, name and spend', () => {
    const c = campaign({ id: 'g-5', name: 'Rogue Campaign', spend: 1234.567 });
    const causes = diagnose({ ...NO_SIGNALS, campaign: c });
    expect(causes).toEqual([
      {
        code: 'orphan_spend',
        message: '"Rogue Campaign" spent 1,234.57 EUR with no row in the tracker.',
        evidence: { platformCampaignId: 'g-5', name: 'Rogue Campaign', spend: 1234.57, status: 'ENABLED' },
      },
    ]);
    expect(stepFor(causes, 'orphan_spend')).toBe(
      'Add "Rogue Campaign" (id g-5) to the tracker with its target, or pause it if it should not run.',
    );
  });

  it('has nothing to say without a row or a campaign', () => {
    expect(diagnose(NO_SIGNALS)).toEqual([]);
  });
});

describe('diagnose: currency and zero plan', () => {
  it('a currency mismatch is the only cause, with both currencies and both figures', () => {
    // Stale data and a weak name would otherwise be causes too: the currency makes them moot.
    const causes = diagnose(
      matched({}, { currency: 'USD', spend: 1820, fetchedAt: hoursBefore(NOW, 30) }, { nameSimilarity: 0.6 }),
    );
    expect(causes).toEqual([
      {
        code: 'currency_mismatch',
        message: 'The plan is in EUR, the platform reports USD.',
        evidence: { planCurrency: 'EUR', platformCurrency: 'USD', targetSpend: 1400, actualSpend: 1820 },
      },
    ]);
    expect(stepFor(causes, 'currency_mismatch')).toBe(
      "Restate the tracker row in USD (the account's currency), or fix the currency column if it is wrong.",
    );
  });

  it('spend against a target of 0 is named with the spend', () => {
    const causes = diagnose(matched({ targetSpend: 0 }, { spend: 50 }));
    expect(causes).toEqual([
      {
        code: 'zero_plan_spend',
        message: 'Spent 50.00 EUR against a target of 0.',
        evidence: { targetSpend: 0, actualSpend: 50 },
      },
    ]);
    expect(stepFor(causes, 'zero_plan_spend')).toMatch(/planned spend in the tracker/);
  });
});

describe('diagnose: the match or its data may be wrong', () => {
  it('stale data, with its age', () => {
    const causes = diagnose(matched({}, { spend: 1820, fetchedAt: '2024-05-13T18:00:00Z' }));
    expect(codes(causes)).toEqual(['stale_data', 'over_pacing']);
    const cause = only(causes, 'stale_data');
    expect(cause.evidence).toEqual({ fetchedAt: '2024-05-13T18:00:00Z', ageHours: 30, freshHours: 12 });
    expect(cause.message).toBe('Spend data is 30 h old (fresh is ≤ 12 h): actual spend may be higher now.');
    expect(stepFor(causes, 'stale_data')).toBe(
      'Check the platform sync (data is 30 h old) and re-run once fresh data has arrived.',
    );
  });

  it('stale data age is rounded to 2 decimals', () => {
    // 12 h 20 min = 12.333… h
    const causes = diagnose(matched({}, { spend: 1820, fetchedAt: '2024-05-14T11:40:00Z' }));
    expect(only(causes, 'stale_data').evidence.ageHours).toBe(12.33);
    expect(stepFor(causes, 'stale_data')).toContain('12.33 h old');
  });

  it('data exactly 12 h old, or from the future, is not stale', () => {
    expect(codes(diagnose(matched({}, { spend: 1820, fetchedAt: hoursBefore(NOW, 12) })))).toEqual(['over_pacing']);
    expect(codes(diagnose(matched({}, { spend: 1820, fetchedAt: '2024-05-15T05:00:00Z' })))).toEqual(['over_pacing']);
  });

  it('follows the configured freshness window', () => {
    const causes = diagnose(matched({}, { spend: 1820, fetchedAt: hoursBefore(NOW, 7) }, { freshHours: 6 }));
    expect(only(causes, 'stale_data').evidence).toMatchObject({ ageHours: 7, freshHours: 6 });
  });

  it('a weak name match, with the similarity', () => {
    const causes = diagnose(matched({}, { name: 'UK Brnd Srch', spend: 1820 }, { nameSimilarity: 2 / 3 }));
    const cause = only(causes, 'name_mismatch');
    expect(cause.evidence).toEqual({ planName: 'UK Brand Search', platformName: 'UK Brnd Srch', similarity: 0.67 });
    expect(cause.message).toBe('Plan name "UK Brand Search" and platform name "UK Brnd Srch" are only 66.67% similar.');
    expect(stepFor(causes, 'name_mismatch')).toContain('platform_campaign_id');
  });

  it('no name cause from 0.8 similarity up', () => {
    expect(codes(diagnose(matched({}, { spend: 1820 }, { nameSimilarity: 0.8 })))).toEqual(['over_pacing']);
    expect(codes(diagnose(matched({}, { spend: 1820 }, { nameSimilarity: 0.79 })))).toEqual([
      'name_mismatch',
      'over_pacing',
    ]);
  });

  it('a market mismatch, with both markets', () => {
    const causes = diagnose(matched({}, { market: 'DE', spend: 1820 }));
    const cause = only(causes, 'market_mismatch');
    expect(cause.evidence).toEqual({ planMarket: 'UK', platformMarket: 'DE' });
    expect(cause.message).toBe('Market differs: plan UK, platform DE.');
    expect(stepFor(causes, 'market_mismatch')).toBe(
      "Correct the market (plan UK, platform DE) in the tracker or in the campaign's naming.",
    );
  });

  it('a market the platform does not report counts as a mismatch', () => {
    const causes = diagnose(matched({}, { market: null, spend: 1820 }));
    expect(only(causes, 'market_mismatch').message).toBe('Market differs: plan UK, platform unknown.');
    expect(stepFor(causes, 'market_mismatch')).toContain('(plan UK, platform ?)');
  });

  it('markets equal but for case are not a mismatch', () => {
    expect(codes(diagnose(matched({}, { market: 'uk', product: 'BRAND', spend: 1820 })))).toEqual(['over_pacing']);
  });

  it('a product mismatch, with both products', () => {
    const causes = diagnose(matched({}, { product: 'Generic', spend: 1820 }));
    const cause = only(causes, 'product_mismatch');
    expect(cause.evidence).toEqual({ planProduct: 'Brand', platformProduct: 'Generic' });
    expect(cause.message).toBe('Product differs: plan Brand, platform Generic.');
    expect(stepFor(causes, 'product_mismatch')).toBe(
      "Correct the product (plan Brand, platform Generic) in the tracker or in the campaign's naming.",
    );
  });

  it('flight dates that differ, with both flights', () => {
    const causes = diagnose(matched({}, { startDate: '2024-05-05', endDate: '2024-06-30', spend: 1820 }));
    const cause = only(causes, 'flight_dates_differ');
    expect(cause.evidence).toEqual({
      planStart: '2024-05-01',
      planEnd: '2024-05-31',
      platformStart: '2024-05-05',
      platformEnd: '2024-06-30',
    });
    expect(cause.message).toBe('Flight differs: plan 2024-05-01…2024-05-31, platform 2024-05-05…2024-06-30.');
    expect(stepFor(causes, 'flight_dates_differ')).toBe(
      'Align the flight: tracker 2024-05-01…2024-05-31 vs platform 2024-05-05…2024-06-30.',
    );
  });

  it('missing platform flight dates count as differing', () => {
    const causes = diagnose(matched({}, { startDate: null, endDate: null, spend: 1820 }));
    expect(only(causes, 'flight_dates_differ').message).toBe(
      'Flight differs: plan 2024-05-01…2024-05-31, platform ?…?.',
    );
  });

  it('flight ends within one day are not a difference', () => {
    expect(codes(diagnose(matched({}, { startDate: '2024-04-30', endDate: '2024-06-01', spend: 1820 })))).toEqual([
      'over_pacing',
    ]);
  });

  it('lists match causes before delivery causes', () => {
    const causes = diagnose(
      matched(
        {},
        { name: 'x', market: 'DE', product: 'Generic', spend: 1820, fetchedAt: hoursBefore(NOW, 20) },
        { nameSimilarity: 0.5 },
      ),
    );
    expect(codes(causes)).toEqual([
      'name_mismatch',
      'market_mismatch',
      'product_mismatch',
      'stale_data',
      'over_pacing',
    ]);
  });
});

describe('diagnose: delivery', () => {
  it('a paused campaign under-delivering, with status and figures', () => {
    // 560 against 1400: −60 %
    const causes = diagnose(matched({}, { status: 'PAUSED', spend: 560 }));
    expect(causes).toEqual([
      {
        code: 'campaign_paused',
        message: 'The campaign is paused on the platform, so it cannot deliver.',
        evidence: { status: 'PAUSED', targetSpend: 1400, actualSpend: 560, variancePct: -60 },
      },
    ]);
    expect(stepFor(causes, 'campaign_paused')).toMatch(/Re-enable the campaign/);
  });

  it('a paused campaign with zero delivery is explained by the pause, not as no delivery', () => {
    const causes = diagnose(matched({}, { status: 'PAUSED', spend: 0 }));
    expect(codes(causes)).toEqual(['campaign_paused']);
    expect(only(causes, 'campaign_paused').evidence).toMatchObject({ actualSpend: 0, variancePct: -100 });
  });

  it('a paused campaign over-delivering is not explained by the pause', () => {
    expect(codes(diagnose(matched({}, { status: 'PAUSED', spend: 1820 })))).toEqual(['over_pacing']);
  });

  it('a flight that ended before the spend was reached', () => {
    // 10-day flight, 100 a day: 1000 planned; 600 spent (−40 %); today is 2024-05-15.
    const flight = { startDate: '2024-05-01', endDate: '2024-05-10' };
    const causes = diagnose(matched({ ...flight, targetSpend: 1000, budget: 1000 }, { ...flight, spend: 600 }));
    expect(causes).toEqual([
      {
        code: 'flight_ended',
        message: "The flight ended on 2024-05-10, before the plan's spend was reached.",
        evidence: { endDate: '2024-05-10', today: '2024-05-15', targetSpend: 1000, actualSpend: 600, variancePct: -40 },
      },
    ]);
    expect(stepFor(causes, 'flight_ended')).toBe(
      'Extend the flight past 2024-05-10 or move the unspent budget to a running campaign.',
    );
  });

  it("uses the platform's end date when it ended early", () => {
    const causes = diagnose(matched({}, { endDate: '2024-05-12', spend: 700 }));
    expect(codes(causes)).toEqual(['flight_dates_differ', 'flight_ended']);
    expect(only(causes, 'flight_ended').evidence).toMatchObject({ endDate: '2024-05-12', variancePct: -50 });
  });

  it('a flight that has not started', () => {
    // Flight 2024-05-20 … 2024-06-19 (31 days), tracker says 100 to date, nothing spent.
    const flight = { startDate: '2024-05-20', endDate: '2024-06-19' };
    const causes = diagnose(matched({ ...flight, targetSpend: 100 }, { ...flight, spend: 0 }));
    expect(causes).toEqual([
      {
        code: 'flight_not_started',
        message: 'The platform flight starts on 2024-05-20, after today.',
        evidence: { startDate: '2024-05-20', today: '2024-05-15', targetSpend: 100, actualSpend: 0, variancePct: -100 },
      },
    ]);
    expect(stepFor(causes, 'flight_not_started')).toBe(
      "Bring the start date (2024-05-20) in line with the plan, or move the plan's start.",
    );
  });

  it('a platform daily budget above plan', () => {
    // 150 × 31 days = 4650 against a flight budget of 3100: +50 %; plan's daily budget 3100 / 31 = 100.
    const causes = diagnose(matched({}, { dailyBudget: 150, spend: 1820 }));
    expect(causes).toEqual([
      {
        code: 'budget_differs',
        message:
          "Platform daily budget 150.00 EUR × 31 days = 4,650.00 EUR, but the plan's budget is 3,100.00 EUR (+50.00%).",
        evidence: {
          dailyBudget: 150,
          flightDays: 31,
          impliedBudget: 4650,
          planBudget: 3100,
          plannedDailyBudget: 100,
          recommendedDailyBudget: null,
        },
      },
    ]);
    // Without a forecast (no spend figures to project), the plan's own daily rate.
    expect(stepFor(causes, 'budget_differs')).toBe(
      'Set the platform daily budget to 100.00 (plan budget 3,100.00 over 31 days).',
    );
  });

  it('writes every amount as money in its currency, JPY without decimals; evidence keeps raw numbers', () => {
    // 90,000 × 31 = 2,790,000 JPY against a plan budget of 3,100,000.5 JPY (−10 %).
    const causes = diagnose(
      matched(
        { currency: 'JPY', budget: 3_100_000.5, targetSpend: 1_400_000 },
        { currency: 'JPY', dailyBudget: 90_000, spend: 1_960_000.4 },
      ),
    );
    expect(only(causes, 'budget_differs').message).toBe(
      "Platform daily budget 90,000 JPY × 31 days = 2,790,000 JPY, but the plan's budget is 3,100,001 JPY (-10.00%).",
    );
    expect(only(causes, 'budget_differs').evidence).toMatchObject({ dailyBudget: 90_000, planBudget: 3_100_000.5 });
    const steps = mitigate(causes, 'JPY').map((m) => m.step);
    expect(steps).toContain('Set the platform daily budget to 100,000 JPY (plan budget 3,100,001 JPY over 31 days).');
    for (const text of [...causes.map((c) => c.message), ...steps])
      expect(text, 'no amount without separators or currency').not.toMatch(/\b\d{4,}(\.\d+)?\b(?! ?JPY)/);
  });

  it('a platform daily budget below plan', () => {
    // 50 × 31 = 1550 against 3100: −50 %
    const causes = diagnose(matched({}, { dailyBudget: 50, spend: 700 }));
    expect(codes(causes)).toEqual(['budget_differs']);
    expect(only(causes, 'budget_differs').message).toBe(
      "Platform daily budget 50.00 EUR × 31 days = 1,550.00 EUR, but the plan's budget is 3,100.00 EUR (-50.00%).",
    );
  });

  it('a planned daily budget that is not a whole number is rounded in the step', () => {
    // 1000 / 31 = 32.258… ; 50 × 31 = 1550 is +55 % over 1000.
    const causes = diagnose(matched({ budget: 1000 }, { dailyBudget: 50, spend: 1820 }));
    expect(only(causes, 'budget_differs').evidence).toEqual({
      dailyBudget: 50,
      flightDays: 31,
      impliedBudget: 1550,
      planBudget: 1000,
      plannedDailyBudget: 32.26,
      recommendedDailyBudget: null,
    });
    expect(stepFor(causes, 'budget_differs')).toBe(
      'Set the platform daily budget to 32.26 (plan budget 1,000.00 over 31 days).',
    );
  });

  it('no budget cause within 10 % or without both budgets', () => {
    // 109 × 31 = 3379: +9 %
    expect(codes(diagnose(matched({}, { dailyBudget: 109, spend: 1820 })))).toEqual(['over_pacing']);
    expect(codes(diagnose(matched({ budget: null }, { dailyBudget: 150, spend: 1820 })))).toEqual(['over_pacing']);
    expect(codes(diagnose(matched({}, { dailyBudget: null, spend: 1820 })))).toEqual(['over_pacing']);
  });

  describe('spend trend against history', () => {
    // 1400 planned over the 14 days (336 h) since 2024-05-01: 100 per 24 h.
    const dayAgo = '2024-05-14T00:00:00Z';

    it('a spike: more than twice the planned spend since the last observation', () => {
      const history: SpendObservation[] = [
        { at: '2024-05-10T00:00:00Z', actualSpend: 900 },
        { at: dayAgo, actualSpend: 1570 },
      ];
      const causes = diagnose(matched({}, { spend: 1820 }, { history }));
      expect(causes).toEqual([
        {
          code: 'spend_spike',
          message: 'Spent 250.00 EUR in the last 24 h, over twice the planned 100.00 EUR.',
          evidence: { since: dayAgo, hours: 24, spendThen: 1570, spendNow: 1820, delta: 250, expectedDelta: 100 },
        },
      ]);
      expect(stepFor(causes, 'spend_spike')).toBe(
        'Cap daily spend and review bid or budget changes made since 2024-05-14T00:00:00Z.',
      );
    });

    it('no spike at up to twice the plan', () => {
      const history = [{ at: dayAgo, actualSpend: 1670 }]; // +150 in 24 h
      expect(codes(diagnose(matched({}, { spend: 1820 }, { history })))).toEqual(['over_pacing']);
    });

    it('a stall: no new spend for 12 h or more on an enabled campaign', () => {
      const history = [{ at: dayAgo, actualSpend: 1000 }];
      const causes = diagnose(matched({}, { spend: 1000 }, { history }));
      expect(causes).toEqual([
        {
          code: 'spend_stall',
          message: 'No new spend in 24 h although 100.00 EUR was planned.',
          evidence: { since: dayAgo, hours: 24, spendThen: 1000, spendNow: 1000, delta: 0, expectedDelta: 100 },
        },
      ]);
      expect(stepFor(causes, 'spend_stall')).toMatch(/ad approvals, billing and audience size/);
    });

    it('a stall over exactly 12 h', () => {
      const history = [{ at: '2024-05-14T12:00:00Z', actualSpend: 1000 }];
      const cause = only(diagnose(matched({}, { spend: 1000 }, { history })), 'spend_stall');
      expect(cause.evidence).toMatchObject({ hours: 12, delta: 0, expectedDelta: 50 });
    });

    it('no stall after only 6 h, nor on a paused campaign', () => {
      const recent = [{ at: '2024-05-14T18:00:00Z', actualSpend: 1000 }];
      expect(codes(diagnose(matched({}, { spend: 1000 }, { history: recent })))).toEqual(['under_pacing']);
      const dayOld = [{ at: dayAgo, actualSpend: 1000 }];
      expect(codes(diagnose(matched({}, { spend: 1000, status: 'PAUSED' }, { history: dayOld })))).toEqual([
        'campaign_paused',
      ]);
    });

    it('ignores an observation less than an hour old', () => {
      const history = [{ at: '2024-05-14T23:30:00Z', actualSpend: 100 }];
      expect(codes(diagnose(matched({}, { spend: 1820 }, { history })))).toEqual(['over_pacing']);
    });
  });

  it('zero delivery with nothing to explain it', () => {
    const causes = diagnose(matched({}, { spend: 0 }));
    expect(causes).toEqual([
      {
        code: 'no_delivery',
        message: 'The campaign is enabled and inside its flight but spent nothing.',
        evidence: { status: 'ENABLED', targetSpend: 1400, actualSpend: 0, variancePct: -100 },
      },
    ]);
    expect(stepFor(causes, 'no_delivery')).toMatch(/ad approvals, the payment method, targeting and bids/);
  });

  it('over-pacing with nothing to explain it and no forecast: no invented percentage', () => {
    const causes = diagnose(matched({}, { spend: 1960 }));
    expect(causes).toEqual([
      {
        code: 'over_pacing',
        message: 'Spent 1,960.00 EUR against 1,400.00 EUR planned to date (+40.00%).',
        evidence: { targetSpend: 1400, actualSpend: 1960, variancePct: 40 },
      },
    ]);
    expect(stepFor(causes, 'over_pacing')).toBe(
      'Lower the daily budget or bids to bring spend back to plan (give the row a budget in the tracker for an exact figure).',
    );
  });

  it('under-pacing with nothing to explain it and no forecast', () => {
    const causes = diagnose(matched({}, { spend: 1120 }));
    expect(codes(causes)).toEqual(['under_pacing']);
    expect(stepFor(causes, 'under_pacing')).toMatch(/^Raise bids or the daily budget, or move the shortfall/);
  });

  it('off plan with a forecast: where the flight ends, and the daily budget that lands it', () => {
    // 1960 spent in 14 days (140 a day); 17 days left → 1960 + 140 × 17 = 4340 against 3100 (+40 %).
    // What is left, 3100 − 1960 = 1140, over 17 days: 67.06 a day.
    const forecast = {
      dailyRunRate: 140,
      projectedSpend: 4340,
      budget: 3100,
      projectedVariancePct: 40,
      daysLeft: 17,
      recommendedDailyBudget: 67.06,
      basis: 'flight_to_date' as const,
    };
    const causes = diagnose(matched({}, { spend: 1960 }, { forecast }));
    expect(codes(causes)).toEqual(['forecast_miss']);
    expect(causes[0]?.message).toBe(
      'At this rate (140.00 EUR a day) it ends at 4,340.00 EUR against a budget of 3,100.00 EUR (+40.00%) on 2024-05-31.',
    );
    expect(stepFor(causes, 'forecast_miss')).toBe(
      'Set the daily budget to 67.06 for the 17 days left to land on the budget of 3,100.00.',
    );
    // A budget gap that already names the figure says it once.
    const withGap = diagnose(matched({}, { spend: 1960, dailyBudget: 150 }, { forecast }));
    expect(codes(withGap)).toEqual(['budget_differs']);
    expect(stepFor(withGap, 'budget_differs')).toMatch(/^Set the platform daily budget to 67\.06: what is left/);
  });
});

describe('mitigate', () => {
  it('gives one step per cause, in order, tagged with the cause', () => {
    const causes = diagnose(
      matched({}, { market: 'DE', spend: 1820, fetchedAt: hoursBefore(NOW, 30) }, { nameSimilarity: 0.5 }),
    );
    const steps = mitigate(causes);
    expect(steps.map((s) => s.cause)).toEqual(['name_mismatch', 'market_mismatch', 'stale_data', 'over_pacing']);
    for (const s of steps) expect(s.step.length).toBeGreaterThan(10);
  });

  it('gives no steps for no causes', () => {
    expect(mitigate([])).toEqual([]);
  });

  it('has a step for every cause code, even ones only the agent raises', () => {
    for (const code of ['already_paused', 'pause_failed'] as const) {
      const [m] = mitigate([{ code, message: '', evidence: {} }]);
      expect(m?.cause).toBe(code);
      expect(m?.step).toMatch(/paus/i);
    }
  });

  it('shows "?" for evidence it does not have', () => {
    const [m] = mitigate([{ code: 'over_pacing', message: '', evidence: { variancePct: null } }]);
    expect(m?.step).toBe(
      'Lower the daily budget or bids to bring spend back to plan (give the row a budget in the tracker for an exact figure).',
    );
  });
});
