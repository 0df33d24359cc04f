// Pacing runs and their per-campaign results; result statuses follow their escalations.

import { decodePacing, runHistory } from '../domain/history.js';
import type { PlatformFailure, ResultRow, RowError, RunRecord, RunSummary } from '../domain/records.js';
import type { RowStatus, SpendObservation } from '../domain/types.js';
import { redact, redactText } from '../redact.js';
import { encodeData, resultRow } from './result-codec.js';
import { pruneSpendDays, type SpendDaysRow, upsertSpendDays } from './spend-days.js';
import { insertionOrder, type Sql, type SqlValue } from './sql.js';
import { SqliteSql } from './sqlite.js';

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

/**
 * What a store keeps between calls in this process: when each run it started began, and what the last run it
 * completed saw (see `previousRun`), kept for the next run. A transaction's store shares it.
 */
export class RunMemory {
  readonly started = new Map<string, string>();
  lastSeen: { runId: string; seen: PreviousRun } | null = null;
}

const RESULT_INSERT_COLUMNS = [
  'run_id',
  'seq',
  'key',
  'platform_key',
  'campaign_id',
  'platform',
  'platform_campaign_id',
  'action',
  'status',
  'escalation_id',
  'actual_spend',
  'pacing',
  'data',
];

export class RunStore {
  constructor(
    private readonly sql: Sql,
    private readonly memory: RunMemory = new RunMemory(),
  ) {}

  async start(run: { id: string; startedAt: string; trigger: string; actor: string }): Promise<void> {
    this.memory.started.set(run.id, run.startedAt);
    await this.sql.run(`INSERT INTO runs (id, started_at, status, trigger, actor) VALUES (?, ?, 'running', ?, ?)`, [
      run.id,
      run.startedAt,
      run.trigger,
      run.actor,
    ]);
  }

  /** Stores the results and closes the run; call inside the cycle's single transaction. */
  async complete(
    id: string,
    finishedAt: string,
    summary: RunSummary,
    errors: RowError[],
    platformErrors: PlatformFailure[],
    results: readonly ResultRow[],
    /** Each campaign's recent pacing (encoded by domain/history.ts), as `previousRun` reads it back next run. */
    pacing?: ReadonlyMap<string, string>,
  ): Promise<void> {
    const startedAt = this.memory.started.get(id);
    this.memory.started.delete(id);
    const seen =
      startedAt === undefined
        ? null
        : { observations: new Map<string, SpendObservation>(), pacing: new Map<string, string>() };
    const rows = results.map((r, seq): SqlValue[] => {
      const paced = pacing?.get(r.key) ?? null;
      // Built once a row: the column and the next run's observations share it.
      const platformKey = r.platformCampaignId === null ? null : `${r.platform}:${r.platformCampaignId}`;
      if (seen && startedAt !== undefined) {
        if (platformKey !== null && r.actualSpend !== null)
          seen.observations.set(platformKey, { at: startedAt, actualSpend: r.actualSpend });
        if (paced !== null) seen.pacing.set(r.key, paced);
      }
      return [
        id,
        seq,
        r.key,
        platformKey,
        r.campaignId,
        r.platform,
        r.platformCampaignId,
        r.action,
        r.status,
        r.escalationId,
        r.actualSpend,
        paced,
        encodeData(r),
      ];
    });
    await this.sql.insertMany('results', RESULT_INSERT_COLUMNS, rows);
    // Read back by the next run only if this run is then the latest completed one (its transaction committed).
    this.memory.lastSeen = seen ? { runId: id, seen } : null;
    await this.sql.run(
      `UPDATE runs SET status = 'completed', finished_at = ?, summary = ?, errors = ?, platform_errors = ? WHERE id = ?`,
      // Error texts may echo what a platform or proxy sent back, secrets included: they are stored redacted.
      [finishedAt, JSON.stringify(summary), JSON.stringify(redact(errors)), JSON.stringify(redact(platformErrors)), id],
    );
  }

  async fail(id: string, at: string, message: string): Promise<void> {
    this.memory.started.delete(id);
    await this.sql.run(`UPDATE runs SET status = 'failed', finished_at = ?, failure = ? WHERE id = ?`, [
      at,
      redactText(message),
      id,
    ]);
  }

