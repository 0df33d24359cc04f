// What the policy decides, as data: one intent per row, the batch questions, the questions to close.
import type { Assessment } from './assess.js';
import type { AuditEvent, BatchKind } from './records.js';
import type { CauseCode, Platform, ProposedAction } from './types.js';

/** A question awaiting an approver; a batch's members all point at their batch. */
export interface OpenQuestion {
  id: string;
  proposedAction: ProposedAction;
  createdAt: string;
  batch: boolean;
  /** A batch's kind: a growing storm or orphan trickle joins the open batch of its kind instead of a second one. */
  kind?: BatchKind | null;
}

/** The latest thing a person decided about a campaign. */
export interface HumanDecision {
  kind: 'approved' | 'rejected' | 'resumed';
  actor: string;
  at: string;
  /** What was proposed (approvals and rejections); null for a resume. */
  proposedAction: ProposedAction | null;
  escalationId: string | null;
  /** The campaign's figures when the person decided, to tell whether it has got worse since. */
  variancePct: number | null;
  actualSpend: number | null;
}

/**
 * A person's resume from the audit trail as a decision, with the keys it is remembered under (the platform's, and
 * the plan's when the campaign is matched); null for an event that names no platform campaign.
 */
export function resumeDecision(e: AuditEvent): { keys: string[]; decision: HumanDecision } | null {
  if (e.platform === null || e.platformCampaignId === null) return null;
  const figure = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  return {
    keys: [`${e.platform}:${e.platformCampaignId}`, ...(e.campaignId === null ? [] : [`plan:${e.campaignId}`])],
    decision: {
      kind: 'resumed',
      actor: e.actor,
      at: e.at,
      proposedAction: null,
      escalationId: null,
      variancePct: figure(e.details.variancePct),
      actualSpend: figure(e.details.actualSpend),
    },
  };
}

export interface Memory {
  /** Open questions by campaign key. */
  open: ReadonlyMap<string, OpenQuestion>;
  /** People's latest decisions within HUMAN_DECISION_HOURS, by campaign key or platform key (`google:123`). */
  decisions: ReadonlyMap<string, HumanDecision>;
  /** Platforms read completely this run: only there can a missing orphan be taken as gone. */
  complete: ReadonlySet<Platform>;
}

export type Intent =
  | { do: 'log' }
  | { do: 'alert' }
  /** Pause alone (a campaign already paused is only noted). */
  | { do: 'pause' }
  /** Ask an approver; `supersedes` is an open milder question this one replaces. */
  | { do: 'ask'; proposed: ProposedAction; supersedes: string | null }
  /** Already asked: point at the open question. */
  | { do: 'wait'; escalationId: string }
  /** Asked and answered recently: the answer stands. */
  | { do: 'answered'; escalationId: string; status: 'approved' | 'overridden'; note: string }
  /** One of many: asked in batch number `batch`. */
  | { do: 'batch'; batch: number }
  /** Could not be assessed (platform data missing, plan row invalid): nothing to do, reported as failed. */
  | { do: 'report' };

export interface DecidedRow {
  row: Assessment;
  intent: Intent;
}

export interface Batch {
  kind: BatchKind;
  /** What the batch is about: an account, or the run. */
  scope: string;
  proposed: ProposedAction;
  reason: string;
  /** Indices into `rows`, biggest money at stake first. */
  members: number[];
  /** An open batch escalation these members join (the same storm or trickle, grown), instead of a new question. */
  joins?: string | null;
}

export interface QuestionToClose {
  escalationId: string;
  /** The campaign key the question was about (for a batch: its own key). */
  key: string;
  note: string;
}

export interface PolicyOutcome {
  rows: DecidedRow[];
  batches: Batch[];
  /** Open questions that no longer stand. */
  close: QuestionToClose[];
  /** Members of open batches that no longer need the proposal, by batch id. */
  drop: { escalationId: string; key: string }[];
  /** Said about the run's data, e.g. an account whose data looks faulty. */
  warnings: { platform: Platform; message: string }[];
  /** Rows each guard held back. */
  guarded: Partial<Record<CauseCode, number>>;
}
