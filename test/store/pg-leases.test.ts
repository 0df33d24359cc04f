// What several replicas share through PostgreSQL: the run lock (a session advisory lock that ends with its
// holder's connection), each process's presence, and the claim of each scheduled tick.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { type Schedules, startSchedules } from '../../src/schedule/jobs.js';
import { migratePostgres } from '../../src/store/pg-migrate.js';
import { PgRunLocks } from '../../src/store/pg-run-lock.js';
import { PgSession } from '../../src/store/pg-session.js';
import { createPool, type PostgresSql, postgresSql } from '../../src/store/postgres.js';
import type { Sql } from '../../src/store/sql.js';
import { Ticks, tickTime } from '../../src/store/ticks.js';
import { PG_SERVER_URL, useTestSchema } from '../pg/harness.js';

const db = useTestSchema();
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close()));
});

/** One replica's view: its pool (the store's port) and its own session, as `serve` would hold them. */
async function replica(owner: string): Promise<{ sql: PostgresSql; session: PgSession; locks: PgRunLocks }> {
  const pool = createPool(db.url, { max: 3 });
  const sql = postgresSql(pool, db.url);
  await migratePostgres(pool, db.url);
  const session = new PgSession(db.url, db.schema, owner, null, sql);
  await session.start();
  opened.push(session, sql);
  return { sql, session, locks: new PgRunLocks(sql, session) };
}

