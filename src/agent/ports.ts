// What the agent needs from the outside world, and the records it produces; adapters implement these.
import type { Assessment } from '../domain/assess.js';
import type {
  CampaignStatus,
  PlanRow,
  Platform,
  PlatformCampaign,
  ProposedAction,
  RejectedRow,
  RowStatus,
} from '../domain/types.js';

/** A plan row that failed validation. */
export interface RowError {
  /** Line in the file, the header being line 1. */
  line: number;
  message: string;
}

export interface Plan {
  rows: PlanRow[];
  errors: RowError[];
  /** Who the invalid rows were about, where that could be read: their campaigns are planned, not orphans. */
  rejected?: RejectedRow[];
}

/** Where the plan comes from: tracker.csv now, other trackers later. Throws DataError when unreadable. */
export interface PlanSource {
  readonly description: string;
  read(): Promise<Plan>;
}

/** One campaign's outcome in one run: the assessment plus what became of its action. */
export interface ResultRow extends Assessment {
  runId: string;
  status: RowStatus;
  escalationId: string | null;
  /** What acting on the row did, in words (pause done, already paused, failed: …). */
  actionNote: string | null;
  /** What a halt did on the platform: only `paused` means the agent paused it (and may offer to undo it). */
  pause: PauseOutcome | 'failed' | null;
}

export interface PlatformSnapshot {
  campaigns: PlatformCampaign[];
  /** Campaigns the platform returned but that could not be used, each with its reason. */
  errors: string[];
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

/** `would_pause`: a dry run, nothing changed on the platform. */
export type PauseOutcome = 'paused' | 'already_paused' | 'would_pause';
export type ResumeOutcome = 'resumed' | 'already_enabled' | 'would_resume';

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
}

export type EscalationStatus = 'pending' | 'approved' | 'overridden' | 'expired';
export type Decision = 'approved' | 'overridden' | 'expired';

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
  /** The result row as it was when the escalation was raised, for messages. */
  snapshot: ResultRow;
}

/** What the notifier is told when an escalation is settled. */
export interface EscalationClosed {
  escalation: Escalation;
  decision: Decision;
  actor: string;
  outcome: 'done' | 'failed';
  detail: string;
}

/** Where alerts, escalations and their outcomes go: Slack in the app, the terminal in the CLI. */
export interface Notifier {
  alert(row: ResultRow): Promise<void>;
  escalationOpened(escalation: Escalation): Promise<void>;
  escalationClosed(closed: EscalationClosed): Promise<void>;
}

export type Progress = (stage: string, done: number, total: number) => void;
