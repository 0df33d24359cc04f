import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import {
  createPool,
  describeUrl,
  isPostgresUrl,
  MAX_PARAMETERS,
  numberPlaceholders,
  type PostgresSql,
  postgresSql,
} from '../../src/store/postgres.js';
import type { Sql, SqlValue } from '../../src/store/sql.js';
import { useTestSchema } from '../pg/harness.js';

describe('numberPlaceholders', () => {
  it.each([
    ['SELECT ?', 'SELECT $1'],
    ['INSERT INTO t (a, b) VALUES (?, ?)', 'INSERT INTO t (a, b) VALUES ($1, $2)'],
    ["SELECT '?' || ?", "SELECT '?' || $1"],
    ["SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"],
    ['SELECT "odd?name" FROM t WHERE a = ?', 'SELECT "odd?name" FROM t WHERE a = $1'],
    ['SELECT ? -- a comment?\n, ?', 'SELECT $1 -- a comment?\n, $2'],
    ['SELECT /* why? */ ?', 'SELECT /* why? */ $1'],
    ['SELECT 1', 'SELECT 1'],
  ])('%s', (sql, numbered) => {
    expect(numberPlaceholders(sql)).toBe(numbered);
  });
});

describe('isPostgresUrl and describeUrl', () => {
  it.each([
    ['postgres://a@h/db', true],
    ['postgresql://a:b@h:5432/db', true],
    ['POSTGRES://h/db', true],
    ['pacing.db', false],
    ['/data/postgres.db', false],
  ])('%s is a PostgreSQL URL: %s', (value, expected) => {
    expect(isPostgresUrl(value)).toBe(expected);
  });

  it('names the server without the password', () => {
    expect(describeUrl('postgres://app:s3cr3t-pw@db.internal:5432/pacing?sslmode=require')).toBe(
      'postgres://[redacted]@db.internal:5432/pacing?sslmode=require',
    );
    expect(describeUrl('postgres://db/pacing')).toBe('postgres://db/pacing');
  });
});

