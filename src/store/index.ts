// The store: runs, results, escalations, the audit trail and the agent's checkpoints, in one database reached
// through one port (sql.ts). On SQLite the checkpointer (agent/checkpointer.ts) shares the store's connection.
import type Database from 'better-sqlite3';
import { Announcements } from './announcements.js';
import { AuditLog } from './audit.js';
import { openDb, openReadOnlyDb } from './db.js';
import { isPostgresUrl } from './db-url.js';
import { DigestLog } from './digest-log.js';
import { EffectLog } from './effect-log.js';
import { EscalationStore } from './escalations.js';
import { ExplanationStore } from './explanations.js';
import { FixtureStatusStore } from './fixture-status.js';
import { type Liveness, localLiveness } from './liveness.js';
import { Locks } from './locks.js';
import { Outbox } from './outbox.js';
import { Pages } from './pages.js';
import { PauseIntents } from './pauses.js';
import type { PostgresDatabase } from './pg-open.js';
import { RunMemory, RunStore } from './runs.js';
import { SeenRequests } from './seen-requests.js';
import type { Sql } from './sql.js';
import { SqliteSql } from './sqlite.js';
import { Ticks } from './ticks.js';

/** The run lock as the store keeps it: a lease row on SQLite, a session's advisory lock on PostgreSQL. */
export type RunLocks = Pick<Locks, 'acquire' | 'renew' | 'release' | 'holder'>;

/** What a transaction's store shares with the store it came from. */
interface Shared {
  /** The connection's (or pool's) own port. */
  connection: Sql;
  /** What the store keeps between calls in this process (the last run's figures). */
  memory: RunMemory;
  /** On PostgreSQL: the pool, this process's session (its locks) and the checkpointer on the same pool. */
  postgres: PostgresDatabase | null;
}

export class Store {
  readonly audit: AuditLog;
  readonly runs: RunStore;
  readonly escalations: EscalationStore;
  readonly fixtureStatus: FixtureStatusStore;
  readonly effects: EffectLog;
  readonly pauses: PauseIntents;
  readonly locks: RunLocks;
  readonly outbox: Outbox;
  readonly digests: DigestLog;
  readonly seenRequests: SeenRequests;
  readonly announcements: Announcements;
  /** Paging's open incidents and its queue of PagerDuty events. */
  readonly pages: Pages;
  /** Whether the process that wrote a claim still runs (pids on one machine, sessions across replicas). */
  readonly liveness: Liveness;
  /** Which replica runs a scheduled tick (every tick is this process's on SQLite). */
  readonly ticks: Ticks;
  /** The analyst's notes the model wrote, for reuse while a row's question is unchanged. */
  readonly explanations: ExplanationStore;

  constructor(
    readonly sql: Sql,
    private readonly shared: Shared = { connection: sql, memory: new RunMemory(), postgres: null },
  ) {
    this.audit = new AuditLog(sql);
    this.runs = new RunStore(sql, shared.memory);
    this.liveness = shared.postgres ? shared.postgres.session : localLiveness;
    this.escalations = new EscalationStore(sql, this.liveness);
    this.fixtureStatus = new FixtureStatusStore(sql);
    this.effects = new EffectLog(sql, this.liveness);
    this.pauses = new PauseIntents(sql, this.liveness);
    this.locks = shared.postgres ? shared.postgres.locks : new Locks(sql);
    this.outbox = new Outbox(sql);
    this.digests = new DigestLog(sql);
    this.seenRequests = new SeenRequests(sql);
    this.announcements = new Announcements(sql);
    this.pages = new Pages(sql);
    this.explanations = new ExplanationStore(sql);
    this.ticks = new Ticks(sql);
  }

  /**
   * Opens the database named by PACING_DB's setting, migrated: a file path (`:memory:` for a throwaway one) is
   * SQLite; a postgres:// URL is PostgreSQL, with `password` when it is kept out of the URL (pg loads only then).
   */
  static async open(setting: string, password: string | null = null): Promise<Store> {
    if (!isPostgresUrl(setting)) return new Store(new SqliteSql(openDb(setting)));
    const { openPostgres } = await import('./pg-open.js');
    const postgres = await openPostgres(setting, password);
    return new Store(postgres.sql, { connection: postgres.sql, memory: new RunMemory(), postgres });
  }

