// A run's escalation threads, started together (startEscalations) on each engine: every question is queued in
// Slack's outbox in the order the run opened them, even when a later thread is faster than an earlier one; each
// thread waits at its interrupt; on PostgreSQL they overlap, on SQLite they start one after the other.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { announcementOrder } from '../../src/agent/announce-order.js';
import { openEscalation } from '../../src/agent/effects/index.js';
import {
  buildEscalationGraph,
  type EscalationGraph,
  startEscalations,
  threadConfig,
} from '../../src/agent/escalation.js';
import type { Notifier } from '../../src/agent/ports.js';
import type { Escalation, ResultRow } from '../../src/domain/records.js';
import { SlackNotifier } from '../../src/slack/notifier.js';
import { Store } from '../../src/store/index.js';
import { lockKey } from '../../src/store/pg-migrate.js';
import { campaign, NOW, planRow } from '../domain/builders.js';
import { agentOnFakes, FakePlatform } from '../fakes/platform.js';
import { createTestSchema, PG_SERVER_URL } from '../pg/harness.js';

/** The store as the app opens it (on PostgreSQL with its session and checkpointer), in a place of its own. */
const ENGINES = [
  {
    dialect: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'pacing-threads-'));
      const store = await Store.open(join(dir, 'p.db'));
      return {
        store,
        /** Makes `owner` a process that still runs (here: this one's pid, without its token). */
        keepAlive: async () => String(process.pid),
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
      const store = await Store.open(schema.url);
      const others: pg.Client[] = [];
      return {
        store,
        /** Another replica's session holding its presence lock. */
        keepAlive: async () => {
          const owner = 'other-replica:0001';
          const client = new pg.Client({ connectionString: PG_SERVER_URL });
          await client.connect();
          others.push(client);
          await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [
            lockKey(schema.schema, `process:${owner}`),
          ]);
          return owner;
        },
        close: async () => {
          for (const c of others) await c.end();
          await store.close();
          await schema.drop();
        },
      };
    },
  },
] as const;

type Opened = Awaited<ReturnType<(typeof ENGINES)[number]['open']>>;

/** The run's questions, opened through the effects about the row of a run. */
async function openQuestions(agent: ReturnType<typeof agentOnFakes>, ids: readonly string[]): Promise<Escalation[]> {
  const run = await agent.run('test');
  const opened: Escalation[] = [];
  for (const id of ids)
    opened.push(
      await openEscalation(agent.deps, {
        id,
        runId: run.runId,
        key: `order:${id}`,
        proposed: 'alert',
        reason: 'test',
        snapshot: run.results[0] as ResultRow,
        batch: null,
      }),
    );
  return opened;
}

const agentOn = (store: Store, notifier?: Notifier) =>
  agentOnFakes({
    store,
    plan: [planRow()],
    google: new FakePlatform('google', [campaign({ spend: 2400 })]),
    now: NOW,
    ...(notifier ? { notifier } : {}),
  });

const QUESTIONS = 14;

/** Queues each question in Slack's outbox, the earlier ones slowest: without an order they would come out reversed. */
class SlowFirstNotifier implements Notifier {
  readonly told: string[] = [];
  private readonly slack: SlackNotifier;
  constructor(
    store: Store,
    private readonly rank: (id: string) => number,
  ) {
    this.slack = new SlackNotifier(store, { alert: 'C0ALERTS', approval: 'C0APPROVE' }, () => NOW);
  }
  async alert(): Promise<void> {}
  async runAlerts(): Promise<void> {}
  async escalationClosed(): Promise<void> {}
  async escalationOpened(e: Escalation): Promise<void> {
    const rank = this.rank(e.id);
    await new Promise((r) => setTimeout(r, (QUESTIONS - rank) * 3));
    this.told.push(e.id);
    await this.slack.escalationOpened(e);
  }
}

for (const engine of ENGINES) {
  describe(`starting a run's threads (${engine.dialect})`, () => {
    let db: Opened;
    beforeEach(async () => {
      db = await engine.open();
    });
    afterEach(async () => {
      await db.close();
    });

    it('queues the questions in the order they were opened and leaves each thread at its interrupt', async () => {
      const ids = Array.from({ length: QUESTIONS }, (_, i) => `esc-order${String(i).padStart(3, '0')}`);
      const notifier = new SlowFirstNotifier(db.store, (id) => ids.indexOf(id));
      const agent = agentOn(db.store, notifier);
      const opened = await openQuestions(agent, ids);
      const graph = buildEscalationGraph(agent.deps);
      const progress: number[] = [];
      await startEscalations(agent.deps, graph, opened, (done) => progress.push(done));

      expect(notifier.told).toEqual(ids);
      const queued = await db.store.sql.all<{ escalation_id: string }>(
        `SELECT escalation_id FROM outbox WHERE kind = 'escalation' AND escalation_id LIKE 'esc-order%' ORDER BY id`,
      );
      expect(queued.map((q) => q.escalation_id)).toEqual(ids);
      expect(progress).toEqual(ids.map((_, i) => i + 1));
      for (const id of ids) {
        const state = await graph.getState(threadConfig(`escalation:${id}`));
        expect(state.next).toEqual(['await_decision']);
      }
    });

    it(`starts ${engine.dialect === 'postgres' ? 'six threads at a time' : 'one thread at a time'}, and stops starting at the first that fails`, async () => {
      const agent = agentOn(db.store);
      const ids = Array.from({ length: 20 }, (_, i) => `esc-width${String(i).padStart(3, '0')}`);
      const opened = await openQuestions(agent, ids);
      let running = 0;
      let most = 0;
      const started: string[] = [];
      // LangGraph's side stood in for: each start takes a few milliseconds; the 13th fails.
      const graph = {
        invoke: async (input: { escalationId: string }) => {
          running++;
          most = Math.max(most, running);
          started.push(input.escalationId);
          await new Promise((r) => setTimeout(r, 5));
          running--;
          if (input.escalationId === ids[12]) throw new Error('checkpoint write refused');
        },
      } as unknown as EscalationGraph;
      await expect(startEscalations(agent.deps, graph, opened)).rejects.toThrow(/checkpoint write refused/);
      expect(most).toBe(engine.dialect === 'postgres' ? 6 : 1);
      // Those already going finish; none after them starts.
      expect(started.slice(0, 13)).toEqual(ids.slice(0, 13));
      expect(started.length).toBeLessThan(ids.length);
      // Nobody is left waiting for a turn.
      for (const id of ids) await announcementOrder(agent.deps).inTurn(id, async () => {});
    });

    it('starts nothing twice: a thread claimed by another live process is left to it, and its turn passes', async () => {
      const agent = agentOn(db.store);
      const opened = await openQuestions(agent, ['esc-taken0001', 'esc-free00001']);
      await db.store.sql.run('INSERT INTO effects (key, at, result) VALUES (?, ?, ?)', [
        'thread:esc-taken0001',
        NOW,
        JSON.stringify({ owner: await db.keepAlive() }),
      ]);
      const graph = buildEscalationGraph(agent.deps);
      await startEscalations(agent.deps, graph, opened);
      expect((await graph.getState(threadConfig('escalation:esc-taken0001'))).next).toEqual([]);
      expect((await graph.getState(threadConfig('escalation:esc-free00001'))).next).toEqual(['await_decision']);
      await announcementOrder(agent.deps).inTurn('esc-taken0001', async () => {});
    });
  });
}
