// `pacing migrate`: the schema brought up to date alone, and an existing SQLite database copied into an empty
// PostgreSQL one (every table, the escalation threads' checkpoints) by the real CLI.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { PG_MIGRATIONS } from '../../src/store/pg-schema.js';
import { ensureBuilt, pacing, pacingJson, type Workspace, workspace } from '../fakes/pacing-cli.js';
import { useTestSchema } from '../pg/harness.js';

interface MigrateDoc {
  engine: string;
  database: string;
  schema: string | null;
  from: number;
  to: number;
  applied: number[];
  copied: { source: string; tables: Record<string, number>; threads: number; checkpoints: number } | null;
}

beforeAll(ensureBuilt);

const db = useTestSchema();
let ws: Workspace;
beforeEach(() => {
  ws = workspace();
});
afterEach(() => ws.cleanup());

describe('pacing migrate on PostgreSQL', () => {
  it('migrates an empty database once and says so, then finds nothing to do', async () => {
    const first = await pacingJson<MigrateDoc>(ws, ['migrate'], { PACING_DB: db.url });
    expect(first).toEqual({
      engine: 'postgres',
      // The URL's user is redacted with its password, as every URL's credentials are.
      database: db.url.replace('postgres://postgres@', 'postgres://[redacted]@'),
      schema: db.schema,
      from: 0,
      to: PG_MIGRATIONS.length,
      applied: PG_MIGRATIONS.map((_, i) => i + 1),
      copied: null,
    });
    const again = await pacing(ws, ['migrate'], { PACING_DB: db.url });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`(schema ${db.schema}) is at schema ${PG_MIGRATIONS.length}: nothing to migrate.`);
  });

  it('copies a SQLite database with its escalation threads, in one go, into an empty database only', async () => {
    const run = await pacing(ws, ['run', '--json']);
    expect(run.code).toBe(0);
    const doc = await pacingJson<MigrateDoc>(ws, ['migrate', '--from', ws.db], { PACING_DB: db.url });

    const source = new Database(ws.db, { readonly: true });
    const tables = (
      source.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
        name: string;
      }[]
    )
      .map((r) => r.name)
      .filter((n) => n !== 'checkpoints' && n !== 'writes');
    const counts = Object.fromEntries(
      tables.map((t) => [t, (source.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n]),
    );
    expect(doc.copied?.tables).toEqual(counts);
    expect(counts.results).toBeGreaterThan(0);
    expect(counts.escalations).toBeGreaterThan(0);
    const threads = source.prepare('SELECT DISTINCT thread_id FROM checkpoints ORDER BY 1').all() as {
      thread_id: string;
    }[];
    expect(threads.length).toBeGreaterThan(0);
    expect(doc.copied).toMatchObject({
      source: ws.db,
      threads: threads.length,
      checkpoints: (source.prepare('SELECT count(*) AS n FROM checkpoints').get() as { n: number }).n,
    });

    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      // Row for row: the results of the run read the same on both.
      const sqliteResults = source
        .prepare('SELECT run_id, seq, key, data, actual_spend FROM results ORDER BY run_id, seq')
        .all();
      const pgResults = await pool.query(
        'SELECT run_id, seq::int, key, data, actual_spend FROM results ORDER BY run_id, seq',
      );
      expect(pgResults.rows).toEqual(sqliteResults);
      // Insertion order survives: SQLite's rowid lands in the identity PostgreSQL orders by, and goes on after.
      const order = source.prepare('SELECT id, rowid AS seq FROM escalations ORDER BY rowid').all();
      expect((await pool.query('SELECT id, seq::int FROM escalations ORDER BY seq')).rows).toEqual(order);
      // The audit trail goes on after the copied ids.
      const maxId = (source.prepare('SELECT max(id) AS id FROM audit').get() as { id: number }).id;
      const next = await pool.query(
        `INSERT INTO audit (at, type, actor, details) VALUES ('2026-11-21T00:00:00Z', 'run_started', 'test', '{}') RETURNING id::int`,
      );
      expect(next.rows[0].id).toBe(maxId + 1);

      // Each thread resumes from the same state: the latest checkpoint, its values and pending writes.
      const fromSqlite = new SqliteSaver(source);
      const fromPostgres = new PostgresSaver(pool, undefined, { schema: db.schema });
      for (const { thread_id } of threads) {
        const config = { configurable: { thread_id, checkpoint_ns: '' } };
        const a = await fromSqlite.getTuple(config);
        const b = await fromPostgres.getTuple(config);
        expect(b?.checkpoint.id).toBe(a?.checkpoint.id);
        // SqliteSaver lists an empty `__pregel_tasks` (no pending sends) that PostgresSaver leaves out.
        const { __pregel_tasks: sends, ...values } = a?.checkpoint.channel_values ?? {};
        expect(sends ?? []).toEqual([]);
        expect(b?.checkpoint.channel_values).toEqual(values);
        expect(b?.checkpoint.channel_versions).toEqual(a?.checkpoint.channel_versions);
        expect(b?.metadata).toEqual(a?.metadata);
        expect(b?.pendingWrites).toEqual(a?.pendingWrites);
        expect(b?.parentConfig?.configurable?.checkpoint_id).toBe(a?.parentConfig?.configurable?.checkpoint_id);
      }
    } finally {
      await pool.end();
      source.close();
    }

    const twice = await pacing(ws, ['migrate', '--from', ws.db], { PACING_DB: db.url });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(
      /is not empty \(.*audit.*\): pacing migrate --from copies into an empty database only/,
    );
  });

  it('refuses a SQLite file a newer app wrote, and copies nothing', async () => {
    await pacing(ws, ['run', '--json']);
    const newer = join(ws.dir, 'newer.db');
    copyFileSync(ws.db, newer);
    const file = new Database(newer);
    file.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    file.close();
    const out = await pacing(ws, ['migrate', '--from', newer], { PACING_DB: db.url });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('written by a newer Pacing Agent');
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      expect((await pool.query('SELECT count(*)::int AS n FROM runs')).rows[0]).toEqual({ n: 0 });
    } finally {
      await pool.end();
    }
  });

  it('names a missing source file', async () => {
    const out = await pacing(ws, ['migrate', '--from', join(ws.dir, 'nope.db')], { PACING_DB: db.url });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`There is no SQLite database at ${join(ws.dir, 'nope.db')} to copy`);
  });
});

