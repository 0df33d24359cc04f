// The store's port (sql.ts) on SQLite through better-sqlite3: one connection, its statements prepared once.
import { AsyncLocalStorage } from 'node:async_hooks';
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { Dialect, Sql, SqlChanges, SqlValue } from './sql.js';

type Statement = Database.Statement<unknown[], unknown>;

/**
 * The transaction a piece of code runs inside, if any: a query through the store (not the transaction) from
 * there would wait for the transaction to end, which waits for it. That mistake fails at once, by name.
 */
const within = new AsyncLocalStorage<object>();

/** Past this many distinct statements the cache starts again (queries built from filters vary a little). */
const MAX_STATEMENTS = 500;

/** Who may use a database file now: open while a transaction on it is open. */
interface Gate {
  inTransaction: boolean;
  /** Settles when the open transaction ends. */
  ended: Promise<void>;
  /** The open transaction, as the async context of its callback knows it. */
  current: object | null;
  /** Connections of this process that use the gate. */
  users: number;
}

/**
 * One gate per database file in this process, shared by every connection to it. Two connections in one process
 * (tests that play two processes) would otherwise deadlock: the second one's write waits for the file's lock in
 * SQLite's busy handler, which blocks the thread, while the first one's transaction waits for its next turn.
 */
const gates = new Map<string, Gate>();

function gateFor(key: string | null): Gate {
  const fresh = (): Gate => ({ inTransaction: false, ended: Promise.resolve(), current: null, users: 0 });
  // A database in memory is its connection's alone.
  if (key === null) return fresh();
  let gate = gates.get(key);
  if (!gate) {
    gate = fresh();
    gates.set(key, gate);
  }
  gate.users++;
  return gate;
}

/**
 * better-sqlite3 answers synchronously, so a query outside a transaction runs at once and its promise is already
 * settled. A transaction spans awaits: while one is open, queries from other callers wait for its end, so that
 * nothing of theirs lands inside it (and a rollback never takes their writes with it). Each waits in a loop
 * that checks again right after waking, with no await in between: another transaction may have begun meanwhile.
 */
export class SqliteSql implements Sql {
  readonly dialect: Dialect = 'sqlite';
  private readonly statements = new Map<string, Statement>();
  private readonly gate: Gate;
  /** The gate's key: the file's absolute path (null in memory). */
  private readonly file: string | null;
  private closed = false;

