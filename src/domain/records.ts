// The records the agent produces and the store keeps: result rows, escalations, runs and audit events.
// One home, so that the store, the agent, Slack and the CLI share them without importing one another.
import type { Assessment } from './assess.js';
import type { BudgetProposal } from './budget.js';
import type { Explanation, ExplanationTotals } from './explanation.js';
import type { PoolRebalance } from './pools.js';
import type { Platform, ProposedAction, RowStatus } from './types.js';

/** A plan row that failed validation. */
export interface RowError {
  /** Line in the file, the header being line 1. */
  line: number;
  message: string;
}

/** `would_pause`: a dry run, nothing changed on the platform. */
export type PauseOutcome = 'paused' | 'already_paused' | 'would_pause';
export type ResumeOutcome = 'resumed' | 'already_enabled' | 'would_resume';

/** One campaign's outcome in one run: the assessment plus what became of its action. */
export interface ResultRow extends Assessment {
  runId: string;
  status: RowStatus;
  escalationId: string | null;
  /** What acting on the row did, in words (pause done, already paused, failed: …). */
  actionNote: string | null;
  /** What a halt did on the platform: only `paused` means the agent paused it (and may offer to undo it). */
  pause: PauseOutcome | 'failed' | null;
  /**
   * Whether this run tells people about the row (SPEC, No alert fatigue): `new` — not announced before (or it
   * had resolved since); `changed` — its severity, action or pause changed, or its variance moved 5 points or
   * more since it was last announced; `repeat` — announced before and nothing that matters changed (not posted
   * again). Null for rows nobody is told about (healthy, logged, awaiting a decision).
   */
  notice?: Notice | null | undefined;
  /** The daily-budget change that would land the flight (SPEC, Steering budgets); null when the row gets none. */
  budgetProposal?: BudgetProposal | null | undefined;
  /** The daily budget this run changed (or tried to): set only on such rows. */
  budgetChange?: BudgetChange | null | undefined;
  /** The pool rebalance question this run asked with the row among its changes; set only on such rows. */
  poolEscalationId?: string | null | undefined;
  /**
   * The analyst's note a model wrote on the row, checked against its evidence (SPEC, Explanations); null when
   * none was asked for, or the answer was dropped. Advisory: it never changes the decision.
   */
  explanation?: Explanation | null | undefined;
}

/** `would_change`: a dry run, nothing changed on the platform; `failed`: refused or not confirmed by a read-back. */
export type BudgetChangeStatus = 'changed' | 'unchanged' | 'would_change' | 'failed';

export interface BudgetChange {
  from: number;
  to: number;
  status: BudgetChangeStatus;
}

export type Notice = 'new' | 'changed' | 'repeat';

export type EscalationStatus = 'pending' | 'approved' | 'overridden' | 'expired';
export type Decision = 'approved' | 'overridden' | 'expired';

/** Why a batch escalation gathers many campaigns into one question. */
/** `budget`: daily-budget changes over MAX_AUTONOMOUS_BUDGET_CHANGES; `pool`: one pool's rebalance. */
export type BatchKind = 'data_fault' | 'halt_budget' | 'orphans' | 'budget' | 'pool';

/** One campaign of a batch escalation, with the figures its message shows. */
export interface BatchMember {
  key: string;
  campaignId: string | null;
  campaignName: string | null;
  platform: Platform;
  platformCampaignId: string | null;
  platformCampaignName: string | null;
  currency: string | null;
  targetSpend: number | null;
  actualSpend: number | null;
  variancePct: number | null;
  /** A later run found it no longer needs the proposal: approving the batch leaves it alone. */
  dropped: boolean;
  /** For a budget or pool batch: the daily-budget change approving makes to this member. */
  budget?: { from: number; to: number; currency: string | null } | null;
}

export interface Escalation {
  id: string;
  runId: string;
  key: string;
  campaignId: string | null;
  platform: Platform;
  platformCampaignId: string | null;
  proposedAction: ProposedAction;
  reason: string;
  status: EscalationStatus;
  outcome: 'done' | 'failed' | null;
  outcomeDetail: string | null;
  createdAt: string;
  expiresAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  threadId: string;
  /** The result row as it was when the escalation was raised (for a batch: its biggest member), for messages. */
  snapshot: ResultRow;
  /** Set on a batch escalation: why it gathers campaigns, and its members, biggest money at stake first. */
  batch: EscalationBatch | null;
}

