// Brings a PostgreSQL database's schema up to date, once, whichever replica starts first: the app's migrations
// (pg-schema.ts) and the checkpointer's tables (PostgresSaver.setup, which takes no lock of its own) run on one
// dedicated connection holding a session advisory lock, so replicas starting together wait for one another.
import type { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type pg from 'pg';
import { DataError } from '../errors.js';
import { BatchedPostgresSaver } from './pg-saver.js';
import { PG_MIGRATIONS } from './pg-schema.js';
import { describeUrl, isConnectionFailure, unreachable } from './postgres.js';

export interface PgMigrationReport {
  /** The schema that holds the tables (the connection's search_path). */
  schema: string;
  from: number;
  to: number;
  /** Versions applied by this call (empty when another replica, or an earlier start, had done it). */
  applied: number[];
}

/** What the app's advisory locks are keyed by within a database: one namespace per schema. */
export function lockKey(schema: string, name: string): string {
  return `pacing:${schema}:${name}`;
}

/** The schema a connection's unqualified names land in, or a DataError when its search_path names none. */
export async function currentSchema(client: pg.ClientBase | pg.Pool, url: string): Promise<string> {
  const { rows } = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
  const schema = rows[0]?.schema;
  if (!schema)
    throw new DataError(
      `The PostgreSQL database ${describeUrl(url)} (PACING_DB) has no schema to write to: its search_path names none that exists. Create it (CREATE SCHEMA …) or fix the URL's options=-c search_path=….`,
      describeUrl(url),
      null,
      'data_unreadable',
    );
  return schema;
}

/**
 * The checkpointer over `pool`, writing to `schema` (PostgresSaver names its tables with the schema), each of
 * its writes one statement (pg-saver.ts).
 */
export function postgresSaver(pool: pg.Pool, schema: string): PostgresSaver {
  return new BatchedPostgresSaver(pool, schema);
}

/**
 * The checkpointer's last migration (the highest `v` in its checkpoint_migrations table) in the installed
 * @langchain/langgraph-checkpoint-postgres; test/store/pg-schema.test.ts checks it against the package.
 */
export const SAVER_MIGRATED = 4;

/**
 * Runs the migrations this app knows that the database has not had, and the checkpointer's set-up. A database
 * already up to date is seen in one query, without the lock: every command opens the store, and the set-up's
 * CREATE SCHEMA needs a privilege the app's role may rightly lack once `pacing migrate` has run.
 */
export async function migratePostgres(pool: pg.Pool, url: string): Promise<PgMigrationReport> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw isConnectionFailure(err) ? unreachable(url, err) : err;
  }
  let broken: Error | undefined;
  try {
    const schema = await currentSchema(client, url);
    const current = await upToDate(client);
    if (current !== null) return { schema, from: current, to: current, applied: [] };
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockKey(schema, 'migrate')]);
    try {
      return await migrateLocked(client, url, schema);
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey(schema, 'migrate')]);
    }
  } catch (err) {
    if (isConnectionFailure(err)) {
      broken = err as Error;
      throw unreachable(url, err);
    }
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * Under the lock: every migration the database lacks and the checkpointer's set-up, in one transaction (one
 * commit: a fresh schema is ready in a few round trips, and a failure leaves it as it was). The app's migrations
 * go in one multi-statement message; the set-up runs its own queries on this connection, each in a savepoint,
 * since it probes for its table by letting a query fail.
 */
async function migrateLocked(client: pg.PoolClient, url: string, schema: string): Promise<PgMigrationReport> {
  await client.query('BEGIN');
  try {
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, sqlite_version INTEGER NOT NULL, applied_at TEXT NOT NULL)`,
    );
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
    const from = rows[0]?.v ?? 0;
    if (from > PG_MIGRATIONS.length)
      throw new DataError(
        `The PostgreSQL database ${describeUrl(url)} was written by a newer Pacing Agent (schema ${from}, this one knows ${PG_MIGRATIONS.length}); upgrade the app.`,
        describeUrl(url),
      );
    const applied: number[] = [];
    const at = new Date().toISOString();
    const steps: string[] = [];
    for (let v = from; v < PG_MIGRATIONS.length; v++) {
      const migration = PG_MIGRATIONS[v] as (typeof PG_MIGRATIONS)[number];
      steps.push(
        migration.sql,
        `;\nINSERT INTO schema_version (version, sqlite_version, applied_at) VALUES (${v + 1}, ${migration.sqlite}, '${at}');\n`,
      );
      applied.push(v + 1);
    }
    if (steps.length) await client.query(steps.join(''));
    await postgresSaver(inSavepoints(client), schema).setup();
    await client.query('COMMIT');
    return { schema, from, to: PG_MIGRATIONS.length, applied };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** A stand-in for the pool that hands out `client` (inside a transaction), each query in a savepoint of its own. */
function inSavepoints(client: pg.PoolClient): pg.Pool {
  const query = async (text: string, values?: unknown[]) => {
    await client.query('SAVEPOINT pacing_setup');
    try {
      const result = await client.query(text, values);
      await client.query('RELEASE SAVEPOINT pacing_setup');
      return result;
    } catch (err) {
      await client.query('ROLLBACK TO SAVEPOINT pacing_setup');
      throw err;
    }
  };
  const lent = { query, release: () => {} };
  return { connect: async () => lent, query } as unknown as pg.Pool;
}

/** The schema's version when both the app's and the checkpointer's migrations are all in, else null. */
async function upToDate(client: pg.PoolClient): Promise<number | null> {
  try {
    const { rows } = await client.query<{ app: number | null; saver: number | null }>(
      'SELECT (SELECT max(version) FROM schema_version) AS app, (SELECT max(v) FROM checkpoint_migrations) AS saver',
    );
    const r = rows[0];
    return r?.app === PG_MIGRATIONS.length && r.saver === SAVER_MIGRATED ? r.app : null;
  } catch (err) {
    // 42P01: a table is missing (a fresh database): the migrations say what to do, under their lock.
    if ((err as { code?: string }).code === '42P01') return null;
    throw err;
  }
}