  /** The PostgreSQL database under the store (its session and checkpointer), or null on SQLite. */
  get postgres(): PostgresDatabase | null {
    return this.shared.postgres;
  }

  /**
   * The store opened for reading only (nothing migrated or written): a SQLite file, or PostgreSQL with every
   * session read-only. Null when there is no database yet.
   */
  static async openReadOnly(setting: string, password: string | null = null): Promise<Store | null> {
    if (isPostgresUrl(setting)) {
      const { openPostgresReadOnly } = await import('./pg-open.js');
      const sql = await openPostgresReadOnly(setting, password);
      return sql ? new Store(sql) : null;
    }
    const db = openReadOnlyDb(setting);
    return db ? new Store(new SqliteSql(db)) : null;
  }

  /**
   * The raw SQLite connection, for what only SQLite has (PRAGMAs, the checkpointer, tests that set up rows by
   * hand). Throws on another engine.
   */
  get db(): Database.Database {
    const root = this.shared.connection;
    if (!(root instanceof SqliteSql)) throw new Error(`The store is on ${this.sql.dialect}, not SQLite.`);
    return root.handle;
  }

  /**
   * Runs `fn` in one transaction: all of its writes land, or none. Inside, use the store `fn` is given (its
   * queries go through the transaction); the store itself waits until the transaction ends.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.sql.transaction((tx) => fn(tx === this.sql ? this : new Store(tx, this.shared)));
  }

  /**
   * Like `transaction`, for a large write (a run's results). On SQLite its commit leaves copying the WAL into the
   * database file (SQLite's checkpoint, with its fsyncs: about 50 ms of a 10,000-campaign run) to just after, off
   * the caller's path. A passive checkpoint holds up neither readers nor writers; one that cannot finish (a reader
   * in the way) leaves the rest to the next, and closing the database checkpoints too.
   */
  async bulkTransaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    const root = this.shared.connection;
    if (!(root instanceof SqliteSql)) return this.transaction(fn);
    const db = root.handle;
    // Commits after this one (the run's last small writes) would checkpoint the whole WAL in their turn: the
    // automatic checkpoint stays off until the one scheduled after the commit has run.
    const scheduled = bulkCheckpoints.get(db) === undefined;
    if (scheduled) {
      bulkCheckpoints.set(db, db.pragma('wal_autocheckpoint', { simple: true }) as number);
      db.pragma('wal_autocheckpoint = 0');
    }
    try {
      return await this.transaction(fn);
    } finally {
      if (scheduled) setImmediate(() => checkpointNow(db));
    }
  }

  /** Bytes held by checkpoint tables, for the benchmark and retention reports. */
  async checkpointBytes(): Promise<number> {
    if (this.sql.dialect !== 'sqlite') return 0;
    try {
      const row = await this.sql.get<{ bytes: number }>(
        `SELECT COALESCE(SUM(pgsize), 0) AS bytes FROM dbstat WHERE name IN ('checkpoints', 'writes')`,
      );
      return row?.bytes ?? 0;
    } catch {
      return 0;
    }
  }

  close(): Promise<void> {
    return this.shared.postgres ? this.shared.postgres.close() : this.sql.close();
  }
}

/** The automatic checkpoint's threshold while a bulk write has it off, by connection. */
const bulkCheckpoints = new WeakMap<Database.Database, number>();

function checkpointNow(db: Database.Database): void {
  const every = bulkCheckpoints.get(db);
  bulkCheckpoints.delete(db);
  if (every === undefined || !db.open) return;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy: the automatic checkpoint, on again, takes it up at a later commit (and closing checkpoints).
  } finally {
    db.pragma(`wal_autocheckpoint = ${every}`);
  }
}
