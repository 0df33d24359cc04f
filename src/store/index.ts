// The store: one SQLite file holding runs, results, escalations, the audit trail and the agent's checkpoints
// (written by the agent's checkpointer, agent/checkpointer.ts, on the same connection).
import { Announcements } from './announcements.js';
import { AuditLog } from './audit.js';
import { type Db, openDb, openReadOnlyDb } from './db.js';
import { DigestLog } from './digest-log.js';
import { EffectLog } from './effect-log.js';
import { EscalationStore } from './escalations.js';
import { ExplanationStore } from './explanations.js';
import { FixtureStatusStore } from './fixture-status.js';
import { Locks } from './locks.js';
import { Outbox } from './outbox.js';
import { Pages } from './pages.js';
import { PauseIntents } from './pauses.js';
import { RunStore } from './runs.js';
import { SeenRequests } from './seen-requests.js';

export class Store {
  readonly audit: AuditLog;
  readonly runs: RunStore;
  readonly escalations: EscalationStore;
  readonly fixtureStatus: FixtureStatusStore;
  readonly effects: EffectLog;
  readonly pauses: PauseIntents;
  readonly locks: Locks;
  readonly outbox: Outbox;
  readonly digests: DigestLog;
  readonly seenRequests: SeenRequests;
  readonly announcements: Announcements;
  /** Paging's open incidents and its queue of PagerDuty events. */
  readonly pages: Pages;
  /** The analyst's notes the model wrote, for reuse while a row's question is unchanged. */
  readonly explanations: ExplanationStore;

  constructor(readonly db: Db) {
    this.audit = new AuditLog(db);
    this.runs = new RunStore(db);
    this.escalations = new EscalationStore(db);
    this.fixtureStatus = new FixtureStatusStore(db);
    this.effects = new EffectLog(db);
    this.pauses = new PauseIntents(db);
    this.locks = new Locks(db);
    this.outbox = new Outbox(db);
    this.digests = new DigestLog(db);
    this.seenRequests = new SeenRequests(db);
    this.announcements = new Announcements(db);
    this.pages = new Pages(db);
    this.explanations = new ExplanationStore(db);
  }

  static open(file: string): Store {
    return new Store(openDb(file));
  }

  /** The store over a file opened for reading only (nothing migrated or written); null when there is no file. */
  static openReadOnly(file: string): Store | null {
    const db = openReadOnlyDb(file);
    return db ? new Store(db) : null;
  }

  /** Runs `fn` in one SQLite transaction: all of its writes land, or none. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /**
   * Like `transaction`, for a large write (a run's results): its commit leaves copying the WAL into the
   * database file (SQLite's checkpoint, with its fsyncs: about 50 ms of a 10,000-campaign run) to just after,
   * off the caller's path. A passive checkpoint holds up neither readers nor writers; one that cannot finish
   * (a reader in the way) leaves the rest to the next, and closing the database checkpoints too.
   */
  bulkTransaction<T>(fn: () => T): T {
    // Commits after this one (the run's last small writes) would checkpoint the whole WAL in their turn: the
    // automatic checkpoint stays off until the one scheduled here has run.
    if (this.autoCheckpoint === null) {
      this.autoCheckpoint = this.db.pragma('wal_autocheckpoint', { simple: true }) as number;
      this.db.pragma('wal_autocheckpoint = 0');
      setImmediate(() => this.checkpointNow());
    }
    return this.db.transaction(fn)();
  }

  /** The automatic checkpoint's threshold while a bulk write has it off; null when it is on. */
  private autoCheckpoint: number | null = null;

  private checkpointNow(): void {
    const every = this.autoCheckpoint;
    this.autoCheckpoint = null;
    if (every === null || !this.db.open) return;
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy: the automatic checkpoint, on again, takes it up at a later commit (and closing checkpoints).
    } finally {
      this.db.pragma(`wal_autocheckpoint = ${every}`);
    }
  }

  /** Bytes held by checkpoint tables, for the benchmark and retention reports. */
  checkpointBytes(): number {
    try {
      const row = this.db
        .prepare(`SELECT COALESCE(SUM(pgsize), 0) AS bytes FROM dbstat WHERE name IN ('checkpoints', 'writes')`)
        .get() as { bytes: number };
      return row.bytes;
    } catch {
      return 0;
    }
  }

  close(): void {
    this.db.close();
  }
}
