// Bringing PACING_DB's schema up to date on its own (`pacing migrate`), and copying a SQLite database into an
// empty PostgreSQL one (`--from`): the store's work, put together here for the CLI, which does not reach into
// the store itself.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { openDb } from './store/db.js';
import { describeUrl, isPostgresUrl } from './store/db-url.js';
import { MIGRATIONS } from './store/migrations.js';

export interface MigrateDoc {
  engine: 'sqlite' | 'postgres';
  /** The database, its URL's credentials redacted. */
  database: string;
  /** PostgreSQL's schema (the URL's search_path); null on SQLite. */
  schema: string | null;
  from: number;
  to: number;
  applied: number[];
  /** What --from copied; null without it. */
  copied: { source: string; tables: Record<string, number>; threads: number; checkpoints: number } | null;
}

export function databaseEngine(dbPath: string): 'sqlite' | 'postgres' {
  return isPostgresUrl(dbPath) ? 'postgres' : 'sqlite';
}

/** Migrates the database PACING_DB names; with `from`, then copies that SQLite file into it (PostgreSQL only). */
export async function migrateDatabase(
  dbPath: string,
  from: string | undefined,
  password: string | null = null,
): Promise<MigrateDoc> {
  if (databaseEngine(dbPath) === 'sqlite') {
    if (from !== undefined) throw new Error('--from copies into PostgreSQL only');
    return migrateSqlite(dbPath);
  }
  // pg and LangGraph's PostgreSQL saver load only for a PostgreSQL database.
  const [{ createPool }, { migratePostgres }, { copySqliteToPostgres }] = await Promise.all([
    import('./store/postgres.js'),
    import('./store/pg-migrate.js'),
    import('./store/pg-copy.js'),
  ]);
  const pool = createPool(dbPath, { max: 3, password });
  try {
    const report = await migratePostgres(pool, dbPath);
    const copied = from === undefined ? null : { source: from, ...(await copySqliteToPostgres(from, pool, dbPath)) };
    return {
      engine: 'postgres',
      database: describeUrl(dbPath),
      schema: report.schema,
      from: report.from,
      to: report.to,
      applied: report.applied,
      copied,
    };
  } finally {
    await pool.end();
  }
}

function migrateSqlite(file: string): MigrateDoc {
  // The version before is read first (read-only) so the answer can say what changed; openDb migrates, and
  // refuses a file a newer app wrote.
  const before = sqliteVersion(file);
  openDb(file).close();
  const applied = Array.from({ length: Math.max(0, MIGRATIONS.length - before) }, (_, i) => before + i + 1);
  return { engine: 'sqlite', database: file, schema: null, from: before, to: MIGRATIONS.length, applied, copied: null };
}

/** A SQLite file's schema version without changing it (0 for a file that does not exist yet). */
function sqliteVersion(file: string): number {
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}
