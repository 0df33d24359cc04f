// One pacing cycle, step by step under the run lock: lock → ingest → reconcile → assess → decide → apply → record
// → the escalation threads it closed or opened → unlock. Each step takes what the steps before it returned and
// returns its own result. `decide` is the policy (what the agent may do alone, domain/policy.ts); `apply` does it
// through the effects. ("Plan" is the tracker's plan only.)
// The cycle is plain functions, not a LangGraph graph: it never waits on a person and is never resumed, and its
// bulk data (thousands of rows) must not be checkpointed, so a graph bought nothing but a hidden hallway. The
// escalation threads, which do wait at an interrupt and resume, are graphs (escalation.ts).
import { type Assessment, assessReconciled } from '../domain/assess.js';
import { campaignHistories } from '../domain/history.js';
import { type Reconciliation, reconcile } from '../domain/match.js';
import { decidePolicy, type PolicyOutcome } from '../domain/policy.js';
import type { PlatformFailure, ResultRow, RunSummary } from '../domain/records.js';
import type { SpendObservation } from '../domain/types.js';
import { asPacingError, RunInProgress } from '../errors.js';
import { type Applied, apply } from './apply.js';
import { type AgentDeps, type CycleStep, guardSettings, newId } from './deps.js';
import { announce } from './effects/index.js';
import { type EscalationGraph, resumeEscalation, startEscalations } from './escalation.js';
import { explainRows } from './explain.js';
import { type Ingested, ingest } from './ingest.js';
import { loadMemory } from './memory.js';
import type { Plan, Progress } from './ports.js';
import { recordRun } from './record.js';
import { applySteering, planSteering } from './steer.js';

export interface RunReport {
  runId: string;
  startedAt: string;
  results: ResultRow[];
  errors: Plan['errors'];
  platformErrors: PlatformFailure[];
  summary: RunSummary;
}

/** Runs one cycle under the run lock; a second run while one is in progress is refused. */
export async function runCycle(
  deps: AgentDeps,
  escalations: EscalationGraph,
  trigger: string,
  actor: string,
): Promise<RunReport> {
  const runId = (deps.newId ?? newId)('run');
  const progress = deps.progress ?? (() => {});
  const startedAt = deps.clock();
  const lock = await takeRunLock(deps, runId, startedAt);
  const started = performance.now();
  const lap = stepTimer(deps);
  let applied: Applied | null = null;
  try {
    await deps.store.runs.failAbandoned(startedAt, null);
    await deps.store.runs.start({ id: runId, startedAt, trigger, actor });
    await deps.store.audit.append({ at: startedAt, runId, type: 'run_started', actor, details: { trigger } });
    let report: RunReport;
    try {
      const ingested = await ingest(deps, startedAt, progress);
      // Reading platforms may take long (quota waits): the run is alive, its lease is renewed.
      await lock.renew();
      lap('ingest');
      const reconciliation = match(ingested, progress);
      lap('reconcile');
      const assessed = await assess(deps, ingested, reconciliation, startedAt);
      lap('assess');
      const policy = await decide(deps, ingested, assessed.assessments, startedAt);
      const budgetPlan = await planSteering(deps, policy, ingested.plan, ingested.campaigns, startedAt);
      lap('decide');
      // Before acting: a run that lost its lock (its replica's connection dropped, another may have started)
      // stops here rather than pause or ask beside the other.
      await lock.renew();
      applied = await apply(deps, runId, policy, progress);
      // The budget lever acts once the rows have been acted on: a row being halted has no proposal to act on.
      const steered = await applySteering(deps, runId, budgetPlan, applied.results, (p) => (deps.newId ?? newId)(p));
      applied.opened.push(...steered.opened);
      applied.closed.push(...steered.closed);
      // The analyst's notes, once every row has been acted on (a slow model never delays a pause) and before people
      // are told (the messages carry them); within its own deadline.
      const explanations = await explainRows(deps, runId, applied.results, applied.opened);
      // Told once every step has acted, so the summary counts the budget and pool questions too (one definition).
      await announce(deps, runId, applied.alerts, applied.results, new Set(applied.opened.map((e) => e.id)));
      lap('apply');
      const platformErrors = [...ingested.platformErrors, ...policy.warnings];
      const summary = await recordRun(deps, runId, startedAt, {
        ingested,
        comparisons: reconciliation.comparisons,
        policy,
        platformErrors,
        results: applied.results,
        observedBefore: assessed.observedBefore,
        pacing: assessed.pacing,
        steady: assessed.steady,
        started,
        pools: budgetPlan.pools.rebalances,
        explanations,
      });
      lap('record');
      report = { runId, startedAt, results: applied.results, errors: ingested.errors, platformErrors, summary };
    } finally {
      // Questions the run closed get their outcome (the thread ends as expired, nothing done), even when a
      // later step of the run failed: their Slack message must not keep live buttons.
      for (const e of applied?.closed ?? []) {
        await resumeEscalation(escalations, e, {
          decision: 'expired',
          actor: 'agent',
          at: startedAt,
          note: e.decisionNote,
        });
      }
    }
    // Each escalation gets its own thread, which announces it and waits at its interrupt.
    await startEscalations(deps, escalations, applied.opened, (done, total) =>
      progress('asking approvers', done, total),
    );
    return report;
  } catch (err) {
    const message = asPacingError(err).message;
    await deps.store.runs.fail(runId, deps.clock(), message);
    await deps.store.audit.append({
      at: deps.clock(),
      runId,
      type: 'run_failed',
      actor: 'agent',
      details: { error: message },
    });
    throw err;
  } finally {
    await lock.release();
  }
}

