// The vocabulary of pacing: plan rows, platform campaigns, and the per-campaign result of one cycle.

export const PLATFORMS = ['google', 'meta'] as const;
export type Platform = (typeof PLATFORMS)[number];
/** The name people know each platform by, for text they read. */
export const PLATFORM_NAME: Record<Platform, string> = { google: 'Google Ads', meta: 'Meta' };
/** A platform key as people know it; an unknown key as it is. */
export const platformDisplayName = (p: string): string => (PLATFORM_NAME as Record<string, string>)[p] ?? p;

export type Severity = 'healthy' | 'warning' | 'critical';
export type Action = 'log' | 'alert' | 'escalate' | 'halt';
/**
 * What an escalation proposes to do if an approver says yes: send an alert, pause, change one campaign's daily
 * budget (`budget`), or a pool's (`rebalance`).
 */
export type ProposedAction = 'alert' | 'halt' | 'budget' | 'rebalance';
export type RowStatus = 'done' | 'awaiting_approval' | 'approved' | 'overridden' | 'expired' | 'failed';
export type CampaignStatus = 'ENABLED' | 'PAUSED';

/** One validated row of the tracker (the plan). */
export interface PlanRow {
  line: number;
  campaignId: string;
  campaignName: string;
  platform: Platform;
  market: string;
  product: string;
  startDate: string;
  endDate: string;
  /**
   * Planned spend to date: the figure actual spend is compared with. Null when the tracker leaves it empty:
   * the budget's share of the elapsed flight stands for it then.
   */
  targetSpend: number | null;
  /** The whole flight's budget. */
  budget: number | null;
  currency: string | null;
  ownerSlackId: string | null;
  platformCampaignId: string | null;
  /** The tracker's `budget_pool`: campaigns sharing one plan total (the sum of their budgets). Absent: no pool. */
  budgetPool?: string;
}

/** A campaign the platform listed but whose data could not be used, as far as it can be named. */
export interface UnusableCampaign {
  id: string | null;
  name: string | null;
  message: string;
}

/** A tracker row that failed validation, as far as it says which campaign it is about. */
export interface RejectedRow {
  line: number;
  campaignName: string;
  platform: Platform;
  platformCampaignId: string | null;
  message: string;
}

/** One campaign as an ad platform reports it. */
export interface PlatformCampaign {
  platform: Platform;
  id: string;
  name: string;
  market: string | null;
  product: string | null;
  startDate: string | null;
  endDate: string | null;
  spend: number;
  status: CampaignStatus;
  /** ISO time the spend figure was read at the platform. */
  fetchedAt: string;
  dailyBudget: number | null;
  currency: string | null;
  /** Hours the platform's reported spend may lag behind reality, when known. */
  reportingLagHours?: number;
  /** The account's IANA time zone, when the platform says: its days (and a flight's) are counted in it. */
  timeZone?: string;
  /** The account the campaign belongs to (customer id, ad account, fixture file); one data feed per account. */
  account?: string;
  /** Spend per day (YYYY-MM-DD, the account's time zone) inside the fetched window, when the platform gives it. */
  spendByDay?: Record<string, number>;
  /** Google: the campaign's budget resource (`customers/{cid}/campaignBudgets/{id}`), the thing a change edits. */
  budgetResource?: string;
  /**
   * Other campaigns use the same budget (Google `explicitly_shared`, a fixture's `shared_budget`): never changed for
   * one of them, only advised on (absent: not known to be shared).
   */
  sharedBudget?: boolean;
  /** A lifetime budget for the whole flight (Meta, fixtures), in major units: no daily budget to steer, advice only. */
  lifetimeBudget?: number | null;
  /** Meta: the budgets are on the ad sets, not the campaign (no Advantage campaign budget): advice only. */
  adSetBudgets?: boolean;
}

export interface ConfidenceParts {
  metadata: number;
  name: number;
  freshness: number;
}

/** What a critical under-delivery (not zero delivery) gets: the seed's pause, or an alert (UNDERSPEND_ACTION). */
export type UnderspendAction = 'halt' | 'alert';

export interface Thresholds {
  healthyVariance: number;
  warningVariance: number;
  confidence: number;
  freshnessHours: number;
  /** `halt` when left out, as the seed's matrix says. */
  underspendAction?: UnderspendAction;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  healthyVariance: 10,
  warningVariance: 25,
  confidence: 70,
  freshnessHours: 12,
};

/** Where a row's target to date comes from: the tracker's `target_spend`, or its budget spread over the flight. */
export type TargetSource = 'tracker' | 'budget';

/** Where the flight ends at this rate, and the daily budget that lands it on budget (SPEC, Forecast). */
export interface Forecast {
  dailyRunRate: number;
  projectedSpend: number;
  budget: number;
  projectedVariancePct: number;
  /** Today through the end date. */
  daysLeft: number;
  recommendedDailyBudget: number;
  basis: 'last_7_days' | 'flight_to_date';
}

/** The campaign's last runs (up to 10 within 14 days): how often it was off plan. */
export interface RunHistory {
  runs: number;
  offPlanRuns: number;
  chronic: boolean;
  /** Variance of those runs, oldest first, for a trend line. */
  variances: (number | null)[];
}

/** Why the agent believes an anomaly happened, with the numbers that show it. */
export interface Cause {
  code: CauseCode;
  message: string;
  evidence: Record<string, string | number | boolean | null>;
}

export type CauseCode =
  | 'unmatched_pinned_id'
  | 'unmatched_no_similar_name'
  | 'orphan_spend'
  | 'zero_plan_spend'
  | 'currency_mismatch'
  | 'name_mismatch'
  | 'market_mismatch'
  | 'product_mismatch'
  | 'flight_dates_differ'
  | 'stale_data'
  | 'campaign_paused'
  | 'flight_ended'
  | 'flight_not_started'
  | 'budget_differs'
  | 'spend_spike'
  | 'spend_stall'
  | 'no_delivery'
  | 'over_pacing'
  | 'under_pacing'
  | 'already_paused'
  | 'pause_failed'
  | 'platform_unavailable'
  | 'plan_row_invalid'
  | 'platform_data_unusable'
  | 'forecast_miss'
  // Safety guards: why the agent did not act alone.
  | 'guard_low_confidence'
  | 'guard_stale_data'
  | 'guard_early_flight'
  | 'guard_currency_unknown'
  | 'guard_data_fault'
  | 'guard_halt_budget'
  | 'guard_orphan_budget'
  | 'guard_human_decision';

export interface Mitigation {
  cause: CauseCode;
  step: string;
}

/** A previous observation of the same campaign, for spike and stall detection. */
export interface SpendObservation {
  at: string;
  actualSpend: number;
}
