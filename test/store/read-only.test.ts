// The store opened for reading only (what a replay uses): nothing created, migrated or written, and how many
// fields a run's rows were stored with, so a replay can name what an older version did not keep.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/domain/records.js';
import { DataError } from '../../src/errors.js';
import { Store } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { row } from '../cli/rows.js';

const dirs: string[] = [];
const tempDb = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pacing-ro-'));
  dirs.push(dir);
  return join(dir, 'p.db');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A database with one completed run of two rows, closed again. */
async function withRun(file: string): Promise<void> {
  const store = await Store.open(file);
  await store.runs.start({ id: 'run-1', startedAt: '2026-11-20T09:00:00Z', trigger: 'test', actor: 'agent' });
  await store.runs.complete(
    'run-1',
    '2026-11-20T09:00:05Z',
    {} as RunSummary,
    [],
    [],
    [row({ runId: 'run-1' }), row({ runId: 'run-1', campaignId: 'C-2', key: 'plan:C-2', history: null })],
  );
  await store.close();
}

describe('Store.openReadOnly', () => {
  it('is null when there is no database, and creates none', async () => {
    const file = tempDb();
    expect(await Store.openReadOnly(file)).toBeNull();
    expect(existsSync(file)).toBe(false);
  });

  it('reads a run without changing the file, and refuses writes', async () => {
    const file = tempDb();
    await withRun(file);
    const before = hash(file);
    const store = (await Store.openReadOnly(file)) as Store;
    expect((await store.runs.latestCompleted())?.id).toBe('run-1');
    expect([...(await store.runs.resultsWithoutHistory('run-1'))].map((r) => r.campaignId)).toEqual(['C-1', 'C-2']);
    await expect(
      store.audit.append({ at: '2026-11-20T10:00:00Z', runId: null, type: 'run_started', actor: 'x', details: {} }),
    ).rejects.toThrow(/readonly/);
    await store.close();
    expect(hash(file)).toBe(before);
  });

  it("says the schema is older than this version's instead of migrating it", async () => {
    const file = tempDb();
    await withRun(file);
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length - 1}`);
    db.close();
    const before = hash(file);
    await expect(Store.openReadOnly(file)).rejects.toThrow(DataError);
    await expect(Store.openReadOnly(file)).rejects.toThrow(/older than this version's/);
    expect(hash(file)).toBe(before);
  });
});

describe('RunStore.dataWidth', () => {
  it("counts the fields a run's rows were written with; 0 for rows stored whole, null for none", async () => {
    const file = tempDb();
    await withRun(file);
    const store = await Store.open(file);
    const width = (store.db.prepare('SELECT data FROM results LIMIT 1').get() as { data: string }).data;
    expect(await store.runs.dataWidth('run-1')).toBe((JSON.parse(width) as unknown[]).length);
    store.db.prepare('UPDATE results SET data = ?').run(JSON.stringify({ line: 2 }));
    expect(await store.runs.dataWidth('run-1')).toBe(0);
    expect(await store.runs.dataWidth('run-none')).toBeNull();
    await store.close();
  });
});
