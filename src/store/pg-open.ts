// Opens PostgreSQL for the store: the pool (shared with the checkpointer), the schema migrated once (under its
// lock), and this process's own session for the run lock and its presence. Loaded only for a postgres:// URL.
import type pg from 'pg';
import { DataError } from '../errors.js';
import { describeUrl } from './db-url.js';
import { migratePostgres, type PgMigrationReport, postgresSaver } from './pg-migrate.js';
import { PgRunLocks } from './pg-run-lock.js';
import { PG_MIGRATIONS } from './pg-schema.js';
import { PgSession } from './pg-session.js';
import { createPool, type PostgresSql, postgresSql } from './postgres.js';

export interface PostgresDatabase {
  sql: PostgresSql;
  pool: pg.Pool;
  /** The schema the tables are in (the URL's search_path). */
  schema: string;
  session: PgSession;
  locks: PgRunLocks;
  migration: PgMigrationReport;
  /** LangGraph's checkpointer on the same pool and schema. */
  checkpointer(): ReturnType<typeof postgresSaver>;
  close(): Promise<void>;
}

export async function openPostgres(url: string, password: string | null = null): Promise<PostgresDatabase> {
  const pool = createPool(url, { password, applicationName: PgSession.applicationName() });
  try {
    const migration = await migratePostgres(pool, url);
    const sql = postgresSql(pool, url);
    const session = new PgSession(url, migration.schema, undefined, password, sql);
    await session.start();
    let saver: ReturnType<typeof postgresSaver> | null = null;
    return {
      sql,
      pool,
      schema: migration.schema,
      session,
      locks: new PgRunLocks(sql, session),
      migration,
      checkpointer: () => {
        saver ??= postgresSaver(pool, migration.schema);
        return saver;
      },
      close: async () => {
        await session.close();
        await sql.close();
      },
    };
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}

/**
 * PostgreSQL for reading only (a replay): every session read-only, nothing migrated, no session of this
 * process's own. Null when the schema holds no database yet; an error when its version is not the one this app
 * reads (as for a SQLite file).
 */
export async function openPostgresReadOnly(url: string, password: string | null = null): Promise<PostgresSql | null> {
  const pool = createPool(readOnlyUrl(url), { password, max: 4, applicationName: PgSession.applicationName() });
  const sql = postgresSql(pool, url);
  try {
    const version = await schemaVersion(sql);
    if (version === null) {
      await sql.close();
      return null;
    }
    if (version !== PG_MIGRATIONS.length)
      throw new DataError(
        version > PG_MIGRATIONS.length
          ? `The PostgreSQL database ${describeUrl(url)} was written by a newer Pacing Agent (schema ${version}, this one knows ${PG_MIGRATIONS.length}); upgrade the app.`
          : `The PostgreSQL database's schema (${version}) is older than this version's (${PG_MIGRATIONS.length}): run any other command (npx pacing status), or npx pacing migrate, once to bring it up to date.`,
        describeUrl(url),
      );
    return sql;
  } catch (err) {
    await sql.close();
    throw err;
  }
}

/** The schema's version, or null when it has no schema_version table (nothing was ever migrated there). */
async function schemaVersion(sql: PostgresSql): Promise<number | null> {
  try {
    return (await sql.get<{ v: number | null }>('SELECT max(version) AS v FROM schema_version'))?.v ?? 0;
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return null;
    throw err;
  }
}

/** The URL with every session read-only from its start (added to the URL's own `options`, e.g. its search_path). */
export function readOnlyUrl(url: string): string {
  const parsed = new URL(url);
  const options = parsed.searchParams.get('options');
  parsed.searchParams.set('options', `${options ? `${options} ` : ''}-c default_transaction_read_only=on`);
  return parsed.toString();
}