/** The run lock, held from before the first step until after the last: one cycle at a time, across processes. */
interface RunLock {
  /** Extends the lease: a run that is still working is not taken for a dead one. */
  renew(): Promise<void>;
  release(): Promise<void>;
}

async function takeRunLock(deps: AgentDeps, runId: string, at: string): Promise<RunLock> {
  const held = await deps.store.locks.acquire('cycle', runId, at);
  if (held)
    throw new RunInProgress(
      held.holder,
      held.acquiredAt,
      held.pid,
      held.expiresAt === null ? null : new Date(held.expiresAt).toISOString(),
    );
  return {
    renew: () => deps.store.locks.renew('cycle', runId),
    release: () => deps.store.locks.release('cycle', runId),
  };
}

/** Tells `deps.onStep` how long each step took since the one before it (since the start, for the first). */
function stepTimer(deps: AgentDeps): (step: CycleStep) => void {
  let since = performance.now();
  return (step) => {
    const at = performance.now();
    deps.onStep?.(step, at - since);
    since = at;
  };
}

/** Pairs plan rows with platform campaigns; rows on a platform that could not be read are left out. */
function match(ingested: Ingested, progress: Progress): Reconciliation {
  const rows = ingested.plan.length;
  progress('matching campaigns', 0, rows);
  const reconciliation = reconcile(
    ingested.plan.filter((r) => !ingested.unavailable.has(r.platform)),
    ingested.campaigns,
  );
  progress('matching campaigns', rows, rows);
  return reconciliation;
}

interface Assessed {
  /** Every row, each with how it paced over its last runs (this one included). */
  assessments: Assessment[];
  /** Campaigns (platform keys) the latest earlier run saw, with their spend then. */
  observedBefore: ReadonlyMap<string, SpendObservation>;
  /** Each campaign's recent pacing, stored with its result for the next run. */
  pacing: Map<string, string>;
  /** Campaigns healthy in this run and the one before. */
  steady: Set<string>;
}

/** Scores, measures and explains every row against what the latest earlier run saw. */
async function assess(
  deps: AgentDeps,
  ingested: Ingested,
  reconciliation: Reconciliation,
  now: string,
): Promise<Assessed> {
  const before = await deps.store.runs.previousRun();
  const assessments = assessReconciled(reconciliation, {
    plan: ingested.plan,
    campaigns: ingested.campaigns,
    unavailable: ingested.unavailable,
    incomplete: ingested.incomplete,
    unusable: ingested.unusable,
    rejected: ingested.rejected,
    now,
    thresholds: deps.thresholds,
    history: (key) => {
      const h = before.observations.get(key);
      return h ? [h] : [];
    },
  });
  const { histories, pacing, steady } = campaignHistories(assessments, before.pacing, now);
  // The rows were made just above and nothing else holds them: filled in place, since copying 10,000 rows of 40
  // keys each costs more than the rest of this step.
  for (let i = 0; i < assessments.length; i++) (assessments[i] as Assessment).history = histories[i] ?? null;
  return { assessments, observedBefore: before.observations, pacing, steady };
}

/** The policy: what the agent may do alone with each row, given what the store remembers. */
async function decide(
  deps: AgentDeps,
  ingested: Ingested,
  assessments: Assessment[],
  now: string,
): Promise<PolicyOutcome> {
  const settings = guardSettings(deps);
  const complete = new Set(
    [...deps.platforms.keys()].filter((p) => !ingested.unavailable.has(p) && !ingested.incomplete.has(p)),
  );
  return decidePolicy(assessments, await loadMemory(deps, now, settings.humanDecisionHours, complete), settings, now);
}
