// `/pacing replay` through Bolt's real HTTP receiver with signed requests: approvers get the summary privately,
// anyone else is told why not, a bad setting is named, and nothing is written or posted.
import { describe, expect, it } from 'vitest';
import { CollectingNotifier } from '../../src/cli/notifier.js';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/wiring.js';
import { slashCommand } from '../fakes/slack-requests.js';
import { APPROVER, BUYER, CHANNELS, SECRET } from './helpers.js';
import { servedSlack } from './serve-harness.js';

const t = servedSlack();

/** Two runs of the bundled demo made offline, two hours apart. */
async function twoRuns(): Promise<string[]> {
  const ids: string[] = [];
  for (const now of ['2026-11-20T09:00:00Z', '2026-11-20T11:00:00Z']) {
    const app = await createApp(
      loadConfig({ ...t.world.env, SLACK_BOT_TOKEN: '', PACING_NOW: now }),
      new CollectingNotifier(),
    );
    try {
      ids.push((await app.agent.run('cli')).runId);
    } finally {
      await app.close();
    }
  }
  return ids;
}

/** Rows in the tables a replay must not touch. */
const written = () =>
  t.read((db) =>
    ['runs', 'results', 'audit', 'escalations', 'outbox'].map(
      (table) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n,
    ),
  );

const pending = () =>
  t.read((db) => (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'").get() as { n: number }).n);

const ask = (text: string, userId: string, id: string) =>
  slashCommand(t.world.base, SECRET, {
    text,
    userId,
    channelId: CHANNELS.alerts,
    responseUrl: t.world.fake.responseUrl(id),
  });

describe('/pacing replay', () => {
  it('answers an approver privately with each run then and now and the changes, writing and posting nothing', async () => {
    await twoRuns();
    await t.start();
    // The server first delivers what the runs queued (their questions); the replay must add nothing to it.
    const deadline = Date.now() + 15_000;
    while (pending() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(pending()).toBe(0);
    const posts = t.world.fake.callsTo('chat.postMessage').length;
    const before = written();
    const t0 = Date.now();
    const res = await ask('replay CONFIDENCE_THRESHOLD=101', APPROVER, 'replay');
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(res.body).toContain('Replaying the latest 30 runs');
    const reply = await t.world.fake.waitForRespond((r) => r.id === 'replay', 10_000);
    const body = reply.body as { response_type: string; text: string; blocks: unknown[] };
    expect(body.response_type).toBe('ephemeral');
    // Each campaign counted once, however many of the runs it changes in.
    const m =
      /^Replay with CONFIDENCE_THRESHOLD=101: (\d+) campaigns would change \((\d+) decisions\) over 2 runs/.exec(
        body.text,
      );
    expect(Number(m?.[2])).toBe(2 * Number(m?.[1]));
    const text = JSON.stringify(body.blocks);
    // Both runs decided three halts alone on the demo (one finds its campaign already paused); at 101 none.
    expect(text).toContain('pause decided 6 → 0');
    expect(text.match(/pause decided 3 → 0/g)).toHaveLength(2);
    expect(text).not.toContain('paused alone');
    expect(text).toContain('ACM-G-005');
    expect(text).toContain('pause → ask (proposes pause)');
    expect(text).toContain('Nothing was changed');
    expect(written()).toEqual(before);
    expect(t.world.fake.callsTo('chat.postMessage')).toHaveLength(posts);
    expect(pending()).toBe(0);
  });

  it('tells anyone but an approver why not, and replays nothing', async () => {
    await t.start();
    const res = await ask('replay CONFIDENCE_THRESHOLD=60', BUYER, 'buyer');
    expect(res.status).toBe(200);
    expect(res.body).toContain('Only approvers');
    await new Promise((r) => setTimeout(r, 200));
    expect(t.world.fake.respondRequests.filter((r) => r.id === 'buyer')).toHaveLength(0);
  });

  it.each([
    ['replay CONFIDENCE_THRESHOLD=high', 'CONFIDENCE_THRESHOLD must be a decimal number'],
    ['replay CONFIDENCE_TRESHOLD=60', 'Unknown setting CONFIDENCE_TRESHOLD (did you mean CONFIDENCE_THRESHOLD?)'],
    ['replay SLACK_BOT_TOKEN=xoxb-1', 'SLACK_BOT_TOKEN is not a decision or guard setting'],
  ])('names a bad setting: %s', async (text, message) => {
    await t.start();
    const res = await ask(text, APPROVER, 'bad');
    expect(res.status).toBe(200);
    expect(res.body).toContain(message);
    expect(res.body).toContain('/pacing replay CONFIDENCE_THRESHOLD=60');
  });

  it('reads both variance thresholds before comparing them, in either order', async () => {
    await t.start();
    await ask('replay WARNING_VARIANCE_THRESHOLD=40 HEALTHY_VARIANCE_THRESHOLD=30', APPROVER, 'wider');
    const reply = await t.world.fake.waitForRespond((r) => r.id === 'wider', 10_000);
    expect(JSON.stringify(reply.body)).not.toContain('must not exceed');
    expect(JSON.stringify(reply.body)).toContain('No completed run to replay yet');
  });

  it('says there is nothing to replay before the first run', async () => {
    await t.start();
    await ask('replay UNDERSPEND_ACTION=alert', APPROVER, 'empty');
    const reply = await t.world.fake.waitForRespond((r) => r.id === 'empty', 10_000);
    expect(JSON.stringify(reply.body)).toContain('No completed run to replay yet');
  });
});