/** A batch escalation's campaigns; a pool's rebalance also keeps the pool's figures as the run asking found them. */
export interface EscalationBatch {
  kind: BatchKind;
  members: BatchMember[];
  /** For kind `pool`: its total, spend so far, and where it ends before and after the changes. */
  pool?: PoolFigures | undefined;
}

/** A pool's rebalance without its changes (those are the batch's members): what its card shows beside them. */
export type PoolFigures = Omit<PoolRebalance, 'changes'>;

/** What the notifier is told when an escalation is settled. */
export interface EscalationClosed {
  escalation: Escalation;
  decision: Decision;
  actor: string;
  outcome: 'done' | 'failed';
  detail: string;
}

export interface RunSummary {
  rows: number;
  invalidRows: number;
  orphans: number;
  bySeverity: { healthy: number; warning: number; critical: number; none: number };
  byAction: { log: number; alert: number; escalate: number; halt: number };
  byStatus: Partial<Record<RowStatus, number>>;
  platforms: Record<string, { campaigns: number; ok: boolean; source: string }>;
  comparisons: number;
  durationMs: number;
  /** Rows a safety guard held back from acting alone, by guard. */
  guarded?: Record<string, number>;
  /** Batch escalations opened by this run. */
  batches?: number;
  /** Each budget pool's rebalance at this run's figures (SPEC, Pools: what `optimise` prints). */
  pools?: PoolRebalance[];
  /** The analyst's notes this run (SPEC, Explanations): set only when a model is configured. */
  explanations?: ExplanationTotals;
}

export interface PlatformFailure {
  platform: string;
  message: string;
}

export interface RunRecord {
  id: string;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'completed' | 'failed';
  trigger: string;
  actor: string;
  summary: RunSummary | null;
  errors: RowError[];
  platformErrors: PlatformFailure[];
  failure: string | null;
}

export type AuditType =
  | 'run_started'
  | 'run_completed'
  | 'run_failed'
  | 'row_rejected'
  | 'platform_error'
  | 'decision'
  | 'campaign_paused'
  | 'pause_skipped'
  | 'pause_failed'
  | 'pause_dry_run'
  | 'resume_dry_run'
  /** The agent decided to tell people (a new or changed alert, or an approved one); not yet delivered. */
  | 'alert_raised'
  /** Slack accepted the alert's message (written on delivery, never for one that was only decided). */
  | 'alert_sent'
  | 'escalation_opened'
  | 'escalation_linked'
  | 'escalation_approved'
  | 'escalation_overridden'
  | 'escalation_expired'
  | 'campaign_resumed'
  | 'resume_failed'
  | 'resume_skipped'
  | 'notification_failed'
  | 'override_reason'
  /** A daily budget changed (by the agent, an approval, or a person's restore: `restore: true`). */
  | 'budget_changed'
  /** Recorded before the platform is asked to change a daily budget: what was meant, should the call be lost. */
  | 'budget_change_requested'
  | 'budget_change_failed'
  /** A read-back found the daily budget already at the amount meant (nothing to change): a change that took. */
  | 'budget_confirmed'
  | 'budget_dry_run'
  /** A model's note on a row was written and kept (model, tokens; `reused` is false: a reused note is not audited again). */
  | 'explanation_added'
  /** A model's note was dropped (ungrounded, refused, failed or late): the reason; the row has no note. */
  | 'explanation_rejected'
  | 'threads_pruned'
  | 'results_pruned';

export interface AuditEvent {
  id: number;
  at: string;
  runId: string | null;
  type: AuditType;
  campaignId: string | null;
  platform: string | null;
  platformCampaignId: string | null;
  /** "agent", or the Slack user id of the person who acted. */
  actor: string;
  details: Record<string, unknown>;
}

export type NewAuditEvent = Omit<
  AuditEvent,
  'id' | 'runId' | 'campaignId' | 'platform' | 'platformCampaignId' | 'details'
> &
  Partial<Pick<AuditEvent, 'runId' | 'campaignId' | 'platform' | 'platformCampaignId' | 'details'>>;
