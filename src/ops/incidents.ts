// What paging reasons about: the facts the store gives, the incidents PagerDuty holds, and what to trigger or
// resolve. Types only; the rule that turns facts into a plan is paging.ts.

export type IncidentKind =
  | 'pause_failed'
  | 'budget_change_failed'
  | 'platform_unavailable'
  | 'storm'
  | 'run_failed'
  | 'message_refused';
/** PagerDuty's severities (Events API v2, payload.severity). */
export type PageSeverity = 'critical' | 'error' | 'warning' | 'info';

/** A campaign whose latest settled pause failed (or was found not to have happened after a crash). */
export interface FailedPause {
  platform: string;
  platformCampaignId: string;
  campaignId: string | null;
  campaignName: string | null;
  /** The failed pause intent's key: a resolved incident is never reopened by the same failure. */
  intentKey: string;
  runId: string | null;
  escalationId: string | null;
  actor: string;
  at: string;
  error: string;
  /** An approver has since rejected pausing it (an escalation about it, opened in or after the failure's run). */
  overridden: boolean;
  /** The campaign in the latest completed run after the failure's run; null while there is no such run. */
  later: LaterRow | null;
}

/**
 * A campaign whose latest daily-budget change (or read-back) failed: refused by the platform, or not confirmed.
 * A later change or read-back that took clears it, so only the latest failure per campaign is a fact.
 */
export interface FailedBudgetChange {
  platform: string;
  platformCampaignId: string;
  campaignId: string | null;
  /** The failure's audit id: a resolved incident is never reopened by the same failure. */
  auditId: number;
  runId: string | null;
  escalationId: string | null;
  /** "agent", or the person who approved or restored. */
  actor: string;
  restore: boolean;
  at: string;
  from: number | null;
  to: number | null;
  currency: string | null;
  error: string;
  /** A person has since chosen to keep the budget (rejected a budget question about it, decided after the failure). */
  kept: boolean;
}

/** What a later run said about the campaign: absent from it, or its row's figures that matter here. */
export type LaterRow =
  | { present: false }
  | {
      present: true;
      platformStatus: string | null;
      action: string;
      proposedAction: string | null;
      /** Its platform could not be read in that run: the run tells nothing about the campaign. */
      unavailable: boolean;
    };

/** A platform that could not be read (wholly, or some of its accounts) in the latest completed run. */
export interface UnavailablePlatform {
  platform: string;
  runId: string;
  /** Plan rows left without data because of it. */
  campaigns: number;
  messages: string[];
}

/** A storm held as one batch escalation awaiting a decision (SPEC, Safety guard 5). */
export interface Storm {
  escalationId: string;
  kind: 'data_fault' | 'halt_budget';
  /**
   * What approving does: `halt` for would-be pauses; `alert` for a data fault that hides planned campaigns from
   * the platform's data (an empty or truncated export), which asks for a check, never a pause.
   */
  proposedAction: 'halt' | 'alert';
  platform: string;
  campaigns: number;
  reason: string;
  createdAt: string;
}

/** A halt's card or an escalation that Slack refused for good: nobody saw the pause, or nobody was asked. */
export interface RefusedMessage {
  outboxId: number;
  kind: 'halt' | 'escalation';
  channel: string;
  /** Slack's error. */
  error: string;
  campaignId: string | null;
  platform: string | null;
  platformCampaignId: string | null;
  escalationId: string | null;
  runId: string | null;
  createdAt: string;
}

export interface RunOutcomes {
  /** The latest `run_failed` event of the audit trail. */
  lastFailed: { auditId: number; runId: string | null; at: string; error: string } | null;
  /** Id of the latest `run_completed` event, 0 when none. */
  lastCompletedAuditId: number;
  /** A run that threw without leaving a `run_failed` behind (reported by the agent's onRunEnd). */
  thrown: { trigger: string; error: string } | null;
}

export interface PagingFacts {
  failedPauses: readonly FailedPause[];
  failedBudgetChanges: readonly FailedBudgetChange[];
  unavailable: readonly UnavailablePlatform[];
  storms: readonly Storm[];
  refusedMessages: readonly RefusedMessage[];
  runs: RunOutcomes;
  /** The audit trail's last id now: an incident opened now remembers it. */
  mark: number;
}

/** What paging remembers of an incident. */
export interface KnownIncident {
  dedupKey: string;
  kind: string;
  status: 'open' | 'resolved';
  occurrence: string | null;
  watermark: number;
}

export interface Trigger {
  dedupKey: string;
  kind: IncidentKind;
  severity: PageSeverity;
  summary: string;
  /** PagerDuty's payload.component: the platform, or the agent. */
  component: string;
  occurrence: string | null;
  details: Record<string, unknown>;
}

export interface Resolve {
  dedupKey: string;
  kind: string;
  reason: string;
  occurrence: string | null;
}

export interface PagingPlan {
  trigger: Trigger[];
  resolve: Resolve[];
}
