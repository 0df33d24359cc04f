// Pacing runs and their per-campaign results; result statuses follow their escalations.

import { decodePacing, runHistory } from '../domain/history.js';
import type { PlatformFailure, ResultRow, RowError, RunRecord, RunSummary } from '../domain/records.js';
import type { RowStatus, SpendObservation } from '../domain/types.js';
import { redact, redactText } from '../redact.js';
import type { Db } from './db.js';
import { encodeData, resultRow } from './result-codec.js';

interface RunRecordRow {
  id: string;
  started_at: string;
  finished_at: string | null;
  status: RunRecord['status'];
  trigger: string;
  actor: string;
  summary: string | null;
  errors: string;
  platform_errors: string;
  failure: string | null;
}

const toRun = (r: RunRecordRow): RunRecord => ({
  id: r.id,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  status: r.status,
  trigger: r.trigger,
  actor: r.actor,
  summary: r.summary ? (JSON.parse(r.summary) as RunSummary) : null,
  errors: JSON.parse(r.errors) as RowError[],
  platformErrors: JSON.parse(r.platform_errors) as PlatformFailure[],
  failure: r.failure,
});

export class RunStore {
  constructor(private readonly db: Db) {}

  /** When each run this store started began, for `lastSeen`. */
  private readonly started = new Map<string, string>();
  /** What the last run this store completed saw (see `previousRun`), kept for the next run in this process. */
  private lastSeen: { runId: string; seen: PreviousRun } | null = null;

  start(run: { id: string; startedAt: string; trigger: string; actor: string }): void {
    this.started.set(run.id, run.startedAt);
    this.db
      .prepare(
        `INSERT INTO runs (id, started_at, status, trigger, actor) VALUES (@id, @startedAt, 'running', @trigger, @actor)`,
      )
      .run(run);
  }

