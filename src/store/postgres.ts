// The store's port (sql.ts) over PostgreSQL: a pg.Pool shared by the store and the checkpointer, `?` placeholders
// numbered for the server, transactions on one pooled client, and bulk inserts with COPY.
import pg from 'pg';
import { DataError } from '../errors.js';
import { redactText } from '../redact.js';
import { describeUrl } from './db-url.js';
import { copyRows } from './pg-copy-in.js';
import type { Sql, SqlChanges, SqlValue } from './sql.js';

export { describeUrl, isPostgresUrl } from './db-url.js';

/** pg's bind message counts parameters in 16 bits: one statement takes at most this many. */
export const MAX_PARAMETERS = 65_535;

/** Statements prepared once per connection, at most this many texts (generated SQL must not grow it forever). */
const MAX_PREPARED = 500;

const INT8 = 20;
const NUMERIC = 1700;

/**
 * int8 (count(*), sums of integers, epoch milliseconds) and numeric (sums) come back as JS numbers, as they do
 * from SQLite; an int8 beyond 2^53 comes back as a bigint rather than a rounded number.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 && format !== 'binary')
      return (text: string) => {
        const n = Number(text);
        return Number.isSafeInteger(n) ? n : BigInt(text);
      };
    if (oid === NUMERIC && format !== 'binary') return (text: string) => Number(text);
    // biome-ignore lint/suspicious/noExplicitAny: pg's own overloads differ by format only.
    return pg.types.getTypeParser(oid, format as any);
  },
};

export interface PostgresOptions {
  /** Connections in the pool (the lock's connection is apart from these). */
  max?: number;
  /** A name for this process in pg_stat_activity (which replica holds what). */
  applicationName?: string;
  /** The password, when it is kept out of the URL (PACING_DB_PASSWORD); the URL's own otherwise. */
  password?: string | null;
}

/** A pool for the store and the checkpointer. Nothing connects until the first query. */
export function createPool(url: string, options: PostgresOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'pacing',
    connectionTimeoutMillis: 10_000,
    types,
    ...(options.password ? { password: options.password } : {}),
  });
  // An idle client whose server went away emits here; without a listener the process would exit. The next
  // query opens a new connection and reports its own error.
  pool.on('error', () => {});
  return pool;
}

/** A client of its own, outside the pool (a session that holds advisory locks), with the same type parsing. */
export function createClient(url: string, applicationName = 'pacing', password: string | null = null): pg.Client {
  return new pg.Client({
    connectionString: url,
    application_name: applicationName,
    connectionTimeoutMillis: 10_000,
    types,
    ...(password ? { password } : {}),
  });
}

type Queryable = pg.Pool | pg.PoolClient;

/** The port over a pool made by createPool (or any pool on the same URL). */
export function postgresSql(pool: pg.Pool, url: string): PostgresSql {
  return new PostgresSql(pool, url);
}

/** `?` placeholders numbered `$1, $2…`, leaving quoted strings, identifiers and comments alone. */
export function numberPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      const end = closingQuote(sql, i, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '?') {
      out += `$${++n}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The index just past the quote closing the one at `start` (a doubled quote is part of the text). */
function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/**
 * Statement texts already numbered, and the name each is prepared under. One map for the process: a name
 * always means one text, on whichever connection it is prepared (pg refuses a name reused for another text).
 */
const statements = new Map<string, { text: string; name: string | undefined }>();

function statement(sql: string): { text: string; name: string | undefined } {
  let s = statements.get(sql);
  if (!s) {
    const name = statements.size < MAX_PREPARED ? `pacing_${statements.size + 1}` : undefined;
    s = { text: numberPlaceholders(sql), name };
    statements.set(sql, s);
  }
  return s;
}

export class PostgresSql implements Sql {
  readonly dialect = 'postgres' as const;

  constructor(
    private readonly db: Queryable,
    /** The server's URL, named (without its password) when it cannot be reached. */
    private readonly url: string,
    /** Savepoints deep inside a transaction (0 outside one, 1 in the transaction itself). */
    private readonly depth = 0,
  ) {}

  /** The pool this port queries (the checkpointer shares it); undefined inside a transaction. */
  get pool(): pg.Pool | undefined {
    return this.db instanceof pg.Pool ? this.db : undefined;
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<SqlChanges> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    // The simple-query protocol: several statements in one round trip, no parameters.
    await this.db.query(sql);
  }

  async insertMany(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void> {
    if (rows.length === 0) return;
    if (columns.length === 0) throw new Error(`insertMany into ${table} needs at least one column`);
    for (const r of rows)
      if (r.length !== columns.length)
        throw new Error(`insertMany into ${table}: a row has ${r.length} values for ${columns.length} columns`);
    // COPY streams over one connection: outside a transaction, one is taken for it.
    if (this.db instanceof pg.Pool) return this.transaction((tx) => tx.insertMany(table, columns, rows));
    try {
      await copyRows(this.db, table, columns, rows);
    } catch (err) {
      throw isConnectionFailure(err) ? unreachable(this.url, err) : err;
    }
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    // On one client (inside a transaction, or handed one), a nested transaction is a savepoint.
    if (this.depth > 0 || !(this.db instanceof pg.Pool)) return this.savepoint(fn);
    const pool = this.db;
    const client = await connect(pool, this.url);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(new PostgresSql(client, this.url, 1));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        // The connection is unusable: it leaves the pool rather than serve the next caller.
        broken = rollbackErr as Error;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.db instanceof pg.Pool && !this.db.ended) await this.db.end();
  }

  private async savepoint<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    const name = `pacing_sp_${this.depth}`;
    await this.db.query(`SAVEPOINT ${name}`);
    try {
      const result = await fn(new PostgresSql(this.db, this.url, this.depth + 1));
      await this.db.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err) {
      await this.db.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw err;
    }
  }

  private async query(sql: string, params: readonly SqlValue[], prepare = true): Promise<pg.QueryResult> {
    const { text, name } = prepare ? statement(sql) : { text: numberPlaceholders(sql), name: undefined };
    const values = params as unknown[];
    try {
      return await (name === undefined ? this.db.query(text, values) : this.db.query({ name, text, values }));
    } catch (err) {
      throw isConnectionFailure(err) ? unreachable(this.url, err) : err;
    }
  }
}

/** A pooled client, or a DataError naming the server (without its password) when it cannot be reached. */
async function connect(pool: pg.Pool, url: string): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (err) {
    throw isConnectionFailure(err) ? unreachable(url, err) : err;
  }
}

/** Refused, unknown host, timed out, or rejected at log-in: the server was not reached as configured. */
export function isConnectionFailure(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (
    typeof e?.code === 'string' &&
    /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH)$/.test(e.code)
  )
    return true;
  // 28xxx: invalid authorisation (a wrong password, no such role); 3D000: no such database.
  if (typeof e?.code === 'string' && (/^28/.test(e.code) || e.code === '3D000')) return true;
  return /timeout exceeded when trying to connect|Connection terminated due to connection timeout/i.test(
    e?.message ?? '',
  );
}

/** The error for a server that refused or never answered, naming it without its password. */
export function unreachable(url: string, err: unknown): DataError {
  const reason = redactText((err as Error).message || String(err));
  return new DataError(
    `Cannot reach the PostgreSQL database ${describeUrl(url)} (PACING_DB): ${reason}`,
    describeUrl(url),
    null,
    'data_unreadable',
  );
}
