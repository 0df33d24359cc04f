// A run's large write commits without copying the WAL into the database file on its path: that checkpoint
// follows right after, and the automatic one is back on once it has.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pacing-bulk-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tick = () => new Promise((r) => setImmediate(r));
/** Frames in the WAL not yet copied into the database file, as a no-op checkpoint reports them. */
const walState = (store: Store) =>
  (store.db.pragma('wal_checkpoint(NOOP)') as { log: number; checkpointed: number }[])[0] as {
    log: number;
    checkpointed: number;
  };

let written = 0;
function writeMany(store: Store, n: number): void {
  const insert = store.db.prepare('INSERT INTO seen_requests (signature, at) VALUES (?, ?)');
  for (let i = 0; i < n; i++) insert.run(`sig-${written++}-${'x'.repeat(200)}`, i);
}

describe('a bulk write', () => {
  it('commits at once, visible to other connections, and checkpoints just after', async () => {
    const file = join(dir, 'bulk.db');
    const store = await Store.open(file);
    await store.bulkTransaction(async (tx) => writeMany(tx, 20_000));
    // Past the automatic threshold (1,000 pages), yet not copied: the checkpoint waits for the next tick.
    const before = walState(store);
    expect(before.log).toBeGreaterThan(1_000);
    expect(before.checkpointed).toBe(0);
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    // Small commits made in the meantime (the run's last writes) do not checkpoint either.
    await store.transaction(async (tx) => writeMany(tx, 1));
    expect(walState(store).checkpointed).toBe(0);
    const other = new Database(file, { readonly: true });
    expect((other.prepare('SELECT COUNT(*) AS n FROM seen_requests').get() as { n: number }).n).toBe(20_001);
    other.close();

    await tick();
    const after = walState(store);
    expect(after.checkpointed).toBe(after.log);
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await store.close();
  });

  it('rolls back whole on an error, and leaves the automatic checkpoint as it was', async () => {
    const store = await Store.open(join(dir, 'fail.db'));
    await expect(
      store.bulkTransaction(async (tx) => {
        writeMany(tx, 10);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((store.db.prepare('SELECT COUNT(*) AS n FROM seen_requests').get() as { n: number }).n).toBe(0);
    await tick();
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await store.close();
  });

  it('closing before the checkpoint runs is fine: closing checkpoints itself', async () => {
    const file = join(dir, 'close.db');
    const store = await Store.open(file);
    await store.bulkTransaction(async (tx) => writeMany(tx, 5_000));
    await store.close();
    await tick();
    const again = await Store.open(file);
    expect((again.db.prepare('SELECT COUNT(*) AS n FROM seen_requests').get() as { n: number }).n).toBe(5_000);
    await again.close();
  });
});
