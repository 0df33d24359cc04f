// The pacing cycle as a LangGraph graph, read top to bottom: (lock) → ingest → reconcile → assess → plan → apply
// → record. `plan` is the policy (what the agent may do alone, domain/policy.ts); `apply` does it through the
// effects. Bulk data (thousands of rows) travels in a per-run workspace, not in graph state, and lands in SQLite.
import { Annotation, END, type LangGraphRunnableConfig, START, StateGraph } from '@langchain/langgraph';
import { assessReconciled } from '../domain/assess.js';
import { withoutDuplicateIds } from '../domain/duplicates.js';
import { decodePacing, encodePacing, HISTORY_DAYS, runHistory } from '../domain/history.js';
import { type Reconciliation, reconcile } from '../domain/match.js';
import { plan as decide, type PolicyPlan } from '../domain/policy.js';
import type { PlatformFailure, RunSummary } from '../domain/records.js';
import type { PlanRow, Platform } from '../domain/types.js';
import { DataError, PlatformError, RunInProgress } from '../errors.js';
import { apply } from './apply.js';
import { type AgentDeps, guardSettings, newId } from './deps.js';
import { type EscalationGraph, resumeEscalation, startEscalation } from './escalation.js';
import { loadMemory } from './memory.js';
import type { Plan, ResultRow, SpendWindow } from './ports.js';
import { runEvents, summarise } from './record.js';
import type { Workspace } from './workspace.js';

export type { Workspace } from './workspace.js';

export interface RunReport {
  runId: string;
  startedAt: string;
  results: ResultRow[];
  errors: Plan['errors'];
  platformErrors: PlatformFailure[];
  summary: RunSummary;
}

const CycleState = Annotation.Root({
  runId: Annotation<string>(),
  now: Annotation<string>(),
  rows: Annotation<number>(),
});

type State = typeof CycleState.State;
const ws = (config: LangGraphRunnableConfig): Workspace => (config.configurable as { workspace: Workspace }).workspace;

