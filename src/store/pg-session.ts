// This process's own connection to PostgreSQL, apart from the pool: it holds session advisory locks, which the
// server lets go of when the process or its connection dies (pids mean nothing across machines; a lost session
// does). It holds this process's presence (so other replicas can tell a claim's owner is alive) and the run
// lock. It must reach the server directly: behind a transaction-pooling proxy a session lock means nothing.
import { hostname } from 'node:os';
import type pg from 'pg';
import { DataError } from '../errors.js';
import { PROCESS_ID } from './owner.js';
import { lockKey } from './pg-migrate.js';
import { createClient, isConnectionFailure, unreachable } from './postgres.js';
import type { Sql } from './sql.js';

/** pg_locks rows of the advisory lock keyed by $1 (hashtextextended's bigint: high and low 32 bits, objsubid 1). */
const LOCK_ROWS = `FROM pg_locks l
  WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND l.classid = ((hashtextextended($1, 0) >> 32) & 4294967295)::oid
    AND l.objid = (hashtextextended($1, 0) & 4294967295)::oid`;

/** Who holds an advisory lock: the server's view of the session (its application name names the replica). */
export interface SessionHolder {
  /** The application name of the holding connection: `pacing <host> <pid>`. */
  application: string;
  /** The holding connection's address as the server sees it (null over a Unix socket). */
  address: string | null;
}

export class PgSession {
  private client: pg.Client | null = null;
  private opening: Promise<pg.Client> | null = null;
  /** Closed for good (the store closed): no new session is opened. */
  private closed = false;
  /** The locks this session holds (or is taking). */
  private readonly taken = new Set<string>();
  /** Why the connection was lost, once it has been: every lock it held is gone with it. */
  private lostWith: Error | null = null;

  constructor(
    private readonly url: string,
    private readonly schema: string,
    readonly owner: string = PROCESS_ID,
    /** The password, when it is kept out of the URL (PACING_DB_PASSWORD). */
    private readonly password: string | null = null,
    /** The pool's port, for looks at who holds what (they need no session of their own). */
    private readonly reader: Sql | null = null,
  ) {}

  /** The name other replicas see this session by. */
  static applicationName(): string {
    return `pacing ${hostname()} ${process.pid}`.slice(0, 63);
  }

  /** Connects and takes this process's presence lock (what `alive(owner)` looks for). */
  async start(): Promise<void> {
    await this.connection();
  }

  /** Whether the process that wrote `owner` (a claim, an intent) still has its session on the server. */
  async alive(owner: string | null): Promise<boolean> {
    if (!owner) return false;
    if (owner === this.owner) return this.lostWith === null;
    return this.isHeld(`process:${owner}`);
  }

  /**
   * Takes the named lock for this session if no session holds it. PostgreSQL's session locks are re-entrant:
   * asked again by this process (a second run while one is going), it is refused here, as another process is.
   */
  async tryLock(name: string): Promise<boolean> {
    if (this.taken.has(name)) return false;
    const client = await this.connection();
    // Marked before the query, so a second run of this process asking meanwhile is refused above.
    if (this.taken.has(name)) return false;
    this.taken.add(name);
    let ok = false;
    try {
      const { rows } = await this.query<{ ok: boolean }>(
        client,
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok',
        [this.key(name)],
      );
      ok = rows[0]?.ok === true;
      return ok;
    } finally {
      if (!ok) this.taken.delete(name);
    }
  }

  /** Lets go of a lock this session holds (a lost session has let go already). */
  async unlock(name: string): Promise<void> {
    if (!this.taken.delete(name)) return;
    if (this.lostWith || !this.client) return;
    await this.query(this.client, 'SELECT pg_advisory_unlock(hashtextextended($1, 0))', [this.key(name)]);
  }

  /** Whether this session still holds the named lock: false once its connection has dropped. */
  async holds(name: string): Promise<boolean> {
    if (this.lostWith || !this.client) return false;
    const { rows } = await this.query<{ held: boolean }>(
      this.client,
      `SELECT EXISTS (SELECT 1 ${LOCK_ROWS} AND l.pid = pg_backend_pid()) AS held`,
      [this.key(name)],
    );
    return rows[0]?.held === true;
  }

  /** Whether any session (this one or another replica's) holds the named lock. */
  async isHeld(name: string): Promise<boolean> {
    return (await this.holder(name)) !== null;
  }

  /**
   * The session holding the named lock, or null when none does. Asked through the pool when there is one (a
   * look at pg_locks needs no session of its own, and this one may be busy or lost).
   */
  async holder(name: string): Promise<SessionHolder | null> {
    const text = `SELECT a.application_name AS application, host(a.client_addr) AS address
       ${LOCK_ROWS.replace('FROM pg_locks l', 'FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid')}
       LIMIT 1`;
    let row: { application: string | null; address: string | null } | undefined;
    if (this.reader) {
      row = await this.reader.get(text.replaceAll('$1', '?'), [this.key(name), this.key(name)]);
    } else {
      const client = await this.connection();
      row = (await this.query<NonNullable<typeof row>>(client, text, [this.key(name)])).rows[0];
    }
    return row ? { application: row.application ?? '', address: row.address } : null;
  }

  /** Why the session was lost, or null while it is up. */
  lost(): Error | null {
    return this.lostWith;
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client ?? (await this.opening?.catch(() => null)) ?? null;
    this.client = null;
    this.opening = null;
    if (client) await client.end().catch(() => {});
  }

  private key(name: string): string {
    return lockKey(this.schema, name);
  }

  private async connection(): Promise<pg.Client> {
    if (this.closed) throw new Error("This process's PostgreSQL session is closed.");
    if (this.lostWith) {
      // A run that took a lock on the lost session learns it lost it (renew, then release) before a new session
      // takes locks again: until then this process holds none, and says so.
      if (this.taken.size > 0)
        throw new DataError(
          `Lost this process's connection to PostgreSQL, and the locks it held with it: ${this.lostWith.message}`,
          'PACING_DB',
          null,
          'data_unreadable',
        );
      const old = this.client;
      this.client = null;
      this.opening = null;
      this.lostWith = null;
      old?.end().catch(() => {});
    }
    if (this.client) return this.client;
    this.opening ??= this.open();
    return this.opening;
  }

  private async open(): Promise<pg.Client> {
    const client = createClient(this.url, PgSession.applicationName(), this.password);
    // Only this session's own end counts: an old session ending late must not mark its successor lost.
    const lose = (err: Error) => {
      if (this.client === client || this.client === null) this.lostWith ??= err;
    };
    client.on('error', lose);
    client.on('end', () => lose(new Error('the connection ended')));
    try {
      await client.connect();
      // A try: another session of this same process (a second store it opened) may hold it already, and
      // then this process is present all the same.
      await client.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0))', [this.key(`process:${this.owner}`)]);
    } catch (err) {
      this.opening = null;
      await client.end().catch(() => {});
      throw isConnectionFailure(err) ? unreachable(this.url, err) : err;
    }
    this.client = client;
    return client;
  }

  private async query<R extends pg.QueryResultRow>(
    client: pg.Client,
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await client.query<R>(text, values);
    } catch (err) {
      if (isConnectionFailure(err) || /Connection terminated|not queryable/i.test((err as Error).message))
        this.lostWith ??= err as Error;
      throw isConnectionFailure(err) ? unreachable(this.url, err) : err;
    }
  }
}
