// `pacing migrate --from <file>`: an existing SQLite database copied into an empty PostgreSQL one, in one
// transaction (all of it lands, or none): every table row for row, identity counters moved past the copied
// ids, and each escalation thread's checkpoints read with SqliteSaver and written with PostgresSaver.
import { existsSync } from 'node:fs';
import type { Checkpoint, CheckpointMetadata, CheckpointTuple } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import type pg from 'pg';
import { DataError } from '../errors.js';
import { type Db, openDb } from './db.js';
import { MIGRATIONS } from './migrations.js';
import { migratePostgres, postgresSaver } from './pg-migrate.js';
import { PG_MIGRATIONS, PG_ONLY_TABLES, ROWID_COLUMNS } from './pg-schema.js';
import { describeUrl, PostgresSql } from './postgres.js';
import type { SqlValue } from './sql.js';

export interface CopyReport {
  /** Rows copied per table. */
  tables: Record<string, number>;
  /** Escalation threads and the checkpoints they held. */
  threads: number;
  checkpoints: number;
}

/** Rows read from SQLite and inserted at a time. */
const BATCH = 2_000;
/** Tables others refer to go first (foreign keys are checked row by row). */
const PARENTS_FIRST = ['runs', 'escalations'];
/** LangGraph's own tables in the SQLite file: copied through the savers, not as rows. */
const SQLITE_CHECKPOINT_TABLES = ['checkpoints', 'writes'];

export async function copySqliteToPostgres(file: string, pool: pg.Pool, url: string): Promise<CopyReport> {
  if (!existsSync(file))
    throw new DataError(
      `There is no SQLite database at ${file} to copy (pacing migrate --from).`,
      file,
      null,
      'data_unreadable',
    );
  // Opening brings an older file up to this app's schema, and refuses one a newer app wrote.
  const source = openDb(file);
  try {
    const level = PG_MIGRATIONS.at(-1)?.sqlite;
    if (level !== MIGRATIONS.length)
      throw new DataError(
        `This app cannot copy SQLite schema ${MIGRATIONS.length} yet: its PostgreSQL schema matches SQLite schema ${level}.`,
        file,
      );
    const { schema } = await migratePostgres(pool, url);
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        await refuseUnlessEmpty(client, url);
        const tables = await copyTables(source, client, url);
        const { threads, checkpoints } = await copyCheckpoints(source, client, schema);
        await client.query('COMMIT');
        return { tables, threads, checkpoints };
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => {
          broken = e;
        });
        throw err;
      }
    } finally {
      client.release(broken);
    }
  } finally {
    source.close();
  }
}

