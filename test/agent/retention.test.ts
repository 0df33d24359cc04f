// Checkpoint retention: threads of settled escalations are deleted after CHECKPOINT_RETENTION_DAYS, open
// ones never; the deletion is audited.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/wiring.js';
import { workspace } from '../fakes/pacing-cli.js';
import { RecordingNotifier } from '../fakes/platform.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function appAt(ws: ReturnType<typeof workspace>, now: string, extra: Record<string, string> = {}) {
  const app = await createApp(
    // The bundled scenario's matrix questions only: budget questions would add threads of their own.
    loadConfig({ PACING_DB: ws.db, PACING_DATA_DIR: ws.dataDir, PACING_NOW: now, BUDGET_ACTIONS: 'off', ...extra }),
    new RecordingNotifier(),
  );
  cleanups.push(() => app.close());
  return app;
}

const threads = (app: Awaited<ReturnType<typeof appAt>>) =>
  (app.store.db.prepare('SELECT DISTINCT thread_id FROM checkpoints').all() as { thread_id: string }[]).map(
    (r) => r.thread_id,
  );

describe('checkpoint retention', () => {
  it('prunes settled threads past the retention, keeps open ones, and audits it', async () => {
    const ws = workspace();
    cleanups.push(ws.cleanup);
    const day0 = await appAt(ws, '2026-11-20T09:00:00Z', { CHECKPOINT_RETENTION_DAYS: '7' });
    await day0.agent.run('test');
    const pending = await day0.agent.pending();
    expect(pending).toHaveLength(6);
    expect(threads(day0)).toHaveLength(6);
    const decided = pending[0] as (typeof pending)[number];
    await day0.agent.decide(decided.id, 'overridden', 'U1', 'planned', 'cli');

    // Three days later: within the retention, nothing is pruned.
    const day3 = await appAt(ws, '2026-11-23T09:00:00Z', {
      CHECKPOINT_RETENTION_DAYS: '7',
      APPROVAL_TIMEOUT_HOURS: '1000',
    });
    expect(await day3.agent.pruneThreads()).toBe(0);

    // Eight days later the settled thread goes; the five still open stay.
    const day8 = await appAt(ws, '2026-11-28T10:00:00Z', {
      CHECKPOINT_RETENTION_DAYS: '7',
      APPROVAL_TIMEOUT_HOURS: '1000',
    });
    expect(await day8.agent.pruneThreads()).toBe(1);
    const left = threads(day8);
    expect(left).toHaveLength(5);
    expect(left).not.toContain(decided.threadId);
    expect(await day8.store.audit.list({ type: 'threads_pruned' })).toHaveLength(1);
    // A second pass has nothing left to do.
    expect(await day8.agent.pruneThreads()).toBe(0);
  });
});

describe('results retention', () => {
  it('deletes per-campaign results of runs past RESULTS_RETENTION_DAYS, keeps the latest run and the summaries', async () => {
    const ws = workspace();
    cleanups.push(ws.cleanup);
    const first = await (await appAt(ws, '2026-11-01T09:00:00Z')).agent.run('test');
    const later = await appAt(ws, '2026-11-20T09:00:00Z', {
      RESULTS_RETENTION_DAYS: '7',
      APPROVAL_TIMEOUT_HOURS: '1000',
    });
    // A Slack message from the first run's day, delivered long ago; and one from today.
    const post = async (at: string) =>
      await later.store.outbox.enqueue({ kind: 'alert', method: 'chat.postMessage', channel: 'C1', payload: {} }, at);
    const old = await post('2026-11-01T09:00:05Z');
    await later.store.outbox.markSent(old, '2026-11-01T09:00:06Z', '1.1');
    const today = await post('2026-11-20T08:00:00Z');
    await later.store.outbox.markSent(today, '2026-11-20T08:00:01Z', '1.2');
    const second = await later.agent.run('test');
    expect(await later.store.outbox.get(old)).toBeNull();
    expect((await later.store.outbox.get(today))?.status).toBe('sent');
    expect((await later.store.audit.list({ type: 'results_pruned' }))[0]?.details).toMatchObject({
      rows: 20,
      messages: 1,
    });
    expect(await later.store.runs.results(first.runId)).toEqual([]);
    expect((await later.store.runs.get(first.runId))?.summary?.rows).toBe(20);
    expect(await later.store.runs.results(second.runId)).toHaveLength(21);
    expect(await later.store.audit.list({ type: 'results_pruned' })).toHaveLength(1);
  });
});
