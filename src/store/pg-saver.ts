// LangGraph's PostgreSQL checkpointer with its writes in one statement each: upstream's `put` and `putWrites`
// take a pooled client and send BEGIN, one INSERT per channel or write, and COMMIT, about six round trips per
// checkpoint; a run that opens a hundred questions writes a hundred of them. Here a checkpoint with its blobs is
// one INSERT (the blobs in a data-modifying WITH), and a task's writes one multi-row INSERT: one round trip, as
// atomic as the transaction it replaces. Same tables, same rows, read back by the upstream code unchanged.
import type { RunnableConfig } from '@langchain/core/runnables';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type pg from 'pg';

type PutArgs = Parameters<PostgresSaver['put']>;
type PendingWrites = Parameters<PostgresSaver['putWrites']>[1];

/** Channels whose writes upstream keys by a fixed index and overwrites (its WRITES_IDX_MAP: error, interrupt…). */
const SPECIAL_WRITES = new Set(['__error__', '__scheduled__', '__interrupt__', '__resume__']);

export class BatchedPostgresSaver extends PostgresSaver {
  private readonly tables: { checkpoints: string; blobs: string; writes: string };

  constructor(
    private readonly queryable: pg.Pool,
    schema: string,
  ) {
    super(queryable, undefined, { schema });
    const q = `"${schema.replaceAll('"', '""')}"`;
    this.tables = {
      checkpoints: `${q}.checkpoints`,
      blobs: `${q}.checkpoint_blobs`,
      writes: `${q}.checkpoint_writes`,
    };
  }

  override async put(
    config: RunnableConfig,
    checkpoint: PutArgs[1],
    metadata: PutArgs[2],
    newVersions: PutArgs[3],
  ): Promise<RunnableConfig> {
    if (config.configurable === undefined) throw new Error('Missing "configurable" field in "config" param');
    const { thread_id, checkpoint_ns = '', checkpoint_id } = config.configurable;
    const [blobs, serializedMetadata] = await Promise.all([
      this._dumpBlobs(thread_id, checkpoint_ns, checkpoint.channel_values, newVersions),
      this._dumpMetadata(metadata),
    ]);
    const params: unknown[] = [];
    const values = (row: readonly unknown[]) => `(${row.map((v) => `$${params.push(v)}`).join(', ')})`;
    const withBlobs = blobs.length
      ? `WITH blobs AS (INSERT INTO ${this.tables.blobs} (thread_id, checkpoint_ns, channel, version, type, blob)
         VALUES ${blobs.map(values).join(', ')}
         ON CONFLICT (thread_id, checkpoint_ns, channel, version) DO NOTHING) `
      : '';
    const row = values([
      thread_id,
      checkpoint_ns,
      checkpoint.id,
      checkpoint_id,
      this._dumpCheckpoint(checkpoint),
      serializedMetadata,
    ]);
    await this.queryable.query(
      `${withBlobs}INSERT INTO ${this.tables.checkpoints} (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata)
       VALUES ${row}
       ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, metadata = EXCLUDED.metadata`,
      params,
    );
    return { configurable: { thread_id, checkpoint_ns, checkpoint_id: checkpoint.id } };
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrites, taskId: string): Promise<void> {
    if (writes.length === 0) return;
    // As upstream: writes to special channels replace what is there; any other set is kept as first written.
    const replace = writes.every(([channel]) => SPECIAL_WRITES.has(channel));
    const dumped = await this._dumpWrites(
      config.configurable?.thread_id,
      config.configurable?.checkpoint_ns,
      config.configurable?.checkpoint_id,
      taskId,
      writes as [string, unknown][],
    );
    // One statement may not touch a row twice: of writes sharing an index the one upstream would leave stands
    // (the last when replacing, the first otherwise).
    const byIdx = new Map<number, (typeof dumped)[number]>();
    for (const w of dumped) if (replace || !byIdx.has(w[4])) byIdx.set(w[4], w);
    const params: unknown[] = [];
    const rows = [...byIdx.values()].map((w) => `(${w.map((v) => `$${params.push(v)}`).join(', ')})`);
    await this.queryable.query(
      `INSERT INTO ${this.tables.writes} (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob)
       VALUES ${rows.join(', ')}
       ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) ${
         replace ? 'DO UPDATE SET channel = EXCLUDED.channel, type = EXCLUDED.type, blob = EXCLUDED.blob' : 'DO NOTHING'
       }`,
      params,
    );
  }
}
