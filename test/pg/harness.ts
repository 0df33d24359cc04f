// A PostgreSQL schema of its own for each test, on the machine's server (PACING_TEST_PG, default the local
// `test` database): its URL sets search_path, so every connection made from it (child processes included) stays
// inside, and it is dropped afterwards. A server that cannot be reached fails the tests: CI must not pass without it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';

export const PG_SERVER_URL = process.env.PACING_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  /** The schema's name (random, lower case). */
  schema: string;
  /** PACING_DB for this schema: the server's URL with `options=-c search_path=<schema>`. */
  url: string;
  drop(): Promise<void>;
}

/** The URL of `base` with every session's search_path set to `schema`. */
export function urlInSchema(base: string, schema: string): string {
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_SERVER_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `The PostgreSQL tests need a server at ${PG_SERVER_URL} (PACING_TEST_PG) and cannot reach it: ${(err as Error).message}. ` +
        'Start it (e.g. `pg_ctlcluster --skip-systemctl-redirect 15 main start`) or point PACING_TEST_PG at one.',
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty schema with a random name; `drop()` removes it and everything in it. */
export async function createTestSchema(): Promise<TestSchema> {
  const schema = `pacing_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE SCHEMA ${schema}`));
  return {
    schema,
    url: urlInSchema(PG_SERVER_URL, schema),
    drop: () => admin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined),
  };
}

/** A fresh schema for each test of the file: `db.url` inside a test, dropped after it. */
export function useTestSchema(): { readonly url: string; readonly schema: string } {
  let current: TestSchema | null = null;
  beforeEach(async () => {
    current = await createTestSchema();
  });
  afterEach(async () => {
    await current?.drop();
    current = null;
  });
  const get = () => {
    if (!current) throw new Error('useTestSchema: the schema exists only inside a test');
    return current;
  };
  return {
    get url() {
      return get().url;
    },
    get schema() {
      return get().schema;
    },
  };
}
