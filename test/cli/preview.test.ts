// `pacing preview` and `pacing digest --now`: the Slack messages without a workspace, and the digest on demand.
// The built CLI as a child process; the digest goes to the fake Slack Web API, which refuses what Slack refuses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectingNotifier } from '../../src/cli/notifier.js';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/wiring.js';
import { ensureBuilt, pacing, pacingJson, type Workspace, workspace } from '../fakes/pacing-cli.js';
import { blockErrors } from '../fakes/slack-api.js';
import { CHANNELS, type SlackWorld, slackWorld } from '../slack/helpers.js';

interface PreviewDoc {
  runId: string | null;
  messages: { n: number; channel: string; kind: string; threadOf: number | null; text: string; blocks: unknown[] }[];
}

describe('pacing preview', () => {
  let ws: Workspace;
  let before: PreviewDoc;
  let doc: PreviewDoc;
  let text: string;
  let status: string;
  let again: PreviewDoc;
  beforeAll(async () => {
    await ensureBuilt();
    // The matrix's messages as the bundled scenario posts them; budget questions' cards are tested with their views.
    ws = workspace({ BUDGET_ACTIONS: 'off' });
    before = await pacingJson<PreviewDoc>(ws, ['preview']);
    const run = await pacing(ws, ['run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    doc = await pacingJson<PreviewDoc>(ws, ['preview']);
    const out = await pacing(ws, ['preview']);
    expect(out.code, out.stderr).toBe(0);
    text = out.stdout;
    status = (await pacing(ws, ['status'])).stdout;
    // A second run finds every alert unchanged: it posts none of them again.
    expect((await pacing(ws, ['run', '--json'])).code).toBe(0);
    again = await pacingJson<PreviewDoc>(ws, ['preview']);
  }, 90_000);
  afterAll(() => ws?.cleanup());

  it('says there is nothing to preview before any run', () => {
    expect(before).toEqual({ runId: null, messages: [] });
  });

  it('gives every message a run posts as Block Kit Slack accepts: alerts, questions with buttons, the digest', () => {
    const by = (channel: string) => doc.messages.filter((m) => m.channel === channel);
    // More than five new alerts: one summary, the cards in its thread.
    const [summary, ...cards] = by('alerts');
    expect(summary?.kind).toBe('alert_summary');
    expect(cards.length).toBeGreaterThan(5);
    for (const c of cards) expect(c.threadOf).toBe(summary?.n);
    expect(cards.filter((c) => c.kind === 'halt_alert')).toHaveLength(2);
    const questions = by('approvals');
    expect(questions).toHaveLength(6);
    for (const q of questions) {
      const ids = JSON.stringify(q.blocks);
      expect(ids).toContain('"action_id":"pacing_approve"');
      expect(ids).toContain('"action_id":"pacing_reject"');
    }
    expect(by('digest').map((m) => m.kind)).toEqual(['digest']);
    for (const m of doc.messages) expect(blockErrors(m.blocks, '/blocks', 50), `${m.n} ${m.kind}`).toEqual([]);
  });

  it('renders them as text a person can read: where each goes, headers, buttons, no mrkdwn escapes', () => {
    expect(text).toContain(`The Slack messages of run ${doc.runId}`);
    expect(text).toContain('── 1. #alerts · alert_summary ──');
    expect(text).toMatch(/── \d+\. #alerts, in the thread of message 1 · halt_alert ──/);
    expect(text).toContain('# :octagonal_sign: Paused: Acme_NL_Outdoor_Awareness_Q4');
    expect(text).toContain('[Resume campaign]');
    expect(text).toMatch(/── \d+\. #approvals · escalation ──/);
    expect(text).toMatch(/── \d+\. #digest · digest ──/);
    expect(text).not.toMatch(/&lt;|&gt;|&amp;|<!date\^/);
  });

  it("gives the run's counts and money at stake in the summary, as the CLI and the posted summary do", () => {
    const atStake = /At stake: +(.*) off plan to date/.exec(status)?.[1];
    const thisRun = /This run: +(.*)/.exec(status)?.[1];
    expect(atStake).toMatch(/EUR .* USD .* GBP/);
    const summary = doc.messages.find((m) => m.kind === 'alert_summary');
    const blocks = JSON.stringify(summary?.blocks);
    expect(blocks).toContain(`*Money at stake:* ${atStake} off plan to date.`);
    expect(blocks).toContain(`:bell: ${thisRun}`);
  });

  it('leaves out the alerts a later run found unchanged: that run did not post them again', () => {
    expect(again.runId).not.toBe(doc.runId);
    expect(again.messages.filter((m) => m.channel === 'alerts')).toEqual([]);
    expect(again.messages.filter((m) => m.channel === 'approvals')).toHaveLength(6);
  });
});

describe('pacing digest --now', () => {
  let world: SlackWorld;
  beforeAll(async () => {
    await ensureBuilt();
    world = await slackWorld();
    const offline = await createApp(loadConfig({ ...world.env, SLACK_BOT_TOKEN: '' }), new CollectingNotifier());
    await offline.agent.run('cli');
    await offline.close();
  }, 60_000);
  afterAll(async () => {
    await world?.cleanup();
  });

  const asWorld = (extra: Record<string, string> = {}): Workspace => ({
    dir: world.dir,
    dataDir: world.env.PACING_DATA_DIR as string,
    db: world.env.PACING_DB as string,
    env: { ...world.env, ...extra },
    cleanup: () => {},
  });

  it('posts the digest and its chart to the digest channel now', async () => {
    const out = await pacing(asWorld(), ['digest', '--now']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.trim()).toMatch(/^Digest of run run-[0-9a-f]+ sent to C0DIGEST01 with its chart\.$/);
    const posts = world.fake.callsTo('chat.postMessage').filter((c) => c.body.channel === CHANNELS.digest);
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]?.body.blocks)).toContain('*Money at stake*');
    expect(world.fake.files.map((f) => f.channel)).toEqual([CHANNELS.digest]);
  }, 60_000);

  it('says what is missing without Slack, and how to see it anyway', async () => {
    const out = await pacing(asWorld({ SLACK_BOT_TOKEN: '' }), ['digest', '--now']);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('digest --now posts to Slack, but SLACK_BOT_TOKEN is not set.');
    expect(out.stderr).toContain('npx pacing preview');
    const noChannel = await pacing(asWorld({ SLACK_DIGEST_CHANNEL: '', SLACK_ALERT_CHANNEL: '' }), ['digest', '--now']);
    expect(noChannel.code).toBe(1);
    expect(noChannel.stderr).toContain('digest --now needs a channel: set SLACK_DIGEST_CHANNEL');
  });
});