describe('PostgresSql on a real server', () => {
  const db = useTestSchema();

  async function open(): Promise<PostgresSql> {
    return postgresSql(createPool(db.url, { max: 4 }), db.url);
  }

  it('numbers placeholders, counts changes and returns counts and sums as numbers', async () => {
    const sql = await open();
    try {
      await sql.exec('CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT, amount DOUBLE PRECISION, at BIGINT)');
      const ins = await sql.run('INSERT INTO t VALUES (?, ?, ?, ?), (?, ?, ?, ?)', [
        1,
        "o'brien ?",
        1.5,
        1_765_000_000_000,
        2,
        null,
        2.25,
        9_007_199_254_740_993n,
      ]);
      expect(ins.changes).toBe(2);
      expect(await sql.get('SELECT count(*) AS n, sum(id) AS total, sum(amount) AS money FROM t')).toEqual({
        n: 2,
        total: 3,
        money: 3.75,
      });
      const rows = await sql.all<{ id: number; name: string | null; at: number | bigint }>(
        'SELECT id, name, at FROM t ORDER BY id',
      );
      // Epoch milliseconds come back as numbers; an int8 beyond 2^53 as an exact bigint, never rounded.
      expect(rows).toEqual([
        { id: 1, name: "o'brien ?", at: 1_765_000_000_000 },
        { id: 2, name: null, at: 9_007_199_254_740_993n },
      ]);
      expect(await sql.get('SELECT id FROM t WHERE id = ?', [3])).toBeUndefined();
      expect((await sql.run('UPDATE t SET name = ? WHERE id > ?', ['x', 0])).changes).toBe(2);
    } finally {
      await sql.close();
    }
  });

  it('keeps bytes as bytes', async () => {
    const sql = await open();
    try {
      await sql.exec('CREATE TABLE b (v BYTEA)');
      await sql.run('INSERT INTO b VALUES (?)', [new Uint8Array([0, 1, 254, 255])]);
      const row = await sql.get<{ v: Buffer }>('SELECT v FROM b');
      expect([...(row?.v ?? [])]).toEqual([0, 1, 254, 255]);
    } finally {
      await sql.close();
    }
  });

  it('runs a transaction on one connection and lands all of it or none', async () => {
    const sql = await open();
    try {
      await sql.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
      const pids = await sql.transaction(async (tx) => {
        const seen = new Set<number>();
        for (let i = 0; i < 5; i++) {
          await tx.run('INSERT INTO t VALUES (?)', [i]);
          seen.add((await tx.get<{ pid: number }>('SELECT pg_backend_pid() AS pid'))?.pid ?? -1);
        }
        return seen;
      });
      expect(pids.size).toBe(1);
      await expect(
        sql.transaction(async (tx) => {
          await tx.run('INSERT INTO t VALUES (?)', [10]);
          await tx.run('INSERT INTO t VALUES (?)', [1]); // a duplicate key: the whole transaction goes
        }),
      ).rejects.toThrow(/duplicate key/);
      expect(await sql.get('SELECT count(*) AS n FROM t')).toEqual({ n: 5 });
      // The connection that rolled back serves the next caller cleanly.
      await sql.transaction((tx) => tx.run('INSERT INTO t VALUES (?)', [11]));
      expect(await sql.get('SELECT count(*) AS n FROM t')).toEqual({ n: 6 });
    } finally {
      await sql.close();
    }
  });

  it('rolls a nested transaction back to its savepoint, keeping the outer one', async () => {
    const sql = await open();
    try {
      await sql.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
      await sql.transaction(async (tx) => {
        await tx.run('INSERT INTO t VALUES (1)');
        await expect(
          tx.transaction(async (inner) => {
            await inner.run('INSERT INTO t VALUES (2)');
            throw new Error('inner failed');
          }),
        ).rejects.toThrow('inner failed');
        await tx.transaction((inner) => inner.run('INSERT INTO t VALUES (3)'));
      });
      expect((await sql.all<{ id: number }>('SELECT id FROM t ORDER BY id')).map((r) => r.id)).toEqual([1, 3]);
    } finally {
      await sql.close();
    }
  });

  it('inserts more rows than one statement’s parameters could carry, with COPY, inside one transaction', async () => {
    const sql = await open();
    try {
      const columns = Array.from({ length: 20 }, (_, i) => `c${i}`);
      await sql.exec(`CREATE TABLE wide (${columns.map((c) => `${c} TEXT`).join(', ')})`);
      const rows: SqlValue[][] = Array.from({ length: 5_000 }, (_, r) => columns.map((c) => `${c}-${r}`));
      // 100,000 values: more than one statement may carry.
      expect(rows.length * columns.length).toBeGreaterThan(MAX_PARAMETERS);
      await sql.transaction((tx) => tx.insertMany('wide', columns, rows));
      expect(await sql.get('SELECT count(*) AS n, count(DISTINCT c0) AS d FROM wide')).toEqual({ n: 5_000, d: 5_000 });
      expect(await sql.get('SELECT c19 FROM wide WHERE c0 = ?', ['c0-4999'])).toEqual({ c19: 'c19-4999' });

      // A failure in the last chunk takes the earlier chunks with it.
      const bad: SqlValue[][] = rows.map((r, i) => (i === rows.length - 1 ? [...r.slice(1), 'extra'].slice(0, 19) : r));
      await expect(sql.transaction((tx: Sql) => tx.insertMany('wide', columns, bad))).rejects.toThrow(
        /a row has 19 values for 20 columns/,
      );
      expect(await sql.get('SELECT count(*) AS n FROM wide')).toEqual({ n: 5_000 });
    } finally {
      await sql.close();
    }
  });

  it('copies every value back as it was: tabs, newlines, backslashes, \\N as text, nulls, numbers and bytes', async () => {
    const sql = await open();
    try {
      await sql.exec(
        'CREATE TABLE kinds (id BIGINT PRIMARY KEY, t TEXT COLLATE "C", n DOUBLE PRECISION, b BYTEA, big BIGINT, gen BIGINT GENERATED BY DEFAULT AS IDENTITY)',
      );
      const texts = [
        'a\tb',
        'line\nnext\r\n',
        'back\\slash \\N \\x00',
        '\\N',
        '',
        'Müller — 東京 ✓',
        '{"q":"\\"x\\""}',
      ];
      const rows: SqlValue[][] = texts.map((t, i) => [
        i,
        t,
        i === 0 ? -1.5e-7 : i * 0.1,
        new Uint8Array([0, i, 255]),
        9_007_199_254_740_993n,
      ]);
      rows.push([99, null, null, null, null]);
      // Outside a transaction: the rows still land together, over one connection.
      await sql.insertMany('kinds', ['id', 't', 'n', 'b', 'big'], rows);
      const back = await sql.all<{
        id: number;
        t: string | null;
        n: number | null;
        b: Buffer | null;
        big: number | bigint | null;
        gen: number;
      }>('SELECT id, t, n, b, big, gen FROM kinds ORDER BY id');
      expect(back.map((r) => r.t)).toEqual([...texts, null]);
      expect(back.map((r) => r.n)).toEqual([
        -1.5e-7,
        0.1,
        0.2,
        0.30000000000000004,
        0.4,
        0.5,
        0.6000000000000001,
        null,
      ]);
      expect(back.map((r) => (r.b ? [...r.b] : null))).toEqual([...texts.map((_, i) => [0, i, 255]), null]);
      expect(back[0]?.big).toBe(9_007_199_254_740_993n);
      expect(back.map((r) => r.gen)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    } finally {
      await sql.close();
    }
  });

  it('lands none of the rows when the server refuses one of them', async () => {
    const sql = await open();
    try {
      await sql.exec('CREATE TABLE strict (id BIGINT PRIMARY KEY, name TEXT NOT NULL)');
      const rows: SqlValue[][] = Array.from({ length: 3_000 }, (_, i) => [i, i === 2_500 ? null : `n${i}`]);
      await expect(sql.insertMany('strict', ['id', 'name'], rows)).rejects.toThrow(/null value in column "name"/);
      await expect(
        sql.transaction((tx) =>
          tx.insertMany(
            'strict',
            ['id', 'name'],
            [
              [1, 'a'],
              [1, 'b'],
            ],
          ),
        ),
      ).rejects.toThrow(/duplicate key/);
      expect(await sql.get('SELECT count(*) AS n FROM strict')).toEqual({ n: 0 });
      // The connection is fine afterwards.
      await sql.insertMany('strict', ['id', 'name'], [[1, 'a']]);
      expect(await sql.get('SELECT name FROM strict WHERE id = ?', [1])).toEqual({ name: 'a' });
    } finally {
      await sql.close();
    }
  });

  it('says which server it cannot reach, without the password', async () => {
    const url = 'postgres://app:hunter2-secret@127.0.0.1:1/pacing';
    const sql = postgresSql(createPool(url), url);
    try {
      const err = await sql.get('SELECT 1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(
        /^Cannot reach the PostgreSQL database postgres:\/\/\[redacted\]@127\.0\.0\.1:1\/pacing \(PACING_DB\): .*ECONNREFUSED/,
      );
      expect((err as Error).message).not.toContain('hunter2');
      const inTx = await sql.transaction(async () => 1).catch((e: unknown) => e);
      expect(inTx).toBeInstanceOf(DataError);
      expect((inTx as Error).message).not.toContain('hunter2');
    } finally {
      await sql.close();
    }
  });
});
