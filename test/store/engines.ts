// The store on each engine it runs on, for tests written once: SQLite on a temporary file, and PostgreSQL in a
// schema of its own on the machine's server (test/pg/harness.ts; a server out of reach fails those tests).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { Store } from '../../src/store/index.js';
import { migratePostgres } from '../../src/store/pg-migrate.js';
import { createPool, postgresSql } from '../../src/store/postgres.js';
import type { Dialect } from '../../src/store/sql.js';
import { createTestSchema } from '../pg/harness.js';

export interface Engine {
  dialect: Dialect;
  /** A store on an empty, migrated database; `close` closes it and removes the database. */
  open(): Promise<{ store: Store; close(): Promise<void> }>;
}

export const ENGINES: readonly Engine[] = [
  {
    dialect: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'pacing-engine-'));
      const store = await Store.open(join(dir, 'p.db'));
      return {
        store,
        close: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    dialect: 'postgres',
    async open() {
      const schema = await createTestSchema();
      const pool = createPool(schema.url, { max: 4 });
      try {
        await migratePostgres(pool, schema.url);
      } catch (err) {
        await pool.end();
        await schema.drop();
        throw err;
      }
      const store = new Store(postgresSql(pool, schema.url));
      return {
        store,
        close: async () => {
          await store.close();
          await schema.drop();
        },
      };
    },
  },
];

/** A fresh store on `engine` for each test of the suite: `get()` inside a test. */
export function useStore(engine: Engine): { get(): Store } {
  let current: { store: Store; close(): Promise<void> } | null = null;
  beforeEach(async () => {
    current = await engine.open();
  });
  afterEach(async () => {
    await current?.close();
    current = null;
  });
  return {
    get() {
      if (!current) throw new Error('useStore: the store exists only inside a test');
      return current.store;
    },
  };
}