  async get(id: string): Promise<RunRecord | null> {
    const r = await this.sql.get<RunRecordRow>('SELECT * FROM runs WHERE id = ?', [id]);
    return r ? toRun(r) : null;
  }

  async latestCompleted(): Promise<RunRecord | null> {
    const r = await this.sql.get<RunRecordRow>(
      `SELECT * FROM runs WHERE status = 'completed' ORDER BY started_at DESC, ${insertionOrder(this.sql)} DESC LIMIT 1`,
    );
    return r ? toRun(r) : null;
  }

  /** The latest run that had completed by `at` (inclusive): the complement of `completedSince(at)`. */
  async latestCompletedBy(at: string): Promise<RunRecord | null> {
    const r = await this.sql.get<RunRecordRow>(
      `SELECT * FROM runs WHERE status = 'completed' AND finished_at <= ? ORDER BY finished_at DESC, ${insertionOrder(this.sql)} DESC LIMIT 1`,
      [at],
    );
    return r ? toRun(r) : null;
  }

  /** Runs that completed after `since` (exclusive), oldest first: a run still going at `since` counts later. */
  async completedSince(since: string | null): Promise<RunRecord[]> {
    const rows = await this.sql.all<RunRecordRow>(
      `SELECT * FROM runs WHERE status = 'completed' ${since === null ? '' : 'AND finished_at > ?'} ORDER BY finished_at, ${insertionOrder(this.sql)}`,
      since === null ? [] : [since],
    );
    return rows.map(toRun);
  }

  /** The run's results with each row's current status and escalation. */
  async results(runId: string): Promise<ResultRow[]> {
    const rows = await this.sql.all<StoredResult>(
      `SELECT ${RESULT_COLUMNS} FROM results WHERE run_id = ? ORDER BY seq`,
      [runId],
    );
    return rows.map(resultFromStore);
  }

  /**
   * The run's results as `results` reads them, one at a time and without each row's run history, which the policy
   * does not read (decoding it is a fifth of reading 10,000 rows). One at a time, each row's text is garbage as soon
   * as it is decoded: a replay reads thirty runs of 10,000, and holding each run's text whole doubled its collector's
   * work. On SQLite nothing else may use the connection until the iteration ends; another engine reads the run
   * whole first.
   */
  async resultsWithoutHistory(runId: string): Promise<Iterable<ResultRow>> {
    const query = `SELECT ${RESULT_COLUMNS.replace('pacing', 'NULL AS pacing')} FROM results WHERE run_id = ? ORDER BY seq`;
    if (this.sql instanceof SqliteSql) return decoded(this.sql.iterate<StoredResult>(query, [runId]));
    return (await this.sql.all<StoredResult>(query, [runId])).map(resultFromStore);
  }

  /**
   * How many fields the run's rows were written with (the codec appends fields, so an older run's rows hold
   * fewer); 0 when they were written whole, as objects; null when the run has none left. The first row answers
   * for all: one version wrote the whole run.
   */
  async dataWidth(runId: string): Promise<number | null> {
    const width =
      this.sql.dialect === 'sqlite'
        ? `CASE WHEN json_type(data) = 'array' THEN json_array_length(data) ELSE 0 END`
        : `CASE WHEN jsonb_typeof(data::jsonb) = 'array' THEN jsonb_array_length(data::jsonb) ELSE 0 END`;
    const r = await this.sql.get<{ width: number }>(
      `SELECT ${width} AS width FROM results WHERE run_id = ? ORDER BY seq LIMIT 1`,
      [runId],
    );
    return r ? Number(r.width) : null;
  }

  /**
   * Rows of this run still marked awaiting an escalation that was settled while the run was working take its
   * outcome, so the stored run never contradicts the escalation table.
   */
  async syncWithEscalations(runId: string): Promise<void> {
    await this.sql.run(
      `UPDATE results SET status = (
         SELECT CASE WHEN e.outcome = 'failed' THEN 'failed' ELSE e.status END FROM escalations e WHERE e.id = results.escalation_id)
       WHERE run_id = ? AND status = 'awaiting_approval'
         AND escalation_id IN (SELECT id FROM escalations WHERE outcome IS NOT NULL)`,
      [runId],
    );
  }

  /** Every row, in any run, that points at this escalation takes the escalation's outcome as its status. */
  async setStatusByEscalation(escalationId: string, status: RowStatus): Promise<void> {
    await this.sql.run('UPDATE results SET status = ? WHERE escalation_id = ?', [status, escalationId]);
  }

