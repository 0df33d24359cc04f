// `pacing replay` and `/pacing replay`: the stored runs decided again under other settings, through the reads
// alone. Nothing is written: no run, no audit event, no message, no platform call, no lock.
import type { Config } from '../config.js';
import type { ResultRow, RunRecord } from '../domain/records.js';
import type { ActionCounts, ReplayChange } from '../domain/replay.js';
import { replayRun } from '../domain/replay.js';
import { EscalationHistory, memoryAt } from '../domain/replay-memory.js';
import { fieldsBeyond } from '../store/result-codec.js';
import { guardSettings } from './deps.js';
import type { Reads } from './reads.js';

export interface ReplayQuery {
  /** The latest n runs (of those from `since` on). */
  runs?: number | undefined;
  /** YYYY-MM-DD: runs started on that day (UTC) or later. */
  since?: string | undefined;
}

export interface ReplayedRun {
  runId: string;
  startedAt: string;
  then: ActionCounts;
  now: ActionCounts;
  changed: ReplayChange[];
}

/** A run that could not be decided again, and why. */
export interface UnreplayableRun {
  runId: string;
  startedAt: string;
  reason: string;
}

export interface ReplayReport {
  /** Oldest first. */
  runs: ReplayedRun[];
  /** The overrides, as the config schema read them. */
  settings: Record<string, unknown>;
  /** Runs chosen but not replayed (results pruned, or stored by a version that did not keep what the policy needs). */
  skipped: UnreplayableRun[];
}

/** What the matrix and the guards read from a stored row: a run whose rows lack any of them is not replayed. */
const NEEDED: readonly (keyof ResultRow)[] = [
  'platformStatus',
  'currency',
  'platformCurrency',
  'planCurrency',
  'startDate',
  'endDate',
  'account',
  'matchedBy',
  'confidence',
  'confidenceParts',
  'dataAgeHours',
  'targetSpend',
  'variancePct',
  'zeroDelivery',
  'rootCause',
  'timeZone',
  'fetchedAt',
];

/**
 * Decides the chosen runs again with `config`'s settings (the overrides applied); `settings` are echoed. Yields
 * between runs: a server replaying thirty large runs still acknowledges Slack's requests meanwhile.
 */
export async function replay(
  reads: Reads,
  config: Pick<Config, 'thresholds' | 'guards'>,
  settings: Record<string, unknown>,
  query: ReplayQuery,
): Promise<ReplayReport> {
  const chosen = chooseRuns(await reads.runsCompletedSince(null), query);
  const report: ReplayReport = { runs: [], settings, skipped: [] };
  if (chosen.length === 0) return report;
  const policy = { thresholds: config.thresholds, guards: guardSettings(config) };
  // Only what any chosen run could have known: decided within HUMAN_DECISION_HOURS before the earliest, or later,
  // and created by the latest; sorted once for all the runs.
  const earliest = chosen[0] as RunRecord;
  const latest = chosen.at(-1) as RunRecord;
  const decidedAfter = new Date(Date.parse(earliest.startedAt) - policy.guards.humanDecisionHours * 3_600_000);
  const escalations = new EscalationHistory(
    await reads.escalationsAround(decidedAfter.toISOString(), latest.startedAt),
  );
  const resumes = await reads.audit({ type: 'campaign_resumed' });
  for (const run of chosen) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const width = await reads.storedWidth(run.id);
    if (width === null) {
      report.skipped.push(skip(run, 'its results are no longer stored (RESULTS_RETENTION_DAYS)'));
      continue;
    }
    // Rows stored whole (as objects) by the first versions: a field they lack is missing, not null.
    const first = width === 0 ? firstOf(await reads.resultsToReplay(run.id)) : undefined;
    const unstored =
      width === 0
        ? NEEDED.filter((f) => first?.[f] === undefined)
        : NEEDED.filter((f) => fieldsBeyond(width).includes(f));
    if (unstored.length > 0) {
      report.skipped.push(skip(run, `its rows were stored by an earlier version, without ${unstored.join(', ')}`));
      continue;
    }
    const rows = await reads.resultsToReplay(run.id);
    const memory = memoryAt(run.startedAt, run.id, escalations, resumes, policy.guards.humanDecisionHours);
    report.runs.push({ runId: run.id, startedAt: run.startedAt, ...replayRun(rows, memory, policy, run.startedAt) });
  }
  return report;
}

/** The first of `rows`; the rest are not read. */
function firstOf(rows: Iterable<ResultRow>): ResultRow | undefined {
  for (const r of rows) return r;
  return undefined;
}

const skip = (run: RunRecord, reason: string): UnreplayableRun => ({
  runId: run.id,
  startedAt: run.startedAt,
  reason,
});

/** Completed runs started on `since` (UTC) or later, the latest `runs` of them, oldest first. */
export function chooseRuns(completed: readonly RunRecord[], q: ReplayQuery): RunRecord[] {
  const from = q.since === undefined ? Number.NEGATIVE_INFINITY : Date.parse(`${q.since}T00:00:00Z`);
  const runs = completed
    .filter((r) => Date.parse(r.startedAt) >= from)
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  return q.runs === undefined ? runs : runs.slice(Math.max(0, runs.length - q.runs));
}
