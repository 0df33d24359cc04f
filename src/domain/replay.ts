// What a stored run would have done under other settings (SPEC, Replay): each stored row is judged again by the
// matrix (decision.ts) and the policy (policy.ts) — the very functions a run uses — and compared with what the run
// did. Pure: the rows, what the store remembered then (replay-memory.ts) and the settings come in, counts go out.
import type { Assessment } from './assess.js';
import { dataAgeHours, freshnessScore } from './confidence.js';
import { decide, type Verdict } from './decision.js';
import { round2 } from './money.js';
import { decidePolicy, type GuardSettings, type Memory } from './policy.js';
import type { ResultRow } from './records.js';
import { byStake, spendComparable } from './stake.js';
import type { Action, Cause, Thresholds } from './types.js';
import { severityOf } from './variance.js';

export type ActionCounts = Record<Action, number>;

/** One campaign whose action would change. */
export interface ReplayChange {
  campaignId: string | null;
  platform: ResultRow['platform'];
  platformCampaignId: string | null;
  campaignName: string | null;
  then: Action;
  now: Action;
  /** What an escalation would propose now (null unless `now` is escalate). */
  proposedAction: Assessment['proposedAction'];
  /** Why the row gets `now`, in the policy's words. */
  reason: string;
  /**
   * |actual − target|: the money the change is about, in `currency`; the spend itself when it cannot be compared
   * with a plan (no plan, or spend in another currency than the plan).
   */
  atStake: number;
  currency: string | null;
}

export interface RunReplay {
  then: ActionCounts;
  now: ActionCounts;
  /** Most at stake first: the largest share of the flight's budget off plan, whatever the currency (stake.ts). */
  changed: ReplayChange[];
}

/** The matrix's and the guards' settings: everything a replay may change. */
export interface ReplaySettings {
  thresholds: Thresholds;
  guards: GuardSettings;
}

/**
 * The stored rows of one run decided again at the run's own time (`now`, its start), with what the store
 * remembered then. A row keeps everything the run measured (spend, target, variance, confidence and its parts,
 * zero delivery, data age, flight, currencies, history); only what the settings decide is decided again.
 */
export function replayRun(rows: Iterable<ResultRow>, memory: Memory, settings: ReplaySettings, now: string): RunReplay {
  // Each stored row is judged again as it is read: only its action then and the judgement are kept.
  const before: Action[] = [];
  const assessments: Assessment[] = [];
  for (const r of rows) {
    before.push(r.action);
    assessments.push(reassess(r, settings.thresholds, now));
  }
  const outcome = decidePolicy(assessments, memory, settings.guards, now);
  const then = noActions();
  const counts = noActions();
  const changed: { change: ReplayChange; row: Assessment }[] = [];
  before.forEach((was, i) => {
    const decided = outcome.rows[i]?.row ?? (assessments[i] as Assessment);
    then[was]++;
    counts[decided.action]++;
    if (decided.action === was) return;
    const comparable = spendComparable(decided) && decided.targetSpend !== null;
    const spent = decided.actualSpend ?? 0;
    const change: ReplayChange = {
      campaignId: decided.campaignId,
      platform: decided.platform,
      platformCampaignId: decided.platformCampaignId,
      campaignName: decided.campaignName ?? decided.platformCampaignName,
      // biome-ignore lint/suspicious/noThenProperty: SPEC names it so; a change is data, never awaited.
      then: was,
      now: decided.action,
      proposedAction: decided.action === 'escalate' ? decided.proposedAction : null,
      reason: decided.reason,
      atStake: round2(comparable ? Math.abs(spent - (decided.targetSpend ?? 0)) : spent),
      currency: decided.platformCurrency ?? decided.currency,
    };
    changed.push({ change, row: decided });
  });
  changed.sort((a, b) => byStake(a.row, b.row));
  return { then, now: counts, changed: changed.map((c) => c.change) };
}

export const noActions = (): ActionCounts => ({ log: 0, alert: 0, escalate: 0, halt: 0 });

/**
 * How many campaigns would change over some runs, each counted once however many runs it changes in, and how many
 * run-decisions that is: thirty hourly runs must not read as thirty times the campaigns there are.
 */
