// Shared set-up for Slack tests: a fake Slack Web API, a temp data dir and database, and the settings.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, NOW } from '../fakes/pacing-cli.js';
import { FAKE_SLACK, type FakeSlackApi, startFakeSlackApi } from '../fakes/slack-api.js';

export const SECRET = 'test-signing-secret';
export const APPROVER = 'U0APPROVER1';
export const BUYER = 'U0BUYER0001';
export const CHANNELS = { alerts: 'C0ALERTS01', approvals: 'C0APPROVE1', digest: 'C0DIGEST01' };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface SlackWorld {
  fake: FakeSlackApi;
  dir: string;
  env: Record<string, string>;
  base: string;
  port: number;
  cleanup(): Promise<void>;
}

export async function slackWorld(extra: Record<string, string> = {}): Promise<SlackWorld> {
  const fake = await startFakeSlackApi({ knownChannels: Object.values(CHANNELS) });
  const dir = mkdtempSync(join(tmpdir(), 'pacing-slack-'));
  cpSync(FIXTURES, join(dir, 'data'), { recursive: true });
  const port = await freePort();
  const env: Record<string, string> = {
    PACING_DATA_DIR: join(dir, 'data'),
    PACING_DB: join(dir, 'p.db'),
    PACING_NOW: NOW,
    SLACK_BOT_TOKEN: FAKE_SLACK.token,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.url,
    // The fake Slack API has no per-channel limit: the real one-a-second pace would make each run take seconds.
    SLACK_CHANNEL_PACE_MS: '10',
    // At that pace what can go goes at once: a stop need not wait 5 s for a message held back by a retry.
    SLACK_STOP_FLUSH_MS: '1000',
    PORT: String(port),
    SLACK_ALERT_CHANNEL: CHANNELS.alerts,
    SLACK_APPROVAL_CHANNEL: CHANNELS.approvals,
    SLACK_DIGEST_CHANNEL: CHANNELS.digest,
    PACING_APPROVERS: APPROVER,
    PACING_RUN_CRON: 'off',
    PACING_DIGEST_CRON: 'off',
    LOG_LEVEL: 'silent',
    // The Slack tests count the bundled scenario's pause and alert questions; budget questions are switched on
    // where a test is about them.
    BUDGET_ACTIONS: 'off',
    ...extra,
  };
  return {
    fake,
    dir,
    env,
    port,
    base: `http://127.0.0.1:${port}`,
    cleanup: async () => {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The escalation message posted for a campaign, with its buttons. */
export function escalationMessage(fake: FakeSlackApi, campaignId: string) {
  const call = fake
    .callsTo('chat.postMessage')
    .find(
      (c) =>
        c.body.channel === CHANNELS.approvals &&
        JSON.stringify(c.body.blocks).includes(campaignId) &&
        (c.response as { ok?: boolean } | undefined)?.ok === true,
    );
  if (!call) throw new Error(`no escalation message for ${campaignId}`);
  const blocks = call.body.blocks as {
    type: string;
    elements?: { action_id: string; value: string; confirm?: unknown }[];
  }[];
  const actions = blocks.find((b) => b.type === 'actions');
  return { call, ts: String((call.response as { ts: string }).ts), actions: actions?.elements ?? [], blocks };
}
