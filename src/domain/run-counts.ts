// What one run did, apart from what stands: the counts a run's one-line summary gives people (CLI and Slack).
import { type MoneyAtStake, moneyAtStake } from './overview.js';
import type { ResultRow } from './records.js';

type Row = Pick<
  ResultRow,
  'action' | 'status' | 'escalationId' | 'pause' | 'notice' | 'budgetProposal' | 'poolEscalationId'
>;

export interface RunCounts {
  /** Pauses this run made (`would` in a dry run), and pauses it tried that failed. */
  paused: number;
  wouldPause: number;
  pauseFailed: number;
  /** Alerts this run tells people about; every alert when the rows do not say (`alertsKnown` false). */
  newAlerts: number;
  alertsKnown: boolean;
  /** Campaigns put to an approver by this run, in how many questions; null when it is not known which are new. */
  escalated: number | null;
  questions: number | null;
  /** Campaigns found paused before this run. */
  pausedEarlier: number;
  /** Alerts already told and unchanged: not sent again. */
  unchangedAlerts: number;
  /** Campaigns whose question is still open: from earlier runs, or all of them when `escalated` is null. */
  awaiting: number;
}

/**
 * Counts a run's rows. `opened` holds the escalations this run opened (an escalation whose runId is the run's);
 * without it, open questions are counted as awaiting, neither new nor old.
 */
export function runCounts(rows: readonly Row[], opened?: ReadonlySet<string>): RunCounts {
  const c: RunCounts = {
    paused: 0,
    wouldPause: 0,
    pauseFailed: 0,
    newAlerts: 0,
    alertsKnown: true,
    escalated: opened ? 0 : null,
    questions: opened ? 0 : null,
    pausedEarlier: 0,
    unchangedAlerts: 0,
    awaiting: 0,
  };
  const questions = new Set<string>();
  for (const r of rows) {
    if (r.pause === 'paused') c.paused++;
    else if (r.pause === 'would_pause') c.wouldPause++;
    else if (r.pause === 'failed') c.pauseFailed++;
    else if (r.pause === 'already_paused') c.pausedEarlier++;
    if (r.action === 'alert') {
      // Rows stored before the agent said what is news carry no notice: every alert counts, as it was sent.
      if (r.notice === undefined) c.alertsKnown = false;
      if (r.notice === undefined || r.notice === 'new' || r.notice === 'changed') c.newAlerts++;
      else if (r.notice === 'repeat') c.unchangedAlerts++;
    }
    // A row may be asked about twice (its pacing, and its daily budget or its pool's rebalance): one campaign.
    const asked = opened ? questionsOf(r).filter((id) => opened.has(id)) : [];
    if (asked.length) {
      c.escalated = (c.escalated ?? 0) + 1;
      for (const id of asked) questions.add(id);
    } else if (r.status === 'awaiting_approval') c.awaiting++;
  }
  if (opened) c.questions = questions.size;
  return c;
}

/** The questions a row is linked to: its pacing question, its budget question, its pool's rebalance. */
function questionsOf(r: Row): string[] {
  const ids = [r.escalationId, r.budgetProposal?.escalationId ?? null, r.poolEscalationId ?? null];
  return ids.filter((id): id is string => id !== null);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The counts in words: what this run did, what stands, and (when it is not known which are new) what waits. */
export function runCountsText(c: RunCounts): { thisRun: string[]; standing: string[]; waiting: string[] } {
  const thisRun: string[] = [];
  if (c.paused) thisRun.push(`${c.paused} paused`);
  if (c.wouldPause) thisRun.push(`${c.wouldPause} would be paused (dry run)`);
  if (c.pauseFailed) thisRun.push(plural(c.pauseFailed, 'pause failed', 'pauses failed'));
  if (c.newAlerts) thisRun.push(plural(c.newAlerts, c.alertsKnown ? 'new alert' : 'alert'));
  if (c.escalated) {
    // Fewer questions (a batch), or more (a campaign asked about its pacing and its budget): both numbers.
    const batched = c.questions !== null && c.questions !== c.escalated;
    thisRun.push(`${c.escalated} escalated${batched ? ` in ${plural(c.questions ?? 0, 'question')}` : ''}`);
  }
  const standing: string[] = [];
  if (c.pausedEarlier) standing.push(`${c.pausedEarlier} paused earlier`);
  if (c.unchangedAlerts) standing.push(plural(c.unchangedAlerts, 'alert unchanged', 'alerts unchanged'));
  const awaiting = `${c.awaiting} awaiting a decision`;
  if (c.awaiting && c.escalated !== null) standing.push(`${c.awaiting} still awaiting a decision`);
  return { thisRun, standing, waiting: c.awaiting && c.escalated === null ? [awaiting] : [] };
}

/** "This run: 1 paused, 2 new alerts, 1 escalated · Standing: 3 paused earlier, 2 still awaiting a decision". */
export function runCountsLine(c: RunCounts): string {
  const t = runCountsText(c);
  return [
    `This run: ${t.thisRun.length ? t.thisRun.join(', ') : 'nothing new'}`,
    ...(t.standing.length ? [`Standing: ${t.standing.join(', ')}`] : []),
    ...t.waiting,
  ].join(' · ');
}

/**
 * What a run adds up to, one definition for every surface (the CLI's summary, Slack's summary message, the digest,
 * the `pacing_money_at_stake` metric): its counts, and the money off plan per currency (overview.ts, moneyAtStake).
 */
export interface RunFigures {
  counts: RunCounts;
  moneyAtStake: MoneyAtStake[];
}

export function runFigures(rows: readonly ResultRow[], opened?: ReadonlySet<string>): RunFigures {
  return { counts: runCounts(rows, opened), moneyAtStake: moneyAtStake(rows) };
}
