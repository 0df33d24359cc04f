// The store's one door to its database engine: SQLite (an embedded file, the default) or PostgreSQL (several
// replicas on one server). The store's queries are written once against this port; where the two engines
// differ (a claim with FOR UPDATE SKIP LOCKED, a JSON merge), the store asks `dialect` and writes both.

export type Dialect = 'sqlite' | 'postgres';

/** A value bound to a placeholder. Booleans are stored as 0/1 on both engines. */
export type SqlValue = string | number | bigint | null | Uint8Array;

export interface SqlChanges {
  /** How many rows the statement inserted, updated or deleted. */
  changes: number;
}

/**
 * One connection's worth of queries (SQLite) or a pool's (PostgreSQL). Placeholders are `?` in order, on both
 * engines (the PostgreSQL adapter numbers them). Ids of new rows come back with `RETURNING`, which both have.
 */
export interface Sql {
  readonly dialect: Dialect;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<SqlChanges>;
  /** Several statements without parameters (a migration). */
  exec(sql: string): Promise<void>;
  /**
   * Inserts many rows into one table in as few round trips as the engine allows (a prepared statement in a
   * loop on SQLite, COPY on PostgreSQL). Call it inside `transaction` for one commit.
   */
  insertMany(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void>;
  /**
   * Runs `fn` in one transaction: all of its writes land, or none. Inside, query through `tx` only: on SQLite
   * the one connection is held for the transaction (other callers wait), on PostgreSQL `tx` is one pooled client.
   * SQLite begins IMMEDIATE, so writers from other processes wait rather than fail at commit.
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A column that orders a table's rows as they were inserted, to break ties between equal times: SQLite's
 * `rowid`; on PostgreSQL the `seq` column its schema gives `runs`, `escalations` and `pause_intents` (an
 * identity). `alias` is the table's alias in the query, if any.
 */
export function insertionOrder(sql: Sql, alias?: string): string {
  const column = sql.dialect === 'sqlite' ? 'rowid' : 'seq';
  return alias ? `${alias}.${column}` : column;
}

/**
 * A text value inside a JSON text column, as an SQL expression: `path` names the keys from the top
 * (`['details', 'pause']`). Null when absent.
 */
export function jsonText(sql: Sql, column: string, path: readonly string[]): string {
  return sql.dialect === 'sqlite'
    ? `json_extract(${column}, '$.${path.join('.')}')`
    : `(${column}::jsonb #>> '{${path.join(',')}}')`;
}

/**
 * Takes a queued item (outbox or page_events) for a lease: parameters `leasedUntil, leasedUntil, id, now`; one
 * row changed means this caller has it. On PostgreSQL the row is locked FOR UPDATE SKIP LOCKED, so a replica
 * claiming it at the same moment passes it over at once instead of queueing behind the lock to find it taken.
 * SQLite has one writer at a time: the conditional UPDATE alone decides.
 */
export function claimQuery(sql: Sql, table: 'outbox' | 'page_events'): string {
  const due = `id = ? AND status = 'pending' AND next_attempt_at <= ?`;
  return sql.dialect === 'sqlite'
    ? `UPDATE ${table} SET next_attempt_at = ?, leased_until = ? WHERE ${due}`
    : `UPDATE ${table} SET next_attempt_at = ?, leased_until = ? WHERE id = (SELECT id FROM ${table} WHERE ${due} FOR UPDATE SKIP LOCKED)`;
}