describe('pacing migrate, its errors', () => {
  it('names a server it cannot reach without printing the password of its URL', async () => {
    const url = 'postgres://pacing:Sup3r-s3cret-pw@127.0.0.1:1/pacing';
    for (const args of [['migrate'], ['migrate', '--from', ws.db], ['migrate', '--json']]) {
      const out = await pacing(ws, args, { PACING_DB: url });
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(
        /Cannot reach the PostgreSQL database postgres:\/\/\[redacted\]@127\.0\.0\.1:1\/pacing \(PACING_DB\)/,
      );
      expect(out.stdout + out.stderr).not.toContain('Sup3r-s3cret-pw');
    }
  });

  it('on a SQLite file, migrates it and refuses --from', async () => {
    const doc = await pacingJson<MigrateDoc>(ws, ['migrate']);
    expect(doc).toMatchObject({ engine: 'sqlite', from: 0, to: MIGRATIONS.length, copied: null });
    expect((await pacingJson<MigrateDoc>(ws, ['migrate'])).applied).toEqual([]);
    const from = await pacing(ws, ['migrate', '--from', ws.db]);
    expect(from.code).toBe(2);
    expect(from.stderr).toContain(
      '--from copies a SQLite database into PostgreSQL: set PACING_DB to a postgres:// URL first.',
    );
  });

  it('takes --from for migrate only', async () => {
    const out = await pacing(ws, ['status', '--from', ws.db]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--from is for migrate.');
  });
});
