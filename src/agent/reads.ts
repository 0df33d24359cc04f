// Everything Slack and the CLI read of the agent's state, in one read-only facade over the store: the latest run,
// the open questions, the audit trail, the run lock, and whether any housekeeping is due (which only the full
// agent can do). They translate what this returns; they never open the store themselves.
import type { PoolRebalance } from '../domain/pools.js';
import type { AuditEvent, Escalation, ResultRow, RunRecord } from '../domain/records.js';
import { asItStands } from '../domain/standing.js';
import type { Platform } from '../domain/types.js';
import type { Store } from '../store/index.js';

export interface LatestRun {
  run: RunRecord;
  results: ResultRow[];
}

/** Which audit events to list (all filters together); oldest first, at most `limit`. */
export interface AuditQuery {
  campaign?: string;
  type?: string;
  runId?: string;
  limit?: number;
}

/** Who holds the run lock: the run in progress, the process running it and since when. */
export interface RunLock {
  holder: string;
  pid: number;
  acquiredAt: string;
}

/** A campaign's change in its budget pool's rebalance, and the open question asking it (null: only proposed). */
export interface PoolChange {
  pool: string;
  from: number;
  to: number;
  currency: string | null;
  escalationId: string | null;
}

/** Past every event's time: counting "until the end" needs an upper bound. */
const END_OF_TIME = '9999-12-31T23:59:59.999Z';

export class Reads {
  constructor(private readonly store: Store) {}

  pending(): Promise<Escalation[]> {
    return this.store.escalations.pending();
  }

  async latest(): Promise<LatestRun | null> {
    const run = await this.store.runs.latestCompleted();
    // Each row as it stands now: an approved pause is a paused campaign, with the forecast of one.
    return run ? { run, results: (await this.store.runs.results(run.id)).map(asItStands) } : null;
  }

  /**
   * The budget pools' rebalances at the latest run's figures (SPEC, Pools: `optimise`), or only the one named;
   * null before the first run.
   */
  async pools(name?: string): Promise<{ runId: string; pools: PoolRebalance[] } | null> {
    const run = await this.store.runs.latestCompleted();
    if (!run) return null;
    const all = run.summary?.pools ?? [];
    return { runId: run.id, pools: name === undefined ? all : all.filter((p) => p.pool === name) };
  }

  escalation(id: string): Promise<Escalation | null> {
    return this.store.escalations.get(id);
  }

  /**
   * What its budget pool's rebalance does to a campaign's daily budget: the open pool question's change (asked),
   * else the latest run's rebalance (shown by `optimise`); null when no pool changes it.
   */
  async poolChangeFor(r: Pick<ResultRow, 'key' | 'campaignId'>): Promise<PoolChange | null> {
    const key = `budget:${r.key}`;
    for (const e of await this.store.escalations.pending()) {
      if (e.batch?.kind !== 'pool') continue;
      const m = e.batch.members.find((x) => x.key === key && !x.dropped && x.budget);
      if (m?.budget) {
        const pool = e.batch.pool?.pool ?? e.key.replace(/^batch:pool:/, '').replace(`:${e.id}`, '');
        return { pool, ...m.budget, escalationId: e.id };
      }
    }
    for (const p of (await this.pools())?.pools ?? []) {
      const c = p.changes.find((x) => x.campaignId === r.campaignId);
      if (c) return { pool: p.pool, from: c.from, to: c.to, currency: p.currency, escalationId: null };
    }
    return null;
  }

  /** The latest run's row for a platform campaign (people know it by its plan id and name, a button by its ids). */
  async campaignFor(platform: Platform, platformCampaignId: string): Promise<ResultRow | null> {
    return (
      (await this.latest())?.results.find(
        (r) => r.platform === platform && r.platformCampaignId === platformCampaignId,
      ) ?? null
    );
  }

  /** The escalations a run opened: its `escalation_opened` events (a later run links to them instead). */
  async openedIn(runId: string): Promise<Set<string>> {
    return new Set(
      (await this.store.audit.list({ type: 'escalation_opened', runId }))
        .map((e) => e.details.escalationId)
        .filter((id): id is string => typeof id === 'string'),
    );
  }

  audit(query: AuditQuery): Promise<AuditEvent[]> {
    return this.store.audit.list(query);
  }

  /** How many events of each type were written in (since, until]; every event on record when both are open. */
  auditCounts(since: string | null = null, until: string = END_OF_TIME): Promise<Record<string, number>> {
    return this.store.audit.countByType(since, until);
  }

  /** Runs that completed after `since` (exclusive), oldest first. */
  runsCompletedSince(since: string | null): Promise<RunRecord[]> {
    return this.store.runs.completedSince(since);
  }

  /** The latest run that had completed by `at` (inclusive). */
  latestCompletedBy(at: string): Promise<RunRecord | null> {
    return this.store.runs.latestCompletedBy(at);
  }

  results(runId: string): Promise<ResultRow[]> {
    return this.store.runs.results(runId);
  }

  /**
   * A run's results for deciding them again: as `results`, one at a time (read them before anything else), without
   * the run history the policy does not read.
   */
  resultsToReplay(runId: string): Promise<Iterable<ResultRow>> {
    return this.store.runs.resultsWithoutHistory(runId);
  }

  /**
   * The escalations a replay rebuilds what was open when from: those still open and those decided after
   * `decidedAfter`, none created after `createdBy` (older ones were neither open nor recent at any run replayed).
   */
  async escalationsAround(decidedAfter: string, createdBy: string): Promise<Escalation[]> {
    const all = [
      ...(await this.store.escalations.pending()),
      ...(await this.store.escalations.decidedSince(decidedAfter)),
    ];
    return all.filter((e) => e.createdAt <= createdBy);
  }

  /**
   * How many fields a run's rows were stored with (rows of older versions hold fewer); 0 when they were stored
   * whole, as objects; null when none are left.
   */
  storedWidth(runId: string): Promise<number | null> {
    return this.store.runs.dataWidth(runId);
  }

  /** Escalations decided after `since` (every decided one when null). */
  decidedSince(since: string | null): Promise<Escalation[]> {
    return this.store.escalations.decidedSince(since);
  }

  /** The run in progress, if any (a lock whose process died or whose lease ran out holds nothing). */
  async runLock(): Promise<RunLock | null> {
    const h = await this.store.locks.holder('cycle');
    return h ? { holder: h.holder, pid: h.pid, acquiredAt: h.acquiredAt } : null;
  }

  /**
   * Whether `PacingAgent.catchUp` has work at `now`: a pause a stopped process left unsettled, a decision it
   * claimed but did not finish, an escalation whose thread never started, or one past its deadline. When not,
   * a read command answers from the database alone, without loading LangGraph.
   */
  async needsCatchUp(now: string): Promise<boolean> {
    return (
      (await this.store.escalations.due(now)).length > 0 ||
      (await this.store.pauses.unknown()).length > 0 ||
      (await this.store.escalations.unsettled()).length > 0 ||
      (await this.store.escalations.unannounced()).length > 0
    );
  }
}