export function buildCycleGraph(deps: AgentDeps) {
  const progress = deps.progress ?? (() => {});

  const ingest = async (s: State, config: LangGraphRunnableConfig) => {
    const w = ws(config);
    progress('reading the tracker', 0, 1);
    const plan = await deps.tracker.read();
    // Guard 8: a tracker without one valid row cannot be trusted to say what is planned; nothing is done.
    if (plan.rows.length === 0) throw untrustedTracker(deps, plan);
    const currency = deps.planCurrency ?? null;
    w.plan = currency === null ? plan.rows : plan.rows.map((r) => (r.currency === null ? { ...r, currency } : r));
    w.errors = plan.errors;
    w.rejected = plan.rejected ?? [];
    const platforms = [...deps.platforms.values()];
    const today = s.now.slice(0, 10);
    const fetched = await Promise.allSettled(
      platforms.map((p) => p.fetchCampaigns(spendWindow(w.plan, p.platform, today))),
    );
    fetched.forEach((f, i) => {
      const p = platforms[i] as (typeof platforms)[number];
      if (f.status === 'fulfilled') {
        // An id listed twice (a paging or aggregation fault upstream) is reported, and neither copy acted on.
        const once = withoutDuplicateIds(f.value.campaigns);
        w.campaigns.push(...once.campaigns);
        for (const message of [...f.value.errors, ...once.errors])
          w.platformErrors.push({ platform: p.platform, message });
        if (f.value.incomplete) w.incomplete.set(p.platform, f.value.incomplete);
        const unusable = [...(f.value.unusable ?? []), ...once.unusable];
        if (unusable.length) w.unusable.set(p.platform, unusable);
      } else {
        const message = f.reason instanceof PlatformError ? f.reason.message : String(f.reason);
        w.unavailable.set(p.platform, message);
        w.platformErrors.push({ platform: p.platform, message });
      }
    });
    progress('reading the platforms', platforms.length, platforms.length);
    // Reading platforms may take long (quota waits): the run is alive, its lease is renewed.
    deps.store.locks.renew('cycle', s.runId);
    return { rows: w.plan.length };
  };

  const reconcileNode = (_s: State, config: LangGraphRunnableConfig) => {
    const w = ws(config);
    progress('matching campaigns', 0, w.plan.length);
    w.reconciliation = reconcile(
      w.plan.filter((r) => !w.unavailable.has(r.platform)),
      w.campaigns,
    );
    progress('matching campaigns', w.plan.length, w.plan.length);
    return {};
  };

  const assess = (s: State, config: LangGraphRunnableConfig) => {
    const w = ws(config);
    const before = deps.store.runs.previousRun();
    const history = before.observations;
    w.observedBefore = history;
    w.assessments = assessReconciled(w.reconciliation as Reconciliation, {
      plan: w.plan,
      campaigns: w.campaigns,
      unavailable: w.unavailable,
      incomplete: w.incomplete,
      unusable: w.unusable,
      rejected: w.rejected,
      now: s.now,
      thresholds: deps.thresholds,
      history: (key) => {
        const h = history.get(key);
        return h ? [h] : [];
      },
    });
    // How each campaign paced over its last runs (this one included), within HISTORY_DAYS.
    const at = Date.parse(s.now);
    const since = at - HISTORY_DAYS * 86_400_000;
    const earlier = before.pacing;
    for (const a of w.assessments) {
      const before = earlier.get(a.key) ?? null;
      const prior = decodePacing(before, since);
      a.history = runHistory(prior, a);
      w.pacing.set(a.key, encodePacing(before, at, a, since));
      if (a.severity === 'healthy' && prior.at(-1)?.severity === 'healthy') w.steady.add(a.key);
    }
    return {};
  };

  const planNode = (s: State, config: LangGraphRunnableConfig) => {
    const w = ws(config);
    const settings = guardSettings(deps);
    const complete = new Set([...deps.platforms.keys()].filter((p) => !w.unavailable.has(p) && !w.incomplete.has(p)));
    w.plan2 = decide(w.assessments, loadMemory(deps, s.now, settings.humanDecisionHours, complete), settings, s.now);
    for (const warning of w.plan2.warnings) w.platformErrors.push(warning);
    return {};
  };

  const applyNode = async (s: State, config: LangGraphRunnableConfig) => {
    const w = ws(config);
    const applied = await apply(deps, s.runId, w.plan2 as PolicyPlan, progress);
    w.results = applied.results;
    w.opened = applied.opened;
    w.superseded = applied.closed;
    return {};
  };

  const record = (s: State, config: LangGraphRunnableConfig) => {
    const w = ws(config);
    const summary = summarise(w, deps);
    const at = deps.clock();
    deps.store.bulkTransaction(() => {
      deps.store.runs.complete(s.runId, at, summary, w.errors, w.platformErrors, w.results, w.pacing);
      deps.store.runs.saveDailySpend(
        w.campaigns.flatMap((c) =>
          c.spendByDay ? [{ platform: c.platform, platformCampaignId: c.id, days: c.spendByDay, spend: c.spend }] : [],
        ),
        new Date(Date.parse(s.now) - 86_400_000).toISOString().slice(0, 10),
        (platform, id) => w.observedBefore.has(`${platform}:${id}`),
        // Spend unchanged since the latest run: its days are stored already.
        (c) =>
          (w.observedBefore.get(`${c.platform}:${c.platformCampaignId}`) as { actualSpend?: number } | undefined)
            ?.actualSpend === c.spend,
      );
      deps.store.runs.syncWithEscalations(s.runId);
      deps.store.audit.appendAll(runEvents(w, s.runId, at, summary));
    });
    return {};
  };

  return new StateGraph(CycleState)
    .addNode('ingest', ingest)
    .addNode('reconcile', reconcileNode)
    .addNode('assess', assess)
    .addNode('plan', planNode)
    .addNode('apply', applyNode)
    .addNode('record', record)
    .addEdge(START, 'ingest')
    .addEdge('ingest', 'reconcile')
    .addEdge('reconcile', 'assess')
    .addEdge('assess', 'plan')
    .addEdge('plan', 'apply')
    .addEdge('apply', 'record')
    .addEdge('record', END)
    .compile();
}