/** Ends a session's connection from the server's side, as a replica's death or a network cut would. */
async function cutConnection(session: PgSession): Promise<void> {
  const admin = new pg.Client(PG_SERVER_URL);
  await admin.connect();
  try {
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()
         AND pid IN (SELECT pid FROM pg_stat_activity WHERE application_name = $1)`,
      [PgSession.applicationName()],
    );
  } finally {
    await admin.end();
  }
  // The client hears of it when it next reads: wait until the session knows.
  for (let i = 0; i < 100 && !session.lost(); i++) await new Promise((r) => setTimeout(r, 20));
}

describe('the run lock across replicas', () => {
  it('is held by one replica, named in holder(), and free again when it is released', async () => {
    const a = await replica('101:aaa');
    const b = await replica('202:bbb');
    expect(await a.locks.acquire('cycle', 'run-a', '2026-03-01T10:00:00.000Z')).toBeNull();
    const held = await b.locks.acquire('cycle', 'run-b', '2026-03-01T10:00:01.000Z');
    expect(held).toMatchObject({ holder: 'run-a', acquiredAt: '2026-03-01T10:00:00.000Z', pid: process.pid });
    expect(held?.replica).toContain(PgSession.applicationName());
    expect(await b.locks.holder('cycle')).toMatchObject({ holder: 'run-a' });
    await a.locks.renew('cycle', 'run-a');

    await a.locks.release('cycle', 'run-a');
    expect(await b.locks.holder('cycle')).toBeNull();
    expect(await b.locks.acquire('cycle', 'run-b', '2026-03-01T10:00:02.000Z')).toBeNull();
    expect(await a.locks.holder('cycle')).toMatchObject({ holder: 'run-b' });
  });

  it('lets go when its holder dies: another replica takes it, the old holder cannot renew', async () => {
    const a = await replica('101:aaa');
    expect(await a.locks.acquire('cycle', 'run-a', '2026-03-01T10:00:00.000Z')).toBeNull();
    // The session that dies is a's; b connects after, so the cut cannot reach it.
    await cutConnection(a.session);
    expect(a.session.lost()).not.toBeNull();
    const b = await replica('202:bbb');
    // Only a's row is left: no session holds the lock, so nobody holds it.
    expect(await b.locks.holder('cycle')).toBeNull();
    expect(await b.locks.acquire('cycle', 'run-b', '2026-03-01T10:05:00.000Z')).toBeNull();
    await expect(a.locks.renew('cycle', 'run-a')).rejects.toThrow();
    // Until its run lets go of the lost lock, the process takes none (it is not two runs' holder at once).
    await expect(a.session.alive('101:aaa')).resolves.toBe(false);
    expect(await a.locks.acquire('cycle', 'run-a2', '2026-03-01T10:06:00.000Z')).toMatchObject({ holder: 'run-b' });
    await a.locks.release('cycle', 'run-a');
    // Then a new session: present again, and in line for the lock once b lets go.
    expect(await a.locks.acquire('cycle', 'run-a3', '2026-03-01T10:07:00.000Z')).toMatchObject({ holder: 'run-b' });
    expect(await b.session.alive('101:aaa')).toBe(true);
    await b.locks.release('cycle', 'run-b');
    expect(await a.locks.acquire('cycle', 'run-a4', '2026-03-01T10:08:00.000Z')).toBeNull();
    expect(await b.locks.holder('cycle')).toMatchObject({ holder: 'run-a4' });
  });

  it("is refused to a second run of the holder's own process (the server's session locks are re-entrant)", async () => {
    const a = await replica('101:aaa');
    expect(await a.locks.acquire('cycle', 'run-1', '2026-03-01T10:00:00.000Z')).toBeNull();
    expect(await a.locks.acquire('cycle', 'run-2', '2026-03-01T10:00:05.000Z')).toMatchObject({ holder: 'run-1' });
    await a.locks.release('cycle', 'run-1');
    // Released once, it is free: no count of takings was left behind.
    const b = await replica('202:bbb');
    expect(await b.locks.holder('cycle')).toBeNull();
  });

  it('one of many replicas racing for it wins', async () => {
    const replicas = await Promise.all(['1:a', '2:b', '3:c', '4:d'].map(replica));
    const results = await Promise.all(
      replicas.map((r, i) => r.locks.acquire('cycle', `run-${i}`, '2026-03-01T10:00:00.000Z')),
    );
    expect(results.filter((r) => r === null)).toHaveLength(1);
  });
});

describe('presence', () => {
  it("tells a live replica's claim from a dead one's, across machines", async () => {
    const a = await replica('101:aaa');
    const b = await replica('202:bbb');
    expect(await b.session.alive('101:aaa')).toBe(true);
    expect(await b.session.alive('202:bbb')).toBe(true);
    expect(await b.session.alive('303:never-started')).toBe(false);
    expect(await b.session.alive(null)).toBe(false);
    await a.session.close();
    expect(await b.session.alive('101:aaa')).toBe(false);
  });
});

describe('ticks', () => {
  it('are run by exactly one of the replicas claiming them', async () => {
    const replicas = await Promise.all(['1:a', '2:b', '3:c'].map(replica));
    const ticks = replicas.map((r, i) => new Ticks(r.sql, `replica-${i}`));
    const at = new Date('2026-03-01T12:00:00.000Z');
    const claims = await Promise.all(ticks.map((t) => t.claim('pacing-run', at)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    const winner = claims.indexOf(true);
    expect(await ticks[0]?.claimedBy('pacing-run', at)).toBe(`replica-${winner}`);
    // Another job, or the next tick, is a claim of its own.
    expect(await ticks[1]?.claim('digest', at)).toBe(true);
    expect(await ticks[2]?.claim('pacing-run', new Date('2026-03-01T16:00:00.000Z'))).toBe(true);
  });

  it('prune claims older than a week when the job ticks again', async () => {
    const { sql } = await replica('1:a');
    const ticks = new Ticks(sql);
    await ticks.claim('pacing-run', new Date('2026-03-01T00:00:00Z'));
    await ticks.claim('pacing-run', new Date('2026-03-07T00:00:00Z'));
    await ticks.claim('pacing-run', new Date('2026-03-09T00:00:00Z'));
    const rows = await sql.all<{ scheduled_at: string }>('SELECT scheduled_at FROM ticks ORDER BY 1');
    expect(rows.map((r) => r.scheduled_at)).toEqual(['2026-03-07T00:00:00.000Z', '2026-03-09T00:00:00.000Z']);
  });

  it('keys a tick by its scheduled second, whatever the milliseconds', () => {
    expect(tickTime(new Date('2026-03-01T12:00:00.999Z'))).toBe('2026-03-01T12:00:00.000Z');
  });

  it('are all run on SQLite, where one process serves the file (no table is asked)', async () => {
    const refuse = () => Promise.reject(new Error('SQLite has no ticks table'));
    const sqlite: Sql = {
      dialect: 'sqlite',
      all: refuse,
      get: refuse,
      run: refuse,
      exec: refuse,
      insertMany: refuse,
      transaction: refuse,
      close: async () => {},
    };
    expect(await new Ticks(sqlite).claim('pacing-run', new Date())).toBe(true);
  });
});

describe('schedules on several replicas', () => {
  let schedules: Schedules[] = [];
  afterEach(() => {
    for (const s of schedules) s.stop();
    schedules = [];
  });

  it('run each tick of a seconds schedule once across three replicas', async () => {
    const replicas = await Promise.all(['1:a', '2:b', '3:c'].map(replica));
    const ran: { replica: number; at: string }[] = [];
    replicas.forEach((r, i) => {
      const ticks = new Ticks(r.sql, `replica-${i}`);
      schedules.push(
        startSchedules(
          { runCron: '* * * * * *', digestCron: null, tz: 'UTC', expireCron: '0 0 1 1 *' },
          {
            run: async () => {
              ran.push({ replica: i, at: new Date().toISOString() });
            },
            digest: async () => {},
            expire: async () => {},
          },
          silentLogger(),
          (job, scheduledAt) => ticks.claim(job, scheduledAt),
        ),
      );
    });
    const sql = (replicas[0] as { sql: PostgresSql }).sql;
    const claimed = async () =>
      (await sql.get<{ n: number }>(`SELECT count(*) AS n FROM ticks WHERE job = 'pacing-run'`))?.n ?? 0;
    // Four or more ticks, however loaded the machine.
    for (let i = 0; i < 300 && (await claimed()) < 4; i++) await new Promise((r) => setTimeout(r, 100));
    for (const s of schedules) s.stop();
    // Claims in flight when the schedules stopped finish their task.
    await new Promise((r) => setTimeout(r, 500));
    expect(await claimed()).toBeGreaterThanOrEqual(4);
    expect(ran).toHaveLength(await claimed());
  });
});