  /**
   * The latest completed run's result about a platform campaign. Read from that run only (its rows are found by
   * the primary key): an index on platform_key would cost every run's 10,000 inserts for a rare undo.
   */
  async latestResultFor(platform: string, platformCampaignId: string): Promise<ResultRow | null> {
    const latest = await this.latestCompleted();
    if (!latest) return null;
    const r = await this.sql.get<StoredResult>(
      `SELECT ${RESULT_COLUMNS} FROM results WHERE run_id = ? AND platform_key = ? LIMIT 1`,
      [latest.id, `${platform}:${platformCampaignId}`],
    );
    return r ? resultFromStore(r) : null;
  }

  /**
   * Keeps each campaign's spend per day (the latest figure for a day wins), one row per campaign. A campaign
   * seen for the first time is written whole; after that only days from `recentFrom` on, the ones a platform
   * still revises (reporting lag, today's partial spend), merged into what is kept; nothing when its spend did
   * not move.
   */
  async saveDailySpend(
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
  ): Promise<void> {
    const rows: SpendDaysRow[] = [];
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
      if (first !== null) rows.push([s.platform, s.platformCampaignId, first, JSON.stringify(days)]);
    }
    await upsertSpendDays(this.sql, rows);
  }

  /** A campaign's kept spend per day, oldest first. */
  async dailySpend(platform: string, platformCampaignId: string): Promise<{ day: string; spend: number }[]> {
    const r = await this.sql.get<{ days: string }>(
      'SELECT days FROM spend_days WHERE platform = ? AND platform_campaign_id = ?',
      [platform, platformCampaignId],
    );
    if (!r) return [];
    return Object.entries(JSON.parse(r.days) as Record<string, number>)
      .map(([day, spend]) => ({ day, spend }))
      .sort((x, y) => (x.day < y.day ? -1 : 1));
  }

  /**
   * What the latest completed run saw, in one pass over its rows: each platform campaign's spend, and each
   * campaign's recent pacing (as domain/history.ts encodes it).
   */
  async previousRun(): Promise<PreviousRun> {
    const latest = await this.latestCompleted();
    // A server's runs follow one another in one process: the last one's figures are already in memory (a run
    // made meanwhile by another process, or a rolled-back one, is a different latest run: read from the table).
    const lastSeen = this.memory.lastSeen;
    if (latest && lastSeen?.runId === latest.id) return lastSeen.seen;
    const observations = new Map<string, SpendObservation>();
    const pacing = new Map<string, string>();
    if (!latest) return { observations, pacing };
    const rows = await this.sql.all<{
      key: string;
      platform_key: string | null;
      actual_spend: number | null;
      pacing: string | null;
    }>('SELECT key, platform_key, actual_spend, pacing FROM results WHERE run_id = ?', [latest.id]);
    for (const r of rows) {
      if (r.platform_key !== null && r.actual_spend !== null)
        observations.set(r.platform_key, { at: latest.startedAt, actualSpend: r.actual_spend });
      if (r.pacing !== null) pacing.set(r.key, r.pacing);
    }
    return { observations, pacing };
  }

  /**
   * Deletes the per-campaign results of runs that started before `before`, never the latest run's; the runs
   * (with their summaries) and the audit trail stay. Returns the rows deleted.
   */
  async pruneResults(before: string): Promise<number> {
    const latest = await this.latestCompleted();
    await pruneSpendDays(this.sql, before.slice(0, 10));
    return (
      await this.sql.run(
        'DELETE FROM results WHERE run_id IN (SELECT id FROM runs WHERE started_at < ? AND id IS DISTINCT FROM ?)',
        [before, latest?.id ?? null],
      )
    ).changes;
  }

  /** Marks runs left "running" by a process that died as failed, so they neither block nor confuse. */
  async failAbandoned(at: string, liveRunId: string | null): Promise<void> {
    await this.sql.run(
      `UPDATE runs SET status = 'failed', finished_at = ?, failure = 'the process running it stopped' WHERE status = 'running' AND id IS DISTINCT FROM ?`,
      [at, liveRunId],
    );
  }
}

/** Each stored row decoded as it is read. */
function* decoded(rows: Iterable<StoredResult>): Generator<ResultRow> {
  for (const r of rows) yield resultFromStore(r);
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
