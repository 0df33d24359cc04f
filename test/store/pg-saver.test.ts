// The checkpointer whose writes are one statement each (src/store/pg-saver.ts) against the package's own
// PostgresSaver on a real server: the same calls leave the same rows, what one writes the other reads, and a
// thread that waits at an interrupt resumes from it.
import { Annotation, Command, END, interrupt, START, StateGraph } from '@langchain/langgraph';
import { emptyCheckpoint, WRITES_IDX_MAP } from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratePostgres } from '../../src/store/pg-migrate.js';
import { BatchedPostgresSaver } from '../../src/store/pg-saver.js';
import { createPool } from '../../src/store/postgres.js';
import { useTestSchema } from '../pg/harness.js';

type Saver = PostgresSaver;

/** The same checkpoints and writes, made through `saver` on `thread`. */
async function writeHistory(saver: Saver, thread: string): Promise<void> {
  const first = {
    ...emptyCheckpoint(),
    id: '1f0-0001',
    ts: '2026-11-20T09:00:00.000Z',
    channel_values: { escalationId: 'esc-9', decision: null },
  };
  first.channel_versions = { escalationId: 1, decision: 1 };
  const one = await saver.put(
    { configurable: { thread_id: thread, checkpoint_ns: '' } },
    first,
    { source: 'input', step: -1, parents: {} },
    { escalationId: 1, decision: 1 },
  );
  // A channel with no value in channel_values is stored as "empty"; an unchanged one is not written again.
  const second = {
    ...emptyCheckpoint(),
    id: '1f0-0002',
    ts: '2026-11-20T09:00:01.000Z',
    channel_values: { escalationId: 'esc-9', decision: { decision: 'approved', actor: 'U1' } },
  };
  second.channel_versions = { escalationId: 1, decision: 2, outcome: 1 };
  const two = await saver.put(one, second, { source: 'loop', step: 0, parents: {} }, { decision: 2, outcome: 1 });
  // Ordinary writes keep the first of a repeated index; special ones (an interrupt) keep the last.
  await saver.putWrites(
    two,
    [
      ['decision', { decision: 'approved' }],
      ['outcome', 'x'],
    ],
    'task-1',
  );
  await saver.putWrites(two, [['decision', { decision: 'overridden' }]], 'task-1');
  await saver.putWrites(
    two,
    [
      ['__interrupt__', [{ value: 'first' }]],
      ['__interrupt__', [{ value: 'second' }]],
    ],
    'task-2',
  );
  // The same checkpoint written again takes the new metadata.
  await saver.put(one, second, { source: 'loop', step: 0, parents: {}, note: 'again' } as never, {});
}

async function rows(
  pool: pg.Pool,
  thread: string,
): Promise<{ checkpoints: unknown[]; blobs: unknown[]; writes: unknown[] }> {
  const q = async (sql: string) => (await pool.query(sql, [thread])).rows;
  return {
    checkpoints: await q(
      `SELECT checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata FROM checkpoints WHERE thread_id = $1 ORDER BY checkpoint_id`,
    ),
    blobs: await q(
      `SELECT checkpoint_ns, channel, version, type, blob FROM checkpoint_blobs WHERE thread_id = $1 ORDER BY channel, version`,
    ),
    writes: await q(
      `SELECT checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob FROM checkpoint_writes WHERE thread_id = $1 ORDER BY task_id, idx`,
    ),
  };
}

describe('BatchedPostgresSaver', () => {
  const db = useTestSchema();
  let pool: pg.Pool;
  beforeEach(async () => {
    pool = createPool(db.url, { max: 3 });
    await migratePostgres(pool, db.url);
  });
  afterEach(async () => {
    await pool.end();
  });

  it('knows the channels the package overwrites by a fixed index', () => {
    const special = Object.keys(WRITES_IDX_MAP).sort();
    expect(special).toEqual(['__error__', '__interrupt__', '__resume__', '__scheduled__']);
  });

  it('leaves the rows the package itself leaves for the same calls', async () => {
    await writeHistory(new PostgresSaver(pool, undefined, { schema: db.schema }), 'by-package');
    await writeHistory(new BatchedPostgresSaver(pool, db.schema), 'batched');
    const theirs = await rows(pool, 'by-package');
    expect(theirs.checkpoints).toHaveLength(2);
    expect(theirs.blobs.length).toBeGreaterThanOrEqual(4);
    expect(theirs.writes).toHaveLength(3);
    expect(await rows(pool, 'batched')).toEqual(theirs);
  });

  it('writes what the package reads back, and reads what it wrote', async () => {
    const batched = new BatchedPostgresSaver(pool, db.schema);
    const upstream = new PostgresSaver(pool, undefined, { schema: db.schema });
    await writeHistory(batched, 't1');
    await writeHistory(upstream, 't2');
    const a = await upstream.getTuple({ configurable: { thread_id: 't1' } });
    const b = await batched.getTuple({ configurable: { thread_id: 't2' } });
    expect(a?.checkpoint.channel_values).toEqual({
      escalationId: 'esc-9',
      decision: { decision: 'approved', actor: 'U1' },
    });
    expect(a?.pendingWrites).toEqual([
      ['task-1', 'decision', { decision: 'approved' }],
      ['task-1', 'outcome', 'x'],
      ['task-2', '__interrupt__', [{ value: 'second' }]],
    ]);
    expect(b?.checkpoint).toEqual(a?.checkpoint);
    expect(b?.pendingWrites).toEqual(a?.pendingWrites);
    expect(b?.metadata).toEqual(a?.metadata);
  });

  it('keeps a thread waiting at its interrupt and resumes it, in one statement per write', async () => {
    const State = Annotation.Root({ asked: Annotation<string>(), answer: Annotation<string | null>() });
    const graph = new StateGraph(State)
      .addNode('ask', (s) => ({ answer: interrupt({ asked: s.asked }) as string }))
      .addNode('done', (s) => ({ answer: `${s.answer}!` }))
      .addEdge(START, 'ask')
      .addEdge('ask', 'done')
      .addEdge('done', END)
      .compile({ checkpointer: new BatchedPostgresSaver(pool, db.schema) });
    const config = { configurable: { thread_id: 'esc-graph' } };
    const sent: string[] = [];
    const query = pool.query.bind(pool);
    pool.query = ((...args: Parameters<typeof query>) => {
      sent.push(String(typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text).trim());
      return query(...args);
    }) as typeof pool.query;
    await graph.invoke({ asked: 'pause?', answer: null }, { ...config, durability: 'exit' });
    // Its one read (none there yet), then the checkpoint with its blobs and the interrupt (LangGraph sends the
    // two together, in either order): no transaction of its own.
    const heads = sent.map((t) => t.split(/\s+/).slice(0, 3).join(' ').toLowerCase());
    expect(heads[0]).toBe('select thread_id, checkpoint,');
    expect(heads.slice(1).sort()).toEqual([`insert into "${db.schema}".checkpoint_writes`, 'with blobs as']);
    const waiting = await graph.getState(config);
    expect(waiting.next).toEqual(['ask']);
    expect(waiting.tasks[0]?.interrupts[0]?.value).toEqual({ asked: 'pause?' });
    const end = await graph.invoke(new Command({ resume: 'yes' }), config);
    expect(end.answer).toBe('yes!');
    expect((await graph.getState(config)).next).toEqual([]);
  });
});
