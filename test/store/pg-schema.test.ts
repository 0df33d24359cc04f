import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { migratePostgres, SAVER_MIGRATED } from '../../src/store/pg-migrate.js';
import { PG_MIGRATIONS, PG_ONLY_TABLES, ROWID_COLUMNS } from '../../src/store/pg-schema.js';
import { createPool } from '../../src/store/postgres.js';
import { PG_SERVER_URL, urlInSchema, useTestSchema } from '../pg/harness.js';

const CHECKPOINT_TABLES = ['checkpoints', 'checkpoint_blobs', 'checkpoint_migrations', 'checkpoint_writes'];

interface Column {
  name: string;
  notNull: boolean;
  key: boolean;
}

function sqliteColumns(): Record<string, Column[]> {
  const db = new Database(':memory:');
  for (const m of MIGRATIONS) db.exec(m);
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  const out: Record<string, Column[]> = {};
  for (const { name } of tables) {
    const cols = db.pragma(`table_info(${name})`) as { name: string; notnull: number; pk: number }[];
    out[name] = cols
      .map((c) => ({ name: c.name, notNull: c.notnull === 1 || c.pk > 0, key: c.pk > 0 }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
  db.close();
  return out;
}

async function postgresColumns(pool: pg.Pool): Promise<Record<string, Column[]>> {
  const { rows } = await pool.query<{ table_name: string; column_name: string; is_nullable: string; key: boolean }>(
    `SELECT c.table_name, c.column_name, c.is_nullable,
            EXISTS (SELECT 1 FROM information_schema.key_column_usage k
                    JOIN information_schema.table_constraints tc ON tc.constraint_name = k.constraint_name
                      AND tc.table_schema = k.table_schema AND tc.constraint_type = 'PRIMARY KEY'
                    WHERE k.table_schema = c.table_schema AND k.table_name = c.table_name
                      AND k.column_name = c.column_name) AS key
     FROM information_schema.columns c WHERE c.table_schema = current_schema()`,
  );
  const out: Record<string, Column[]> = {};
  for (const r of rows) {
    if (PG_ONLY_TABLES.includes(r.table_name) || CHECKPOINT_TABLES.includes(r.table_name)) continue;
    // SQLite's rowid, which table_info does not list.
    if (ROWID_COLUMNS[r.table_name] === r.column_name) continue;
    const cols = out[r.table_name] ?? [];
    cols.push({ name: r.column_name, notNull: r.is_nullable === 'NO', key: r.key });
    out[r.table_name] = cols;
  }
  for (const cols of Object.values(out)) cols.sort((a, b) => a.name.localeCompare(b.name));
  return out;
}

describe('the PostgreSQL schema', () => {
  const db = useTestSchema();

  it('is level with the newest SQLite schema (port each new SQLite migration to pg-schema.ts)', () => {
    expect(PG_MIGRATIONS.at(-1)?.sqlite).toBe(MIGRATIONS.length);
    const levels = PG_MIGRATIONS.map((m) => m.sqlite);
    expect(levels).toEqual([...levels].sort((a, b) => a - b));
  });

  it('has the tables, columns, keys and NOT NULLs the SQLite schema has after its migrations', async () => {
    const pool = createPool(db.url, { max: 3 });
    try {
      await migratePostgres(pool, db.url);
      expect(await postgresColumns(pool)).toEqual(sqliteColumns());
      const { rows } = await pool.query<{ name: string }>(
        `SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%_pkey'
         AND indexname NOT LIKE '%_seq_key'
         AND tablename <> ALL ($1) ORDER BY 1`,
        [CHECKPOINT_TABLES],
      );
      const sqlite = new Database(':memory:');
      for (const m of MIGRATIONS) sqlite.exec(m);
      const sqliteIndexes = sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
        .all() as { name: string }[];
      sqlite.close();
      expect(rows.map((r) => r.name)).toEqual(sqliteIndexes.map((r) => r.name).sort());
    } finally {
      await pool.end();
    }
  });

  it('keeps the audit trail append-only, as SQLite does', async () => {
    const pool = createPool(db.url, { max: 3 });
    try {
      await migratePostgres(pool, db.url);
      await pool.query(`INSERT INTO audit (at, type, actor, details) VALUES ('2026-01-01', 'run_started', 'x', '{}')`);
      await expect(pool.query(`UPDATE audit SET actor = 'y'`)).rejects.toThrow(/append-only/);
      await expect(pool.query('DELETE FROM audit')).rejects.toThrow(/append-only/);
      await expect(pool.query('TRUNCATE audit')).rejects.toThrow(/append-only/);
      expect((await pool.query('SELECT count(*)::int AS n FROM audit')).rows[0]).toEqual({ n: 1 });
    } finally {
      await pool.end();
    }
  });
});

describe('migratePostgres', () => {
  const db = useTestSchema();

  it('migrates once, however many replicas start together, with the checkpointer set up', async () => {
    const pools = Array.from({ length: 4 }, () => createPool(db.url, { max: 2 }));
    try {
      const reports = await Promise.all(pools.map((p) => migratePostgres(p, db.url)));
      const applied = reports.flatMap((r) => r.applied);
      expect(applied).toEqual(PG_MIGRATIONS.map((_, i) => i + 1));
      for (const r of reports) expect(r).toMatchObject({ schema: db.schema, to: PG_MIGRATIONS.length });
      const pool = pools[0] as pg.Pool;
      const versions = await pool.query('SELECT version, sqlite_version FROM schema_version ORDER BY version');
      expect(versions.rows).toEqual(PG_MIGRATIONS.map((m, i) => ({ version: i + 1, sqlite_version: m.sqlite })));
      const tables = await pool.query<{ t: string }>(
        `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'checkpoint%' ORDER BY 1`,
      );
      expect(tables.rows.map((r) => r.t)).toEqual([...CHECKPOINT_TABLES].sort());
      // Nothing leaked into the server's public schema.
      const outside = await pool.query(
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'schema_version'`,
      );
      expect(outside.rows[0]).toEqual({ n: 0 });

      // The checkpointer's own migrations end where this app expects (a newer package would add some).
      const saver = await pool.query('SELECT max(v) AS v FROM checkpoint_migrations');
      expect(saver.rows[0]).toEqual({ v: SAVER_MIGRATED });

      const again = await migratePostgres(pool, db.url);
      expect(again).toEqual({ schema: db.schema, from: PG_MIGRATIONS.length, to: PG_MIGRATIONS.length, applied: [] });
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('migrates in one transaction: a set-up that fails leaves the schema as it found it', async () => {
    const pool = createPool(db.url, { max: 2 });
    try {
      // A table in the way of the checkpointer's last migration (it alters checkpoint_blobs.blob).
      await pool.query('CREATE TABLE checkpoint_blobs (thread_id TEXT)');
      await expect(migratePostgres(pool, db.url)).rejects.toThrow(/blob/);
      const { rows } = await pool.query<{ t: string }>(
        `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`,
      );
      expect(rows.map((r) => r.t)).toEqual(['checkpoint_blobs']);
      // Out of the way, the next start migrates it whole.
      await pool.query('DROP TABLE checkpoint_blobs');
      expect(await migratePostgres(pool, db.url)).toMatchObject({
        from: 0,
        applied: PG_MIGRATIONS.map((_, i) => i + 1),
      });
    } finally {
      await pool.end();
    }
  });

  it('refuses a database written by a newer app', async () => {
    const pool = createPool(db.url, { max: 2 });
    try {
      await migratePostgres(pool, db.url);
      await pool.query(`INSERT INTO schema_version VALUES ($1, 99, 'later')`, [PG_MIGRATIONS.length + 1]);
      const err = await migratePostgres(pool, db.url).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(
        new RegExp(
          `written by a newer Pacing Agent \\(schema ${PG_MIGRATIONS.length + 1}, this one knows ${PG_MIGRATIONS.length}\\); upgrade the app`,
        ),
      );
    } finally {
      await pool.end();
    }
  });

  it('opens a migrated database as a role that may only read and write its tables (no CREATE, no lock)', async () => {
    const owner = createPool(db.url, { max: 2 });
    const role = `pacing_app_${randomBytes(4).toString('hex')}`;
    try {
      await migratePostgres(owner, db.url);
      await owner.query(`CREATE ROLE ${role} LOGIN`);
      await owner.query(`GRANT USAGE ON SCHEMA ${db.schema} TO ${role}`);
      await owner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${db.schema} TO ${role}`);
      await owner.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${db.schema} TO ${role}`);
      const url = urlInSchema(PG_SERVER_URL.replace('://postgres@', `://${role}@`), db.schema);
      const app = createPool(url, { max: 2 });
      try {
        expect(await migratePostgres(app, url)).toMatchObject({ applied: [], to: PG_MIGRATIONS.length });
        await expect(app.query(`CREATE SCHEMA ${role}_own`)).rejects.toThrow(/permission denied/);
      } finally {
        await app.end();
      }
    } finally {
      await owner.query(`DROP OWNED BY ${role}`).catch(() => {});
      await owner.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
      await owner.end();
    }
  });

  it('says when the URL points at a schema that does not exist', async () => {
    const url = urlInSchema(PG_SERVER_URL, 'pacing_test_no_such_schema');
    const pool = createPool(url, { max: 2 });
    try {
      await expect(migratePostgres(pool, url)).rejects.toThrow(/has no schema to write to.*CREATE SCHEMA/);
    } finally {
      await pool.end();
    }
  });
});
