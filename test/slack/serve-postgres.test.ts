// `pacing serve` on PostgreSQL, through Bolt's real HTTP receiver and the fake Slack Web API: a run asked for in
// Slack runs once, each question and alert goes out once, and readiness checks the server's database.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { type Server, serve } from '../../src/slack/serve.js';
import { Store } from '../../src/store/index.js';
import { slashCommand } from '../fakes/slack-requests.js';
import { useTestSchema } from '../pg/harness.js';
import { APPROVER, CHANNELS, SECRET, type SlackWorld, slackWorld } from './helpers.js';

describe('serve on PostgreSQL', () => {
  const db = useTestSchema();
  let world: SlackWorld | null = null;
  let server: Server | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
    await world?.cleanup();
    world = null;
  });

  it('answers /pacing run: one run, each question and alert posted once, and the database ready', async () => {
    const w = await slackWorld({ PACING_DB: db.url });
    world = w;
    server = await serve(loadConfig(w.env), silentLogger());
    const res = await slashCommand(w.base, SECRET, {
      text: 'run',
      userId: APPROVER,
      channelId: CHANNELS.alerts,
      responseUrl: w.fake.responseUrl('run'),
    });
    expect(res.status).toBe(200);
    await w.fake.waitForRespond((r) => r.id === 'run', 20_000);

    const store = await Store.open(db.url);
    try {
      const deadline = Date.now() + 15_000;
      while ((await store.outbox.pendingCount()) > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(await store.outbox.pendingCount()).toBe(0);
      expect(await store.runs.completedSince(null)).toHaveLength(1);
      const pending = await store.escalations.pending();
      expect(pending.length).toBeGreaterThan(0);
      // Each open question was posted once, to the approvals channel.
      const questions = w.fake
        .callsTo('chat.postMessage')
        .filter((c) => c.body.channel === CHANNELS.approvals)
        .map((c) => JSON.stringify(c.body.blocks ?? ''));
      for (const e of pending) expect(questions.filter((q) => q.includes(e.id))).toHaveLength(1);
      // Every message queued as a new post went out exactly once.
      const posts = await store.sql.get<{ n: number }>(
        `SELECT COUNT(*) AS n FROM outbox WHERE method = 'chat.postMessage' AND status = 'sent'`,
      );
      expect(w.fake.callsTo('chat.postMessage')).toHaveLength(posts?.n ?? -1);
    } finally {
      await store.close();
    }

    const ready = await fetch(`${w.base}/readyz`);
    const report = (await ready.json()) as { checks: { database: { ok: boolean; detail: string } } };
    expect(report.checks.database).toEqual({ ok: true, detail: 'writable' });
  }, 60_000);
});