async function refuseUnlessEmpty(client: pg.PoolClient, url: string): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> ALL ($1) ORDER BY 1`,
    [[...PG_ONLY_TABLES, 'checkpoint_migrations']],
  );
  const filled: string[] = [];
  for (const { name } of rows) {
    const r = await client.query(`SELECT 1 FROM "${name}" LIMIT 1`);
    if (r.rowCount) filled.push(name);
  }
  if (filled.length)
    throw new DataError(
      `The PostgreSQL database ${describeUrl(url)} is not empty (${filled.join(', ')} ${filled.length === 1 ? 'has' : 'have'} rows): pacing migrate --from copies into an empty database only, so nothing is mixed or overwritten.`,
      describeUrl(url),
    );
}

async function copyTables(source: Db, client: pg.PoolClient, url: string): Promise<Record<string, number>> {
  const names = (
    source
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as { name: string }[]
  )
    .map((r) => r.name)
    .filter((n) => !SQLITE_CHECKPOINT_TABLES.includes(n));
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const target = new PostgresSql(client, url);
  const copied: Record<string, number> = {};
  for (const table of names) {
    const own = (source.pragma(`table_info("${table}")`) as { name: string }[]).map((c) => c.name);
    // The rowid orders rows as they were inserted: PostgreSQL keeps it in the table's stand-in column.
    const rowid = ROWID_COLUMNS[table];
    const columns = rowid ? [...own, rowid] : own;
    const select = [...own.map((c) => `"${c}"`), ...(rowid ? ['rowid'] : [])].join(', ');
    const statement = source.prepare(`SELECT ${select} FROM "${table}"`).raw();
    let batch: SqlValue[][] = [];
    let count = 0;
    for (const row of statement.iterate() as Iterable<SqlValue[]>) {
      batch.push(row);
      if (batch.length === BATCH) {
        await target.insertMany(table, columns, batch);
        count += batch.length;
        batch = [];
      }
    }
    await target.insertMany(table, columns, batch);
    count += batch.length;
    for (const identity of ['id', ...(rowid ? [rowid] : [])]) {
      if (!columns.includes(identity) || count === 0) continue;
      // An identity's counter starts past the copied values, as SQLite's AUTOINCREMENT (or rowid) would go on.
      const { rows } = await client.query<{ seq: string | null }>('SELECT pg_get_serial_sequence($1, $2) AS seq', [
        table,
        identity,
      ]);
      const seq = rows[0]?.seq;
      if (seq) await client.query(`SELECT setval($1::regclass, (SELECT max("${identity}") FROM "${table}"))`, [seq]);
    }
    copied[table] = count;
  }
  return copied;
}

const rank = (table: string) => {
  const i = PARENTS_FIRST.indexOf(table);
  return i < 0 ? PARENTS_FIRST.length : i;
};

/**
 * Each thread's checkpoints, oldest first, with their pending writes. PostgresSaver commits each write itself;
 * here it writes through this transaction's connection, its BEGIN/COMMIT turned into a savepoint, so the
 * checkpoints land with the rows or not at all.
 */
async function copyCheckpoints(
  source: Db,
  client: pg.PoolClient,
  schema: string,
): Promise<{ threads: number; checkpoints: number }> {
  const hasCheckpoints = source
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'checkpoints'")
    .get();
  if (!hasCheckpoints) return { threads: 0, checkpoints: 0 };
  const threads = source
    .prepare('SELECT DISTINCT thread_id, checkpoint_ns FROM checkpoints ORDER BY thread_id, checkpoint_ns')
    .all() as { thread_id: string; checkpoint_ns: string }[];
  const reader = new SqliteSaver(source);
  const writer = postgresSaver(inTransaction(client), schema);
  let checkpoints = 0;
  for (const { thread_id, checkpoint_ns } of threads) {
    const tuples: CheckpointTuple[] = [];
    for await (const t of reader.list({ configurable: { thread_id, checkpoint_ns } })) tuples.push(t);
    for (const t of tuples.reverse()) {
      const checkpoint = t.checkpoint as Checkpoint;
      const saved = await writer.put(
        {
          configurable: {
            thread_id,
            checkpoint_ns,
            ...(t.parentConfig?.configurable?.checkpoint_id
              ? { checkpoint_id: t.parentConfig.configurable.checkpoint_id }
              : {}),
          },
        },
        checkpoint,
        t.metadata as CheckpointMetadata,
        // Every channel's value, not only those this step changed: the blobs are keyed by version, so
        // a value shared with the parent is written once.
        checkpoint.channel_versions,
      );
      const byTask = new Map<string, [string, unknown][]>();
      for (const [taskId, channel, value] of t.pendingWrites ?? []) {
        const list = byTask.get(taskId) ?? [];
        list.push([channel, value]);
        byTask.set(taskId, list);
      }
      for (const [taskId, writes] of byTask) await writer.putWrites(saved, writes, taskId);
      checkpoints++;
    }
  }
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".checkpoints`);
  if (rows[0]?.n !== checkpoints)
    throw new Error(`Copied ${checkpoints} checkpoints but PostgreSQL holds ${rows[0]?.n}: the copy is rolled back.`);
  return { threads: threads.length, checkpoints };
}

/** A stand-in for the pool that hands out this one connection, its transactions nested as savepoints. */
function inTransaction(client: pg.PoolClient): pg.Pool {
  const nested = {
    query: (text: unknown, values?: unknown) => {
      if (text === 'BEGIN') return client.query('SAVEPOINT pacing_copy');
      if (text === 'COMMIT') return client.query('RELEASE SAVEPOINT pacing_copy');
      if (text === 'ROLLBACK') return client.query('ROLLBACK TO SAVEPOINT pacing_copy');
      return client.query(text as string, values as unknown[]);
    },
    release: () => {},
  };
  return { connect: async () => nested, query: nested.query } as unknown as pg.Pool;
}
