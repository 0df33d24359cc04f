// The scheduled digest: where spend stands in the latest run and what changed since the last digest, gathered
// from runs, escalations and the audit trail.
import type { Reads } from '../agent/reads.js';
import { proposalTotals } from '../domain/budget-outlook.js';
import {
  biggestVariances,
  chronicOffenders,
  forecastMisses,
  type MoneyAtStake,
  moneyAtStake,
  type RunChanges,
  runChanges,
} from '../domain/overview.js';
import type { Escalation, ResultRow, RunSummary } from '../domain/records.js';
import { asItStands } from '../domain/standing.js';
import { DEFAULT_THRESHOLDS } from '../domain/types.js';

/** How many overspends and underspends the digest lists. */
const BIGGEST = 5;

export interface Digest {
  /** When the previous digest went out to this channel (null for the first one). */
  since: string | null;
  until: string;
  /** Runs completed since the previous digest. */
  runs: number;
  /** The latest run completed by `until` (it may be older than `since`: then nothing ran in between). */
  latestRunId: string | null;
  latestAt: string | null;
  latest: RunSummary | null;
  actions: {
    paused: number;
    alerts: number;
    escalated: number;
    approved: number;
    overridden: number;
    expired: number;
    resumed: number;
  };
  /** Oldest first. */
  pending: Escalation[];
  expired: Escalation[];
  /** The latest run's off-plan money, per currency. */
  moneyAtStake: MoneyAtStake[];
  overspends: ResultRow[];
  underspends: ResultRow[];
  /**
   * Against the run that was the latest when the previous digest went out; null when there is none to compare
   * with (the first digest, or that run's results were pruned).
   */
  changes: (RunChanges & { baselineRunId: string; baselineAt: string }) | null;
  chronic: ResultRow[];
  forecastMisses: ResultRow[];
  /** Every row of the latest run (the chart picks from them). */
  results: ResultRow[];
  /**
   * The latest run's daily-budget proposals the agent could carry out, and the plan budgets of the flights they
   * would land, per currency (advice on shared or lifetime budgets is not counted).
   */
  budgetProposals?: { count: number; budgets: { currency: string | null; amount: number }[] };
}

export interface DigestOptions {
  /** The healthy band (percent): a forecast beyond it misses its budget. */
  healthyVariance?: number;
}

/** What the digest reads of the agent's state. */
export type DigestReads = Pick<
  Reads,
  'runsCompletedSince' | 'latestCompletedBy' | 'results' | 'auditCounts' | 'decidedSince' | 'pending'
>;

export async function buildDigest(
  reads: DigestReads,
  since: string | null,
  until: string,
  opts: DigestOptions = {},
): Promise<Digest> {
  const runs = (await reads.runsCompletedSince(since)).filter((r) => (r.finishedAt ?? r.startedAt) <= until);
  const latest = await reads.latestCompletedBy(until);
  // Each row as it stands now: an approved pause is a paused campaign, with the forecast of one.
  const results = latest ? (await reads.results(latest.id)).map(asItStands) : [];
  const counts = await reads.auditCounts(since, until);
  const count = (type: string) => counts[type] ?? 0;
  const decided = await reads.decidedSince(since);
  return {
    since,
    until,
    runs: runs.length,
    latestRunId: latest?.id ?? null,
    latestAt: latest?.startedAt ?? null,
    latest: latest?.summary ?? null,
    actions: {
      paused: count('campaign_paused'),
      alerts: count('alert_sent'),
      escalated: count('escalation_opened'),
      approved: count('escalation_approved'),
      overridden: count('escalation_overridden'),
      expired: count('escalation_expired'),
      resumed: count('campaign_resumed'),
    },
    pending: await reads.pending(),
    expired: decided.filter((e) => e.status === 'expired' && (e.decidedAt ?? '') <= until),
    moneyAtStake: moneyAtStake(results),
    overspends: biggestVariances(results, 'over', BIGGEST),
    underspends: biggestVariances(results, 'under', BIGGEST),
    changes: latest && since ? await changesSince(reads, since, results) : null,
    chronic: chronicOffenders(results),
    forecastMisses: forecastMisses(results, opts.healthyVariance ?? DEFAULT_THRESHOLDS.healthyVariance),
    results,
    budgetProposals: budgetProposalsOf(results),
  };
}

function budgetProposalsOf(results: readonly ResultRow[]): NonNullable<Digest['budgetProposals']> {
  const { count, budgets } = proposalTotals(results);
  return { count, budgets: [...budgets].map(([currency, amount]) => ({ currency: currency || null, amount })) };
}

async function changesSince(reads: DigestReads, since: string, now: ResultRow[]): Promise<Digest['changes']> {
  const baseline = await reads.latestCompletedBy(since);
  if (!baseline) return null;
  const then = await reads.results(baseline.id);
  if (then.length === 0) return null;
  return { ...runChanges(then, now), baselineRunId: baseline.id, baselineAt: baseline.startedAt };
}
