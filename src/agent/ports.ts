// What the agent needs from the outside world, and the records it produces; adapters implement these.

import type { Evidence } from '../domain/explanation.js';
import type {
  Escalation,
  EscalationClosed,
  PauseOutcome,
  ResultRow,
  ResumeOutcome,
  RowError,
} from '../domain/records.js';
import type { RunFigures } from '../domain/run-counts.js';
import type {
  CampaignStatus,
  PlanRow,
  Platform,
  PlatformCampaign,
  RejectedRow,
  UnusableCampaign,
} from '../domain/types.js';

export interface Plan {
  rows: PlanRow[];
  errors: RowError[];
  /** Who the invalid rows were about, where that could be read: their campaigns are planned, not orphans. */
  rejected?: RejectedRow[];
}

/** Where the plan comes from: tracker.csv, or a Google Sheet (TRACKER_SHEET). Throws DataError when unreadable. */
export interface PlanSource {
  readonly description: string;
  read(): Promise<Plan>;
}

export interface PlatformSnapshot {
  campaigns: PlatformCampaign[];
  /** Campaigns the platform returned but that could not be used, each with its reason. */
  errors: string[];
  /** The same unusable campaigns by id and name, so a plan row that meant one is told why, not "no match". */
  unusable?: UnusableCampaign[];
  /**
   * Set when some of the platform's accounts could not be read: their campaigns are missing, so a plan row
   * without a match may only be in a missing account and must not be escalated as unmatched.
   */
  incomplete?: string | null;
}

/** The days whose spend the plan compares with: from the earliest flight start to today (inclusive). */
export interface SpendWindow {
  since: string;
  until: string;
}

/** One ad platform: read campaigns with spend, pause and resume. Implemented by fixtures and live adapters. */
export interface PlatformAdapter {
  readonly platform: Platform;
  /** A short description for reports, e.g. "fixtures (google.json)" or "Google Ads API v21, dry-run". */
  readonly description: string;
  /**
   * Campaigns with spend. With a window, spend counts only those days, and `spendByDay` lets each plan row
   * take the days of its own flight (a reused or always-on campaign is not charged its whole lifetime).
   */
  fetchCampaigns(window?: SpendWindow): Promise<PlatformSnapshot>;
  /** Throws PlatformError when the pause did not take effect. */
  pause(campaignId: string): Promise<PauseOutcome>;
  resume(campaignId: string): Promise<ResumeOutcome>;
  currentStatus?(campaignId: string): Promise<CampaignStatus | null>;
  /**
   * Sets the campaign's daily budget (major units of `currency`, rounded to the currency's minor unit) and reads
   * it back. Throws PlatformError when the platform refuses it, the read-back does not show it, the campaign's
   * budget is shared, a lifetime budget or on its ad sets, or `currency` is not the account's. With `validateOnly`
   * nothing changes: the platform checks the change where it can (dry-run). Optional until every adapter has it.
   */
  setDailyBudget?(
    campaignId: string,
    amount: number,
    currency: string,
    options?: { validateOnly?: boolean },
  ): Promise<BudgetChangeOutcome>;
}

/** What a daily-budget change did; amounts in major units of `currency`. */
export interface BudgetChangeOutcome {
  /** `changed`: read back as `to`; `unchanged`: it already was `to`; `would_change`: dry-run, nothing written. */
  outcome: 'changed' | 'unchanged' | 'would_change';
  /** The daily budget before the change. */
  from: number;
  /** The daily budget read back (or, for `would_change`, the rounded amount that would be sent). */
  to: number;
  currency: string;
}

/** Where alerts, escalations and their outcomes go: Slack in the app, the terminal in the CLI. */
export interface Notifier {
  /** One alert on its own (an approved escalation's alert). */
  alert(row: ResultRow): Promise<void>;
  /**
   * A run's new and changed alerts, together: many of them are summarised in one message, whose counts and money
   * at stake are the run's `figures` (the same the CLI and the metrics give).
   */
  runAlerts(runId: string, rows: readonly ResultRow[], figures?: RunFigures): Promise<void>;
  escalationOpened(escalation: Escalation): Promise<void>;
  escalationClosed(closed: EscalationClosed): Promise<void>;
  /** An open batch's members changed (a storm that grew, members back on plan): its message should show them now. */
  escalationUpdated?(escalation: Escalation): Promise<void>;
  /** A person resumed a campaign the agent had paused: the message about the pause should say so. */
  campaignResumed?(resumed: { platform: string; platformCampaignId: string; actor: string; at: string }): Promise<void>;
}

export type Progress = (stage: string, done: number, total: number) => void;

/** What one call to a model cost: tokens as the provider counted them (null when it did not say). */
export interface TokenUsage {
  inputTokens: number | null;
  outputTokens: number | null;
}

/**
 * A language model that writes the analyst's note on one row from its evidence (SPEC, Explanations). It answers
 * with the structured output asked for (unchecked: the agent checks it) or throws: a refusal, a provider error,
 * or `signal` aborted (the run's explanation step is over).
 */
export interface Explainer {
  /** The model's name as the note shows it. */
  readonly model: string;
  explain(evidence: Evidence, signal: AbortSignal): Promise<{ answer: unknown; usage: TokenUsage }>;
}
