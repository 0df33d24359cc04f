// The reject click through Bolt's real HTTP receiver: the reason modal must open while the click's trigger_id is
// still valid (Slack: 3 s), so it opens before the decision is taken, and says so when the decision is refused.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { REJECT_REASON_VIEW } from '../../src/slack/actions.js';
import { type Server, serve } from '../../src/slack/serve.js';
import { blockAction, slashCommand } from '../fakes/slack-requests.js';
import { APPROVER, CHANNELS, escalationMessage, SECRET, type SlackWorld, slackWorld } from './helpers.js';

let world: SlackWorld;
let server: Server | null = null;
beforeEach(async () => {
  world = await slackWorld();
  server = await serve(loadConfig(world.env), silentLogger());
});
afterEach(async () => {
  await server?.stop();
  server = null;
  await world.cleanup();
});

const escalationStatus = (id: string): string => {
  const d = new Database(world.env.PACING_DB as string, { readonly: true });
  try {
    return (d.prepare('SELECT status FROM escalations WHERE id = ?').get(id) as { status: string }).status;
  } finally {
    d.close();
  }
};

async function escalationFor(campaignId: string) {
  await slashCommand(world.base, SECRET, {
    text: 'run',
    userId: APPROVER,
    channelId: CHANNELS.alerts,
    responseUrl: world.fake.responseUrl('run'),
  });
  await world.fake.waitForRespond((r) => r.id === 'run', 15_000);
  await world.fake.waitFor(
    (c) =>
      c.method === 'chat.postMessage' &&
      c.body.channel === CHANNELS.approvals &&
      JSON.stringify(c.body).includes(campaignId),
    15_000,
  );
  return escalationMessage(world.fake, campaignId);
}

const reject = (id: string, ts: string, responseId: string) =>
  blockAction(world.base, SECRET, {
    userId: APPROVER,
    actionId: 'pacing_reject',
    value: id,
    channelId: CHANNELS.approvals,
    messageTs: ts,
    responseUrl: world.fake.responseUrl(responseId),
  });

describe('Reject', () => {
  it('opens the reason modal before the decision is taken, while the trigger_id is fresh', async () => {
    const esc = await escalationFor('ACM-M-005');
    const id = esc.actions[1]?.value as string;
    const statusAtOpen: string[] = [];
    world.fake.onArrival('views.open', () => statusAtOpen.push(escalationStatus(id)));
    await reject(id, esc.ts, 'rej');
    const open = await world.fake.waitFor('views.open', 5_000);
    expect(statusAtOpen).toEqual(['pending']);
    expect(open.response).toMatchObject({ ok: true, view: { callback_id: REJECT_REASON_VIEW, private_metadata: id } });
    await world.fake.waitFor((c) => c.method === 'chat.update' && c.body.ts === esc.ts, 5_000);
    expect(escalationStatus(id)).toBe('overridden');
  });

  it('a rejection refused (already decided) turns the modal into the reason, instead of asking for one', async () => {
    const esc = await escalationFor('ACM-M-005');
    const id = esc.actions[1]?.value as string;
    await reject(id, esc.ts, 'first');
    await world.fake.waitFor((c) => c.method === 'chat.update' && c.body.ts === esc.ts, 5_000);
    await reject(id, esc.ts, 'second');
    const told = await world.fake.waitForRespond((r) => r.id === 'second', 5_000);
    const update = await world.fake.waitFor('views.update', 5_000);
    expect(update.response).toMatchObject({ ok: true });
    const opened = world.fake.callsTo('views.open').map((c) => c.response as { view: { id: string } });
    expect(opened).toHaveLength(2);
    expect(update.body.view_id).toBe(opened[1]?.view.id);
    const text = JSON.stringify(update.body.view);
    expect(text).toContain('Not rejected');
    expect(text).not.toContain(REJECT_REASON_VIEW);
    // The modal says what the clicker is told privately.
    expect(text).toContain((told.body as { text: string }).text.slice(0, 20));
  });
});
