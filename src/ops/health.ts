// Liveness and readiness of `pacing serve`: the checks behind /readyz, each saying whether it holds and why.
import type { RunEnd } from '../agent/agent.js';
import { RunInProgress } from '../errors.js';
import type { Store } from '../store/index.js';
import { lastFinishedRun } from './readings.js';

export interface Check {
  ok: boolean;
  detail: string;
}

export interface ReadyReport {
  status: 'ready' | 'not_ready';
  checks: { database: Check; slackToken: Check; scheduler: Check; lastRun: Check; runLock: Check };
}

/**
 * How long the write probe waits for another process's write lock. The probe runs on the event loop (SQLite
 * calls are synchronous), so it stays short: a lock held longer than this is reported, not waited out.
 */
const PROBE_BUSY_MS = 200;

export class Readiness {
  private token: Check = { ok: false, detail: 'not verified yet' };
  private scheduler: 'not_started' | 'running' | 'stopped' = 'not_started';
  private jobs: string[] = [];
  /** A run of this process that failed before the store recorded it (e.g. in its housekeeping). */
  private failedAttempt: { lastRunId: string | null; at: string } | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: () => string,
  ) {}

  /** Serve verifies the bot token (auth.test) before it listens; the body names no workspace (it is unauthenticated). */
  tokenVerified(): void {
    this.token = { ok: true, detail: 'verified at start' };
  }

  schedulerStarted(jobs: string[]): void {
    this.scheduler = 'running';
    this.jobs = jobs;
  }

  schedulerStopped(): void {
    this.scheduler = 'stopped';
  }

  /** Listener for the agent's runs (PacingAgent.onRunEnd). */
  async runEnded(end: RunEnd): Promise<void> {
    if (end.report) this.failedAttempt = null;
    else if (!(end.error instanceof RunInProgress)) {
      const at = this.clock();
      this.failedAttempt = { lastRunId: (await this.safeLastRun())?.id ?? null, at };
    }
  }

  async report(): Promise<ReadyReport> {
    const checks = {
      database: await this.database(),
      slackToken: this.token,
      scheduler: this.schedulerCheck(),
      lastRun: await this.lastRun(),
      runLock: await this.runLock(),
    };
    return { status: Object.values(checks).every((c) => c.ok) ? 'ready' : 'not_ready', checks };
  }

  /** A write the database accepts, rolled back: the file is open, not read-only, and its write lock obtainable. */
  private async database(): Promise<Check> {
    if (this.store.sql.dialect !== 'sqlite') return this.databaseThroughPort();
    const db = this.store.db;
    // A transaction open on this connection means it is writing right now.
    if (db.inTransaction) return { ok: true, detail: 'writable (a write is in progress)' };
    let previous: number | null = null;
    try {
      previous = db.pragma('busy_timeout', { simple: true }) as number;
      db.pragma(`busy_timeout = ${PROBE_BUSY_MS}`);
      db.exec('BEGIN IMMEDIATE');
      try {
        db.prepare('INSERT OR REPLACE INTO effects (key, at, result) VALUES (?, ?, NULL)').run(
          'readyz-probe',
          this.clock(),
        );
      } finally {
        if (db.inTransaction) db.exec('ROLLBACK');
      }
      return { ok: true, detail: 'writable' };
    } catch (err) {
      const e = err as { code?: string; message?: string };
      return { ok: false, detail: `not writable: ${[e.code, e.message].filter(Boolean).join(' ') || String(err)}` };
    } finally {
      try {
        if (previous !== null && db.open) db.pragma(`busy_timeout = ${previous}`);
      } catch {
        // The connection is gone; the check above already says so.
      }
    }
  }

  /** The same probe on another engine: a write in a transaction that is rolled back. */
  private async databaseThroughPort(): Promise<Check> {
    const probe = new Error('rolled back on purpose');
    try {
      await this.store.sql.transaction(async (tx) => {
        await tx.run('INSERT INTO effects (key, at, result) VALUES (?, ?, NULL) ON CONFLICT DO NOTHING', [
          'readyz-probe',
          this.clock(),
        ]);
        throw probe;
      });
      return { ok: true, detail: 'writable' };
    } catch (err) {
      if (err === probe) return { ok: true, detail: 'writable' };
      const e = err as { code?: string; message?: string };
      return { ok: false, detail: `not writable: ${[e.code, e.message].filter(Boolean).join(' ') || String(err)}` };
    }
  }

  /**
   * Who holds the run lock (on PostgreSQL, which replica, as the server knows its connection): information, not
   * a fault, while it can be read.
   */
  private async runLock(): Promise<Check> {
    try {
      const h = await this.store.locks.holder('cycle');
      if (!h) return { ok: true, detail: 'free' };
      const replica = 'replica' in h && typeof h.replica === 'string' ? h.replica : null;
      const who = replica ? ` on ${replica}` : h.pid ? ` (process ${h.pid})` : '';
      return { ok: true, detail: `held by run ${h.holder}${who} since ${h.acquiredAt}` };
    } catch (err) {
      return { ok: false, detail: `cannot read the run lock: ${(err as Error).message}` };
    }
  }

  private schedulerCheck(): Check {
    if (this.scheduler === 'running')
      return { ok: true, detail: this.jobs.length ? `running: ${this.jobs.join(', ')}` : 'running' };
    return { ok: false, detail: this.scheduler === 'stopped' ? 'stopped' : 'not started yet' };
  }

  private async lastRun(): Promise<Check> {
    let last: Awaited<ReturnType<typeof lastFinishedRun>>;
    try {
      last = await lastFinishedRun(this.store);
    } catch (err) {
      return { ok: false, detail: `cannot read the runs: ${(err as Error).message}` };
    }
    if (last?.status === 'failed')
      return { ok: false, detail: `run ${last.id} failed${last.finishedAt ? ` at ${last.finishedAt}` : ''}` };
    // No run finished since this process's attempt failed: that attempt is the last run.
    if (this.failedAttempt && this.failedAttempt.lastRunId === (last?.id ?? null))
      return { ok: false, detail: `a run failed at ${this.failedAttempt.at} before it was recorded` };
    if (!last) return { ok: true, detail: 'no run yet' };
    return { ok: true, detail: `run ${last.id} completed${last.finishedAt ? ` at ${last.finishedAt}` : ''}` };
  }

  private async safeLastRun() {
    try {
      return await lastFinishedRun(this.store);
    } catch {
      return null;
    }
  }
}