export function changeCounts(runs: readonly { changed: readonly ReplayChange[] }[]): {
  campaigns: number;
  decisions: number;
} {
  const campaigns = new Set(
    runs.flatMap((r) => r.changed.map((c) => c.campaignId ?? `${c.platform}:${c.platformCampaignId}`)),
  );
  return { campaigns: campaigns.size, decisions: runs.reduce((n, r) => n + r.changed.length, 0) };
}

/** Causes the policy or the acting added after the matrix: the replay's policy adds its own again. */
const afterMatrix = (code: string): boolean =>
  code.startsWith('guard_') || code === 'already_paused' || code === 'pause_failed';

/** The row as the matrix judges it under `t`, before any guard: what `assess` would have made of it. */
export function reassess(r: ResultRow, t: Thresholds, now: string): Assessment {
  const rootCause = r.rootCause.filter((c) => !afterMatrix(c.code));
  const mitigation = r.mitigation.filter((m) => !afterMatrix(m.cause));
  const { confidence, confidenceParts } = rescored(r, t.freshnessHours, now);
  const severity = severityOf(r.variancePct, t);
  // A campaign the run paused itself is stored paused; when the run decided, it was not (or it would not have
  // paused it): judged as it stood then, it counts toward MAX_AUTONOMOUS_HALTS and a storm's in-flight campaigns.
  const platformStatus = r.pause === 'paused' && r.platformStatus === 'PAUSED' ? 'ENABLED' : r.platformStatus;
  const row: Assessment = { ...r, platformStatus, confidence, confidenceParts, severity, rootCause, mitigation };
  const verdict = verdictOf(row, rootCause, t);
  if (verdict) {
    row.action = verdict.action;
    row.proposedAction = verdict.proposedAction;
    row.reason = verdict.reason;
  }
  return row;
}

/**
 * The matrix's verdict on a stored row; null for rows whose verdict no setting changes (an invalid plan row, data
 * the platform sent unusable): they keep the run's.
 */
function verdictOf(r: Assessment, causes: readonly Cause[], t: Thresholds): Verdict | null {
  const has = (code: Cause['code']) => causes.some((c) => c.code === code);
  if (has('platform_unavailable')) return decide({ kind: 'platform_unavailable', platform: r.platform }, t);
  if (r.campaignId === null)
    return has('plan_row_invalid') ? null : decide({ kind: 'orphan', actualSpend: r.actualSpend ?? 0 }, t);
  if (r.platformCampaignId === null) return has('platform_data_unusable') ? null : decide({ kind: 'unmatched' }, t);
  if (has('platform_data_unusable')) return null;
  // The stored target is rounded to cents: a target of a fraction of a cent is still a plan (it has a variance).
  const target = r.targetSpend === 0 && r.variancePct !== null ? Number.EPSILON : (r.targetSpend ?? 0);
  return decide(
    {
      kind: 'matched',
      planCurrency: r.planCurrency,
      platformCurrency: r.platformCurrency,
      targetSpend: target,
      actualSpend: r.actualSpend ?? 0,
      variancePct: r.variancePct,
      severity: r.severity,
      zeroDelivery: r.zeroDelivery,
      confidence: r.confidence,
    },
    t,
  );
}

/**
 * Confidence with the freshness part scored under `freshnessHours` from the data's exact age at the run. Unchanged
 * when that part scores as it did (the stored total is exact; the parts are rounded).
 */
function rescored(
  r: ResultRow,
  freshnessHours: number,
  now: string,
): Pick<Assessment, 'confidence' | 'confidenceParts'> {
  const same = { confidence: r.confidence, confidenceParts: r.confidenceParts };
  if (r.matchedBy === null) return same;
  const age = r.fetchedAt ? dataAgeHours(r.fetchedAt, now) : r.dataAgeHours;
  if (age === null) return same;
  const fresh = freshnessScore(age, freshnessHours);
  if (round2(fresh) === r.confidenceParts.freshness) return same;
  const parts = { ...r.confidenceParts, freshness: round2(fresh) };
  return { confidence: round2(parts.metadata + parts.name + fresh), confidenceParts: parts };
}