  /** Stores the results and closes the run; call inside the cycle's single transaction. */
  complete(
    id: string,
    finishedAt: string,
    summary: RunSummary,
    errors: RowError[],
    platformErrors: PlatformFailure[],
    results: readonly ResultRow[],
    /** Each campaign's recent pacing (encoded by domain/history.ts), as `previousRun` reads it back next run. */
    pacing?: ReadonlyMap<string, string>,
  ): void {
    const insert = this.db.prepare(
      `INSERT INTO results (run_id, seq, key, platform_key, campaign_id, platform, platform_campaign_id, action, status, escalation_id, actual_spend, pacing, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const startedAt = this.started.get(id);
    this.started.delete(id);
    const seen =
      startedAt === undefined
        ? null
        : { observations: new Map<string, SpendObservation>(), pacing: new Map<string, string>() };
    results.forEach((r, seq) => {
      const paced = pacing?.get(r.key) ?? null;
      if (seen && startedAt !== undefined) {
        if (r.platformCampaignId !== null && r.actualSpend !== null)
          seen.observations.set(`${r.platform}:${r.platformCampaignId}`, { at: startedAt, actualSpend: r.actualSpend });
        if (paced !== null) seen.pacing.set(r.key, paced);
      }
      insert.run(
        id,
        seq,
        r.key,
        r.platformCampaignId === null ? null : `${r.platform}:${r.platformCampaignId}`,
        r.campaignId,
        r.platform,
        r.platformCampaignId,
        r.action,
        r.status,
        r.escalationId,
        r.actualSpend,
        paced,
        encodeData(r),
      );
    });
    // Read back by the next run only if this run is then the latest completed one (its transaction committed).
    this.lastSeen = seen ? { runId: id, seen } : null;
    this.db
      .prepare(
        `UPDATE runs SET status = 'completed', finished_at = ?, summary = ?, errors = ?, platform_errors = ? WHERE id = ?`,
      )
      // Error texts may echo what a platform or proxy sent back, secrets included: they are stored redacted.
      .run(
        finishedAt,
        JSON.stringify(summary),
        JSON.stringify(redact(errors)),
        JSON.stringify(redact(platformErrors)),
        id,
      );
  }

  fail(id: string, at: string, message: string): void {
    this.started.delete(id);
    this.db
      .prepare(`UPDATE runs SET status = 'failed', finished_at = ?, failure = ? WHERE id = ?`)
      .run(at, redactText(message), id);
  }

  get(id: string): RunRecord | null {
    const r = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRecordRow | undefined;
    return r ? toRun(r) : null;
  }

  latestCompleted(): RunRecord | null {
    const r = this.db
      .prepare(`SELECT * FROM runs WHERE status = 'completed' ORDER BY started_at DESC, rowid DESC LIMIT 1`)
      .get() as RunRecordRow | undefined;
    return r ? toRun(r) : null;
  }

  /** The latest run that had completed by `at` (inclusive): the complement of `completedSince(at)`. */
  latestCompletedBy(at: string): RunRecord | null {
    const r = this.db
      .prepare(
        `SELECT * FROM runs WHERE status = 'completed' AND finished_at <= ? ORDER BY finished_at DESC, rowid DESC LIMIT 1`,
      )
      .get(at) as RunRecordRow | undefined;
    return r ? toRun(r) : null;
  }

  /** Runs that completed after `since` (exclusive), oldest first: a run still going at `since` counts later. */
  completedSince(since: string | null): RunRecord[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM runs WHERE status = 'completed' AND (? IS NULL OR finished_at > ?) ORDER BY finished_at, rowid`,
        )
        .all(since, since) as RunRecordRow[]
    ).map(toRun);
  }

  /** The run's results with each row's current status and escalation. */
  results(runId: string): ResultRow[] {
    const rows = this.db
      .prepare(`SELECT ${RESULT_COLUMNS} FROM results WHERE run_id = ? ORDER BY seq`)
      .all(runId) as StoredResult[];
    return rows.map(resultFromStore);
  }

  /**
   * The run's results as `results` reads them, one at a time and without each row's run history, which the policy
   * does not read (decoding it is a fifth of reading 10,000 rows). One at a time, each row's text is garbage as soon
   * as it is decoded: a replay reads thirty runs of 10,000, and holding each run's text whole doubled its collector's
   * work. Nothing else may use the connection until the iteration ends.
   */
  *resultsWithoutHistory(runId: string): Generator<ResultRow> {
    const rows = this.db
      .prepare(
        `SELECT ${RESULT_COLUMNS.replace('pacing', 'NULL AS pacing')} FROM results WHERE run_id = ? ORDER BY seq`,
      )
      .iterate(runId) as IterableIterator<StoredResult>;
    for (const r of rows) yield resultFromStore(r);
  }

  /**
   * How many fields the run's rows were written with (the codec appends fields, so an older run's rows hold
   * fewer); 0 when they were written whole, as objects; null when the run has none left. The first row answers
   * for all: one version wrote the whole run.
   */
  dataWidth(runId: string): number | null {
    const r = this.db
      .prepare(
        `SELECT CASE WHEN json_type(data) = 'array' THEN json_array_length(data) ELSE 0 END AS width FROM results WHERE run_id = ? ORDER BY seq LIMIT 1`,
      )
      .get(runId) as { width: number } | undefined;
    return r?.width ?? null;
  }

  /**
   * Rows of this run still marked awaiting an escalation that was settled while the run was working take its
   * outcome, so the stored run never contradicts the escalation table.
   */
  syncWithEscalations(runId: string): void {
    this.db
      .prepare(
        `UPDATE results SET status = (
           SELECT CASE WHEN e.outcome = 'failed' THEN 'failed' ELSE e.status END FROM escalations e WHERE e.id = results.escalation_id)
         WHERE run_id = ? AND status = 'awaiting_approval'
           AND escalation_id IN (SELECT id FROM escalations WHERE outcome IS NOT NULL)`,
      )
      .run(runId);
  }

  /** Every row, in any run, that points at this escalation takes the escalation's outcome as its status. */
  setStatusByEscalation(escalationId: string, status: RowStatus): void {
    this.db.prepare('UPDATE results SET status = ? WHERE escalation_id = ?').run(status, escalationId);
  }

  /**
   * The latest completed run's result about a platform campaign. Read from that run only (its rows are found by
   * the primary key): an index on platform_key would cost every run's 10,000 inserts for a rare undo.
   */
  latestResultFor(platform: string, platformCampaignId: string): ResultRow | null {
    const latest = this.latestCompleted();
    if (!latest) return null;
    const r = this.db
      .prepare(`SELECT ${RESULT_COLUMNS} FROM results WHERE run_id = ? AND platform_key = ? LIMIT 1`)
      .get(latest.id, `${platform}:${platformCampaignId}`) as StoredResult | undefined;
    return r ? resultFromStore(r) : null;
  }

  /**
   * Keeps each campaign's spend per day (the latest figure for a day wins), one row per campaign. A campaign
   * seen for the first time is written whole; after that only days from `recentFrom` on, the ones a platform
   * still revises (reporting lag, today's partial spend), merged into what is kept; nothing when its spend did
   * not move.
   */
  saveDailySpend(
    series: readonly {
      platform: string;
      platformCampaignId: string;
      days: Readonly<Record<string, number>>;
      spend: number;
    }[],
    recentFrom: string,
    /** Whether the campaign's series was written by an earlier run (it was in the latest run's results). */
    known: (platform: string, platformCampaignId: string) => boolean,
    /** Whether nothing changed since then (same total spend): then nothing is written. */
    unchanged: (s: { platform: string; platformCampaignId: string; spend: number }) => boolean = () => false,
  ): void {
    const upsert = this.db.prepare(
      `INSERT INTO spend_days (platform, platform_campaign_id, first_day, days) VALUES (?, ?, ?, ?)
       ON CONFLICT (platform, platform_campaign_id) DO UPDATE
         SET days = json_patch(days, excluded.days), first_day = min(first_day, excluded.first_day)`,
    );
    for (const s of series) {
      const whole = !known(s.platform, s.platformCampaignId);
      if (!whole && unchanged(s)) continue;
      let first: string | null = null;
      const days: Record<string, number> = {};
      for (const [day, spend] of Object.entries(s.days)) {
        if (!whole && day < recentFrom) continue;
        days[day] = spend;
        if (first === null || day < first) first = day;
      }
      if (first !== null) upsert.run(s.platform, s.platformCampaignId, first, JSON.stringify(days));
    }
  }

  /** A campaign's kept spend per day, oldest first. */
  dailySpend(platform: string, platformCampaignId: string): { day: string; spend: number }[] {
    const r = this.db
      .prepare('SELECT days FROM spend_days WHERE platform = ? AND platform_campaign_id = ?')
      .get(platform, platformCampaignId) as { days: string } | undefined;
    if (!r) return [];
    return Object.entries(JSON.parse(r.days) as Record<string, number>)
      .map(([day, spend]) => ({ day, spend }))
      .sort((x, y) => (x.day < y.day ? -1 : 1));
  }

  /**
   * What the latest completed run saw, in one pass over its rows: each platform campaign's spend, and each
   * campaign's recent pacing (as domain/history.ts encodes it).
   */
  previousRun(): PreviousRun {
    const latest = this.latestCompleted();
    // A server's runs follow one another in one process: the last one's figures are already in memory (a run
    // made meanwhile by another process, or a rolled-back one, is a different latest run: read from the table).
    if (latest && this.lastSeen?.runId === latest.id) return this.lastSeen.seen;
    const observations = new Map<string, SpendObservation>();
    const pacing = new Map<string, string>();
    if (!latest) return { observations, pacing };
    const rows = this.db
      .prepare('SELECT key, platform_key, actual_spend, pacing FROM results WHERE run_id = ?')
      .raw(true)
      .all(latest.id) as [string, string | null, number | null, string | null][];
    for (const [key, platformKey, spend, paced] of rows) {
      if (platformKey !== null && spend !== null)
        observations.set(platformKey, { at: latest.startedAt, actualSpend: spend });
      if (paced !== null) pacing.set(key, paced);
    }
    return { observations, pacing };
  }

  /**
   * Deletes the per-campaign results of runs that started before `before`, never the latest run's; the runs
   * (with their summaries) and the audit trail stay. Returns the rows deleted.
   */
  pruneResults(before: string): number {
    const latest = this.latestCompleted();
    this.pruneDailySpend(before.slice(0, 10));
    return this.db
      .prepare('DELETE FROM results WHERE run_id IN (SELECT id FROM runs WHERE started_at < ? AND id IS NOT ?)')
      .run(before, latest?.id ?? null).changes;
  }

  /** Forgets days before `day` (YYYY-MM-DD); a campaign with no day left goes. Touches only rows holding such days. */
  private pruneDailySpend(day: string): void {
    this.db
      .prepare(
        `DELETE FROM spend_days WHERE first_day < :day AND NOT EXISTS (SELECT 1 FROM json_each(days) WHERE key >= :day)`,
      )
      .run({ day });
    this.db
      .prepare(
        `UPDATE spend_days SET
           days = (SELECT json_group_object(key, value) FROM json_each(spend_days.days) WHERE key >= :day),
           first_day = (SELECT MIN(key) FROM json_each(spend_days.days) WHERE key >= :day)
         WHERE first_day < :day`,
      )
      .run({ day });
  }

  /** Marks runs left "running" by a process that died as failed, so they neither block nor confuse. */
  failAbandoned(at: string, liveRunId: string | null): void {
    this.db
      .prepare(
        `UPDATE runs SET status = 'failed', finished_at = ?, failure = 'the process running it stopped' WHERE status = 'running' AND id IS NOT ?`,
      )
      .run(at, liveRunId);
  }
}