export type CycleGraph = ReturnType<typeof buildCycleGraph>;

/** Runs one cycle under the run lock; a second run while one is in progress is refused. */
export async function runCycle(
  deps: AgentDeps,
  graph: CycleGraph,
  escalations: EscalationGraph,
  trigger: string,
  actor: string,
): Promise<RunReport> {
  const runId = (deps.newId ?? newId)('run');
  const progress = deps.progress ?? (() => {});
  const startedAt = deps.clock();
  const held = deps.store.locks.acquire('cycle', runId, startedAt);
  if (held)
    throw new RunInProgress(
      held.holder,
      held.acquiredAt,
      held.pid,
      held.expiresAt === null ? null : new Date(held.expiresAt).toISOString(),
    );
  const workspace: Workspace = {
    plan: [],
    errors: [],
    rejected: [],
    campaigns: [],
    unavailable: new Map(),
    incomplete: new Map(),
    unusable: new Map(),
    platformErrors: [],
    reconciliation: null,
    assessments: [],
    plan2: null,
    observedBefore: new Map(),
    pacing: new Map(),
    steady: new Set(),
    results: [],
    opened: [],
    superseded: [],
    started: performance.now(),
  };
  try {
    deps.store.runs.failAbandoned(startedAt, null);
    deps.store.runs.start({ id: runId, startedAt, trigger, actor });
    deps.store.audit.append({ at: startedAt, runId, type: 'run_started', actor, details: { trigger } });
    try {
      await graph.invoke({ runId, now: startedAt, rows: 0 }, { configurable: { workspace } });
    } finally {
      // Questions the run closed get their outcome (the thread ends as expired, nothing done), even when a
      // later step of the run failed: their Slack message must not keep live buttons.
      for (const e of workspace.superseded) {
        await resumeEscalation(escalations, e, {
          decision: 'expired',
          actor: 'agent',
          at: startedAt,
          note: e.decisionNote,
        });
      }
    }
    // Each escalation gets its own thread, which announces it and waits at its interrupt.
    for (const [i, e] of workspace.opened.entries()) {
      await startEscalation(escalations, e);
      progress('asking approvers', i + 1, workspace.opened.length);
    }
    const run = deps.store.runs.get(runId);
    return {
      runId,
      startedAt,
      results: workspace.results,
      errors: workspace.errors,
      platformErrors: workspace.platformErrors,
      summary: run?.summary as RunSummary,
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    deps.store.runs.fail(runId, deps.clock(), message);
    deps.store.audit.append({
      at: deps.clock(),
      runId,
      type: 'run_failed',
      actor: 'agent',
      details: { error: message },
    });
    throw err;
  } finally {
    deps.store.locks.release('cycle', runId);
  }
}

/** From the earliest flight start on this platform to today; none when the plan has no row there. */
function spendWindow(plan: readonly PlanRow[], platform: Platform, today: string): SpendWindow | undefined {
  let since: string | null = null;
  for (const r of plan) if (r.platform === platform && (since === null || r.startDate < since)) since = r.startDate;
  if (since === null) return undefined;
  // Both platforms keep daily data for about 37 months: an older start is read from there.
  const oldest = new Date(Date.parse(`${today}T00:00:00Z`) - 36 * 30 * 86_400_000).toISOString().slice(0, 10);
  const from = since < oldest ? oldest : since;
  return { since: from < today ? from : today, until: today };
}

function untrustedTracker(deps: AgentDeps, plan: Plan): DataError {
  const shown = plan.errors.slice(0, 3).map((e) => `line ${e.line}: ${e.message}`);
  const more = plan.errors.length > 3 ? `; and ${plan.errors.length - 3} more` : '';
  return new DataError(
    `The tracker (${deps.tracker.description}) has no valid row${plan.errors.length ? ` (${plan.errors.length} invalid: ${shown.join('; ')}${more})` : ''}, so nothing was decided or done: without a plan every spending campaign would look unplanned. Fix the tracker and run again.`,
    deps.tracker.description,
    plan.errors[0]?.line ?? null,
  );
}
