// The store under an operator's rough edges: many processes opening a fresh file at once, and a run lock whose
// holder looks alive but is not the run (a reused pid) or has hung.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { ensureBuilt, ROOT } from '../fakes/pacing-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pacing-store-'));
beforeAll(ensureBuilt, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openIn(file: string): Promise<{ code: number | null; stderr: string }> {
  const script = `import(${JSON.stringify(join(ROOT, 'dist', 'store', 'index.js'))}).then((m) => m.Store.open(${JSON.stringify(file)})).then((s) => s.close())`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a fresh database opened by many processes at once', () => {
  it('is migrated exactly once: every process starts', async () => {
    for (let round = 0; round < 2; round++) {
      const file = join(dir, `race-${round}.db`);
      const outs = await Promise.all(Array.from({ length: 16 }, () => openIn(file)));
      expect(outs.filter((o) => o.code !== 0).map((o) => o.stderr)).toEqual([]);
      const store = await Store.open(file);
      expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      await store.close();
    }
  }, 60_000);
});

describe('the run lock', () => {
  const hold = (store: Store, expiresAt: number) =>
    store.db
      .prepare(
        `INSERT INTO locks (name, holder, acquired_at, pid, owner, expires_at) VALUES ('cycle', 'run-old', '2026-11-20T08:00:00Z', 1, '1:gone', ?)
         ON CONFLICT (name) DO UPDATE SET expires_at = excluded.expires_at`,
      )
      .run(expiresAt);

  it('is held while its process lives and its lease runs, and says who holds it', async () => {
    const store = await Store.open(join(dir, 'lock-1.db'));
    hold(store, Date.now() + 60_000); // pid 1 is alive here: it stands for a pid reused by another program
    expect(await store.locks.acquire('cycle', 'run-new', '2026-11-20T09:00:00Z')).toMatchObject({
      holder: 'run-old',
      pid: 1,
    });
    await store.close();
  });

  it('is taken over once the lease has run out, however alive the pid looks', async () => {
    const store = await Store.open(join(dir, 'lock-2.db'));
    hold(store, Date.now() - 1);
    expect(await store.locks.acquire('cycle', 'run-new', '2026-11-20T09:00:00Z')).toBeNull();
    expect(await store.locks.holder('cycle')).toMatchObject({ holder: 'run-new', pid: process.pid });
    await store.close();
  });
});

describe('a database another process keeps locked', () => {
  it('is waited for while the lock is short, and named with a clear message when it is not', async () => {
    const { pacing, workspace } = await import('../fakes/pacing-cli.js');
    const Database = (await import('better-sqlite3')).default;
    const ws = workspace();
    try {
      expect((await pacing(ws, ['pending'])).code).toBe(0); // creates the database
      const holder = new Database(ws.db);
      holder.pragma('busy_timeout = 1000');
      holder.exec('BEGIN IMMEDIATE');
      // Released after 2 s: the command waits and then does its job.
      const released = new Promise<void>((r) =>
        setTimeout(() => {
          holder.exec('COMMIT');
          r();
        }, 2_000),
      );
      const waited = await pacing(ws, ['run', '--json']);
      await released;
      expect(waited.code, waited.stderr).toBe(0);
      // Held for good: the command gives up with a message that says what is wrong, not "unexpected failure".
      holder.exec('BEGIN IMMEDIATE');
      const refused = await pacing(ws, ['run', '--json']);
      holder.exec('ROLLBACK');
      holder.close();
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/PACING_DB.*locked.*another process is writing/);
      expect(refused.stderr).not.toMatch(/unexpected failure/);
    } finally {
      ws.cleanup();
    }
  }, 60_000);
});
