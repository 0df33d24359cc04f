// One in-process `pacing serve` per test, for tests that drive the Slack app through Bolt's real HTTP receiver:
// a fresh world (fake Slack Web API, temp data and database) before each test, the server stopped and the world
// removed after it, and what such tests keep asking of it (a run from Slack, the audit trail, the database).
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type Logger, silentLogger } from '../../src/log.js';
import { type Server, serve } from '../../src/slack/serve.js';
import type { Sql } from '../../src/store/sql.js';
import { SqliteSql } from '../../src/store/sqlite.js';
import { slashCommand } from '../fakes/slack-requests.js';
import { APPROVER, CHANNELS, SECRET, type SlackWorld, slackWorld } from './helpers.js';

export interface AuditRow {
  type: string;
  actor: string;
  campaign_id: string | null;
  platform_campaign_id: string | null;
  details: string;
}

export interface ServedSlack {
  /** This test's world (only inside a test or its hooks). */
  readonly world: SlackWorld;
  /** Starts serve on this test's world, with `extra` settings on top; it is stopped after the test. */
  start(extra?: Record<string, string>, log?: Logger): Promise<Server>;
  /** Reads this test's database through the store's port (a connection of its own, closed again before returning). */
  readStore<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** Reads this test's database (read-only; closed again before returning). */
  read<T>(fn: (db: Database.Database) => T): T;
  /** The audit records of one type, oldest first. */
  audit(type: string): AuditRow[];
  /**
   * `/pacing run` from the approver; resolves once the run answered and everything it queued went out. A second
   * run in one test names its own `responseId`, so that its answer is told apart from the first's.
   */
  runFromSlack(responseId?: string): Promise<void>;
}

/** Registers the per-test set-up and tear-down (call it once at the top of a test file). */
export function servedSlack(worldExtra: Record<string, string> = {}): ServedSlack {
  let world: SlackWorld | null = null;
  let server: Server | null = null;
  beforeEach(async () => {
    world = await slackWorld(worldExtra);
  });
  afterEach(async () => {
    await server?.stop();
    server = null;
    await world?.cleanup();
    world = null;
  });
  const current = (): SlackWorld => {
    if (!world) throw new Error('servedSlack: the world exists only inside a test');
    return world;
  };
  const read = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(current().env.PACING_DB as string, { readonly: true });
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  const queued = () =>
    read((db) => (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'").get() as { n: number }).n);

  return {
    get world() {
      return current();
    },
    async start(extra = {}, log = silentLogger()) {
      server = await serve(loadConfig({ ...current().env, ...extra }), log);
      return server;
    },
    read,
    async readStore(fn) {
      const sql = new SqliteSql(new Database(current().env.PACING_DB as string, { readonly: true }));
      try {
        return await fn(sql);
      } finally {
        await sql.close();
      }
    },
    audit: (type) => read((db) => db.prepare('SELECT * FROM audit WHERE type = ? ORDER BY id').all(type) as AuditRow[]),
    async runFromSlack(responseId = 'run') {
      const w = current();
      const res = await slashCommand(w.base, SECRET, {
        text: 'run',
        userId: APPROVER,
        channelId: CHANNELS.alerts,
        responseUrl: w.fake.responseUrl(responseId),
      });
      expect(res.status).toBe(200);
      expect(res.body).toContain('Starting a pacing run');
      // The run has queued all it says once it answers; the dispatcher then delivers at the world's pace.
      await w.fake.waitForRespond((r) => r.id === responseId, 15_000);
      const deadline = Date.now() + 15_000;
      while (queued() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(queued()).toBe(0);
    },
  };
}
