// Opens PostgreSQL for the store: the pool (shared with the checkpointer), the schema migrated once (under its
// lock), and this process's own session for the run lock and its presence. Loaded only for a postgres:// URL.
import type pg from 'pg';
import { migratePostgres, type PgMigrationReport, postgresSaver } from './pg-migrate.js';
import { PgRunLocks } from './pg-run-lock.js';
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
    const session = new PgSession(url, migration.schema, undefined, password);
    await session.start();
    const sql = postgresSql(pool, url);
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