  /** `handle` is the raw connection, for what only SQLite has (PRAGMAs, the checkpointer, `user_version`). */
  constructor(readonly handle: Database.Database) {
    this.file = handle.memory || handle.name === '' ? null : resolve(handle.name);
    this.gate = gateFor(this.file);
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    while (this.gate.inTransaction) await this.turn();
    return this.allNow<T>(sql, params);
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    while (this.gate.inTransaction) await this.turn();
    return this.getNow<T>(sql, params);
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<SqlChanges> {
    while (this.gate.inTransaction) await this.turn();
    return this.runNow(sql, params);
  }

  async exec(sql: string): Promise<void> {
    while (this.gate.inTransaction) await this.turn();
    this.handle.exec(sql);
  }

  async insertMany(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void> {
    while (this.gate.inTransaction) await this.turn();
    this.insertManyNow(table, columns, rows);
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    while (this.gate.inTransaction) await this.turn();
    let end = (): void => {};
    const token = {};
    const gate = this.gate;
    gate.inTransaction = true;
    gate.current = token;
    gate.ended = new Promise<void>((resolve) => {
      end = resolve;
    });
    const tx = new SqliteTransaction(this);
    try {
      this.handle.exec('BEGIN IMMEDIATE');
    } catch (err) {
      gate.inTransaction = false;
      gate.current = null;
      end();
      throw err;
    }
    try {
      const result = await within.run(token, () => fn(tx));
      this.handle.exec('COMMIT');
      return result;
    } catch (err) {
      // A failed COMMIT (or a statement that failed the transaction) may have ended it already.
      if (this.handle.inTransaction) this.handle.exec('ROLLBACK');
      throw err;
    } finally {
      tx.ended = true;
      gate.inTransaction = false;
      gate.current = null;
      end();
    }
  }

  /**
   * What to wait for while a transaction is open: its end. Asked from inside that very transaction (a query
   * through the store instead of the transaction's), waiting would never end: refused instead.
   */
  private turn(): Promise<void> {
    if (this.gate.current !== null && within.getStore() === this.gate.current)
      throw new Error(
        'A query went through the store inside one of its transactions and would wait for that transaction: query through the transaction (the store `transaction` gives its callback).',
      );
    return this.gate.ended;
  }

  async close(): Promise<void> {
    while (this.gate.inTransaction) await this.turn();
    this.statements.clear();
    if (!this.closed) {
      this.closed = true;
      if (--this.gate.users <= 0 && this.file !== null && gates.get(this.file) === this.gate) gates.delete(this.file);
    }
    if (this.handle.open) this.handle.close();
  }

  /** The statement for `sql`, prepared on first use. */
  statement(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size >= MAX_STATEMENTS) this.statements.clear();
      s = this.handle.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /**
   * The rows one at a time, as they are read (SQLite only): a large read's text becomes garbage row by row. The
   * connection serves nothing else until the iteration ends.
   */
  iterate<T>(sql: string, params: readonly SqlValue[] = []): IterableIterator<T> {
    return this.statement(sql).iterate(...params) as IterableIterator<T>;
  }

  allNow<T>(sql: string, params: readonly SqlValue[]): T[] {
    return this.statement(sql).all(...params) as T[];
  }

  getNow<T>(sql: string, params: readonly SqlValue[]): T | undefined {
    return this.statement(sql).get(...params) as T | undefined;
  }

  runNow(sql: string, params: readonly SqlValue[]): SqlChanges {
    return { changes: this.statement(sql).run(...params).changes };
  }

  insertManyNow(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): void {
    if (rows.length === 0) return;
    const insert = this.statement(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    );
    for (const row of rows) insert.run(...row);
  }
}

/** The open transaction's view of the connection: it queries at once (it holds the connection). */
class SqliteTransaction implements Sql {
  readonly dialect: Dialect = 'sqlite';
  ended = false;

  constructor(
    private readonly conn: SqliteSql,
    /** Savepoints deep (1 in the transaction itself), as PostgreSQL's adapter counts them. */
    private readonly depth = 1,
  ) {}

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    this.check();
    return this.conn.allNow<T>(sql, params);
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    this.check();
    return this.conn.getNow<T>(sql, params);
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<SqlChanges> {
    this.check();
    return this.conn.runNow(sql, params);
  }

  async exec(sql: string): Promise<void> {
    this.check();
    this.conn.handle.exec(sql);
  }

  async insertMany(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void> {
    this.check();
    this.conn.insertManyNow(table, columns, rows);
  }

  /**
   * Already in one: `fn` runs in a savepoint of it, as on PostgreSQL. Its writes commit with the outer
   * transaction's, and go alone if it fails (the outer transaction may catch that and go on).
   */
  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    this.check();
    const db = this.conn.handle;
    const name = `pacing_sp_${this.depth}`;
    db.exec(`SAVEPOINT ${name}`);
    const inner = new SqliteTransaction(this.conn, this.depth + 1);
    try {
      const result = await fn(inner);
      db.exec(`RELEASE ${name}`);
      return result;
    } catch (err) {
      // A statement that failed the whole transaction leaves no savepoint to go back to.
      if (db.inTransaction) {
        db.exec(`ROLLBACK TO ${name}`);
        db.exec(`RELEASE ${name}`);
      }
      throw err;
    } finally {
      inner.ended = true;
    }
  }

  async close(): Promise<void> {
    throw new Error('A transaction cannot close the database; close the store.');
  }

  private check(): void {
    if (this.ended) throw new Error('This transaction has ended: query through the store, not its transaction.');
  }
}
