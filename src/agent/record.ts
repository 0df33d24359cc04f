// A run's last step: it writes down its results, its summary, each campaign's daily spend and pacing, and the
// audit events of what it decided and did, in one transaction.
import type { ExplanationTotals } from '../domain/explanation.js';
import type { PolicyOutcome } from '../domain/policy.js';
import type { PoolRebalance } from '../domain/pools.js';
import type { NewAuditEvent, PlatformFailure, ResultRow, RunSummary } from '../domain/records.js';
import type { Platform, SpendObservation } from '../domain/types.js';
import type { AgentDeps } from './deps.js';
import type { Ingested } from './ingest.js';

/** What a run read, decided and did: everything its record is written from. */
export interface FinishedRun {
  ingested: Ingested;
  /** The Levenshtein comparisons matching made. */
  comparisons: number;
  policy: PolicyOutcome;
  /** The platforms' errors, then the policy's warnings. */
  platformErrors: PlatformFailure[];
  results: ResultRow[];
  /** Campaigns (platform keys) the latest earlier run saw, with their spend then. */
  observedBefore: ReadonlyMap<string, SpendObservation>;
  /** Each campaign's recent pacing, stored with its result for the next run. */
  pacing: ReadonlyMap<string, string>;
  /** Campaigns healthy in this run and the one before: nothing to record beyond their result. */
  steady: ReadonlySet<string>;
  /** `performance.now()` when the run began: the summary's duration counts from there. */
  started: number;
  /** Each budget pool's rebalance (what `optimise` shows). */
  pools?: PoolRebalance[];
  /** The explanation step's figures, when a model is configured. */
  explanations?: ExplanationTotals | null;
}

/** Writes the run down and closes it; returns its summary. */
export async function recordRun(deps: AgentDeps, runId: string, now: string, run: FinishedRun): Promise<RunSummary> {
  const summary = summarise(run, deps);
  const at = deps.clock();
  const { ingested, observedBefore } = run;
  // Each campaign's daily series, but for those whose spend is unchanged since the latest run (their days are
  // stored already): looked up once each here, rather than twice in the store with the key built each time.
  const series: {
    platform: Platform;
    platformCampaignId: string;
    days: Readonly<Record<string, number>>;
    spend: number;
  }[] = [];
  for (const c of ingested.campaigns) {
    if (!c.spendByDay || observedBefore.get(`${c.platform}:${c.id}`)?.actualSpend === c.spend) continue;
    series.push({ platform: c.platform, platformCampaignId: c.id, days: c.spendByDay, spend: c.spend });
  }
  await deps.store.bulkTransaction(async (tx) => {
    await tx.runs.complete(runId, at, summary, ingested.errors, run.platformErrors, run.results, run.pacing);
    await tx.runs.saveDailySpend(
      series,
      new Date(Date.parse(now) - 86_400_000).toISOString().slice(0, 10),
      (platform, id) => observedBefore.has(`${platform}:${id}`),
    );
    await tx.runs.syncWithEscalations(runId);
    await tx.audit.appendAll(runEvents(run, runId, at, summary));
  });
  return summary;
}

/** The run's audit events: bad rows, platform errors, decisions that matter, alerts raised, the summary. */
function runEvents(w: FinishedRun, runId: string, at: string, summary: RunSummary): NewAuditEvent[] {
  return [
    ...w.ingested.errors.map((e) => ({
      at,
      runId,
      type: 'row_rejected' as const,
      actor: 'agent',
      details: { line: e.line, message: e.message },
    })),
    ...w.platformErrors.map((e) => ({
      at,
      runId,
      type: 'platform_error' as const,
      platform: e.platform,
      actor: 'agent',
      details: { message: e.message },
    })),
    // A campaign on plan run after run has its result in every run; the trail records what changed or
    // what the agent did (an event per steady row was 10,000 events and 3 MB a run at scale).
    ...w.results
      .filter((r) => !(w.steady.has(r.key) && r.action === 'log' && r.status === 'done' && r.rootCause.length === 0))
      .map((r) => ({
        at,
        runId,
        type: 'decision' as const,
        campaignId: r.campaignId,
        platform: r.platform,
        platformCampaignId: r.platformCampaignId,
        actor: 'agent',
        details: decisionDetails(r),
      })),
    ...w.results
      // Decided, not delivered: the Slack dispatcher writes `alert_sent` when Slack accepts the message.
      .filter((r) => r.notice === 'new' || r.notice === 'changed')
      .map((r) => ({
        at,
        runId,
        type: 'alert_raised' as const,
        campaignId: r.campaignId,
        platform: r.platform,
        platformCampaignId: r.platformCampaignId,
        actor: 'agent',
        details: { severity: r.severity, variancePct: r.variancePct, notice: r.notice, pause: r.pause },
      })),
    { at, runId, type: 'run_completed' as const, actor: 'agent', details: { ...summary } },
  ];
}

function summarise(w: FinishedRun, deps: AgentDeps): RunSummary {
  const { ingested } = w;
  const bySeverity = { healthy: 0, warning: 0, critical: 0, none: 0 };
  const byAction = { log: 0, alert: 0, escalate: 0, halt: 0 };
  const byStatus: RunSummary['byStatus'] = {};
  for (const r of w.results) {
    bySeverity[r.severity ?? 'none']++;
    byAction[r.action]++;
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  }
  const platforms: RunSummary['platforms'] = {};
  for (const p of deps.platforms.values()) {
    platforms[p.platform] = {
      campaigns: ingested.campaigns.filter((c) => c.platform === p.platform).length,
      ok: !ingested.unavailable.has(p.platform),
      source: p.description,
    };
  }
  return {
    guarded: w.policy.guarded,
    batches: w.policy.batches.length,
    rows: ingested.plan.length,
    invalidRows: ingested.errors.length,
    orphans: w.results.filter((r) => r.campaignId === null).length,
    bySeverity,
    byAction,
    byStatus,
    platforms,
    comparisons: w.comparisons,
    durationMs: Math.round(performance.now() - w.started),
    ...(w.pools?.length ? { pools: w.pools } : {}),
    ...(w.explanations ? { explanations: w.explanations } : {}),
  };
}

function decisionDetails(r: ResultRow): Record<string, unknown> {
  if (r.action === 'log' && r.rootCause.length === 0) {
    return { action: r.action, status: r.status, variancePct: r.variancePct, confidence: r.confidence };
  }
  return {
    action: r.action,
    status: r.status,
    proposedAction: r.proposedAction,
    reason: r.reason,
    variancePct: r.variancePct,
    severity: r.severity,
    confidence: r.confidence,
    confidenceParts: r.confidenceParts,
    zeroDelivery: r.zeroDelivery,
    escalationId: r.escalationId,
    rootCause: r.rootCause.map((c) => c.code),
    actionNote: r.actionNote,
  };
}
