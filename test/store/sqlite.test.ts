// The SQLite adapter of the store's port: transactions that span awaits without anything else landing in them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteSql } from '../../src/store/sqlite.js';

let dir: string;
let sql: SqliteSql;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pacing-sqlite-'));
  sql = new SqliteSql(new Database(join(dir, 't.db')));
  await sql.exec('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, n INTEGER)');
});
afterEach(async () => {
  await sql.close();
  rmSync(dir, { recursive: true, force: true });
});

const names = async () => (await sql.all<{ name: string }>('SELECT name FROM t ORDER BY id')).map((r) => r.name);
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('the SQLite adapter', () => {
  it('binds ? in order, returns new ids with RETURNING, and counts changes', async () => {
    const a = await sql.get<{ id: number }>('INSERT INTO t (name, n) VALUES (?, ?) RETURNING id', ['a', 1]);
    const b = await sql.get<{ id: number }>('INSERT INTO t (name, n) VALUES (?, ?) RETURNING id', ['b', 2]);
    expect([a?.id, b?.id]).toEqual([1, 2]);
    const skipped = await sql.get('INSERT INTO t (name) VALUES (?) ON CONFLICT DO NOTHING RETURNING id', ['a']);
    expect(skipped).toBeUndefined();
    expect(await sql.run('UPDATE t SET n = n + 1 WHERE n >= ?', [1])).toEqual({ changes: 2 });
    expect(await sql.get('SELECT name FROM t WHERE id = ?', [99])).toBeUndefined();
  });

  it('inserts many rows with one statement, and a transaction lands them all or none', async () => {
    const rows = Array.from({ length: 1_000 }, (_, i) => [`r${i}`, i]);
    await sql.transaction((tx) => tx.insertMany('t', ['name', 'n'], rows));
    expect((await sql.get<{ c: number }>('SELECT COUNT(*) AS c FROM t'))?.c).toBe(1_000);
    await expect(
      sql.transaction(async (tx) => {
        await tx.insertMany('t', ['name', 'n'], [['x', 1]]);
        await tx.run('INSERT INTO t (name) VALUES (?)', ['r1']); // a duplicate: the whole transaction goes
      }),
    ).rejects.toThrow(/UNIQUE/);
    expect(await sql.get('SELECT 1 AS found FROM t WHERE name = ?', ['x'])).toBeUndefined();
  });

  it('makes other callers wait while a transaction is open across awaits: nothing of theirs lands inside it', async () => {
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const tx = sql.transaction(async (t) => {
      await t.run('INSERT INTO t (name) VALUES (?)', ['inside']);
      await held;
      throw new Error('rolled back');
    });
    await tick();
    // Another caller's write and read, while the transaction waits: they wait for it to end.
    const outside = sql.run('INSERT INTO t (name) VALUES (?)', ['outside']);
    const seen = names();
    await tick();
    release();
    await expect(tx).rejects.toThrow('rolled back');
    await outside;
    // The rollback took the transaction's write only; the read saw the table after it.
    expect(await seen).toEqual(['outside']);
    expect(await names()).toEqual(['outside']);
  });

  it('runs transactions one after another, in the order they were asked', async () => {
    const order: string[] = [];
    const one = sql.transaction(async (t) => {
      order.push('one begins');
      await tick();
      await t.run('INSERT INTO t (name) VALUES (?)', ['one']);
      order.push('one ends');
    });
    const two = sql.transaction(async (t) => {
      order.push('two begins');
      await t.run('INSERT INTO t (name) VALUES (?)', ['two']);
      order.push('two ends');
    });
    const three = sql.transaction(async (t) => {
      order.push('three begins');
      await t.run('INSERT INTO t (name) VALUES (?)', ['three']);
    });
    await Promise.all([one, two, three]);
    expect(order.slice(0, 2)).toEqual(['one begins', 'one ends']);
    expect((await names()).sort()).toEqual(['one', 'three', 'two']);
  });

  it('runs a transaction asked for inside one in a savepoint: it goes alone when it fails, with the outer one when that does', async () => {
    await sql.transaction(async (t) => {
      await t.run('INSERT INTO t (name) VALUES (?)', ['kept']);
      await expect(
        t.transaction(async (inner) => {
          await inner.run('INSERT INTO t (name) VALUES (?)', ['undone']);
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
    });
    expect(await names()).toEqual(['kept']);
    await sql.run('DELETE FROM t');

    await expect(
      sql.transaction(async (t) => {
        await t.transaction((inner) => inner.run('INSERT INTO t (name) VALUES (?)', ['nested']));
        expect(await t.get('SELECT name FROM t')).toEqual({ name: 'nested' });
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    expect(await names()).toEqual([]);
  });

  it('refuses, by name, a query through the connection from inside its own transaction (it would wait forever)', async () => {
    await expect(
      sql.transaction(async () => {
        await sql.get('SELECT 1 AS one');
      }),
    ).rejects.toThrow(/inside one of its transactions/);
    // The connection is usable again.
    expect(await sql.get('SELECT 1 AS one')).toEqual({ one: 1 });
  });

  it('refuses a transaction used after it ended', async () => {
    let kept: Parameters<Parameters<SqliteSql['transaction']>[0]>[0] | null = null;
    await sql.transaction(async (t) => {
      kept = t;
    });
    await expect((kept as unknown as SqliteSql).get('SELECT 1 AS one')).rejects.toThrow(/has ended/);
  });
});