/** What the latest completed run saw: each platform campaign's spend, each campaign's recent pacing. */
export interface PreviousRun {
  observations: ReadonlyMap<string, SpendObservation>;
  pacing: ReadonlyMap<string, string>;
}

/** The columns a result row is read back from: its own columns and `data`, the rest of the row as JSON. */
export const RESULT_COLUMNS =
  'run_id, key, campaign_id, platform, platform_campaign_id, action, status, escalation_id, actual_spend, pacing, data';

export interface StoredResult {
  run_id: string;
  key: string;
  campaign_id: string | null;
  platform: ResultRow['platform'];
  platform_campaign_id: string | null;
  action: ResultRow['action'];
  status: RowStatus;
  escalation_id: string | null;
  actual_spend: number | null;
  pacing: string | null;
  data: string;
}

/** A result row as written, with its column fields put back (rows stored whole before this also read right). */
export function resultFromStore(r: StoredResult): ResultRow {
  return resultRow(
    {
      key: r.key,
      campaignId: r.campaign_id,
      platform: r.platform,
      platformCampaignId: r.platform_campaign_id,
      action: r.action,
      status: r.status,
      escalationId: r.escalation_id,
      actualSpend: r.actual_spend,
      runId: r.run_id,
    },
    r.data,
    () => historyOf(r.pacing),
  );
}

/** The run history a result was assessed with: the runs its pacing holds, this run last (see cycle `assess`). */
function historyOf(pacing: string | null): ResultRow['history'] {
  const runs = decodePacing(pacing, Number.NEGATIVE_INFINITY);
  const now = runs.pop();
  return now ? runHistory(runs, now) : null;
}
