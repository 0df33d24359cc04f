// The reject click through Bolt's real HTTP receiver: the reason modal must open while the click's trigger_id is
// still valid (Slack: 3 s), so it opens before the decision is taken, and says so when the decision is refused.
import { beforeEach, describe, expect, it } from 'vitest';
import { REJECT_REASON_VIEW } from '../../src/slack/actions.js';
import { blockAction } from '../fakes/slack-requests.js';
import { APPROVER, CHANNELS, escalationMessage, SECRET } from './helpers.js';
import { servedSlack } from './serve-harness.js';

const t = servedSlack();
beforeEach(async () => {
  await t.start();
});

const escalationStatus = (id: string): string =>
  t.read((d) => (d.prepare('SELECT status FROM escalations WHERE id = ?').get(id) as { status: string }).status);

async function escalationFor(campaignId: string) {
  await t.runFromSlack();
  return escalationMessage(t.world.fake, campaignId);
}

const reject = (id: string, ts: string, responseId: string) =>
  blockAction(t.world.base, SECRET, {
    userId: APPROVER,
    actionId: 'pacing_reject',
    value: id,
    channelId: CHANNELS.approvals,
    messageTs: ts,
    responseUrl: t.world.fake.responseUrl(responseId),
  });

describe('Reject', () => {
  it('opens the reason modal before the decision is taken, while the trigger_id is fresh', async () => {
    const esc = await escalationFor('ACM-M-005');
    const id = esc.actions[1]?.value as string;
    const statusAtOpen: string[] = [];
    t.world.fake.onArrival('views.open', () => statusAtOpen.push(escalationStatus(id)));
    await reject(id, esc.ts, 'rej');
    const open = await t.world.fake.waitFor('views.open', 5_000);
    expect(statusAtOpen).toEqual(['pending']);
    expect(open.response).toMatchObject({ ok: true, view: { callback_id: REJECT_REASON_VIEW, private_metadata: id } });
    await t.world.fake.waitFor((c) => c.method === 'chat.update' && c.body.ts === esc.ts, 5_000);
    expect(escalationStatus(id)).toBe('overridden');
  });

  it('a rejection refused (already decided) turns the modal into the reason, instead of asking for one', async () => {
    const esc = await escalationFor('ACM-M-005');
    const id = esc.actions[1]?.value as string;
    await reject(id, esc.ts, 'first');
    await t.world.fake.waitFor((c) => c.method === 'chat.update' && c.body.ts === esc.ts, 5_000);
    await reject(id, esc.ts, 'second');
    const told = await t.world.fake.waitForRespond((r) => r.id === 'second', 5_000);
    const update = await t.world.fake.waitFor('views.update', 5_000);
    expect(update.response).toMatchObject({ ok: true });
    const opened = t.world.fake.callsTo('views.open').map((c) => c.response as { view: { id: string } });
    expect(opened).toHaveLength(2);
    expect(update.body.view_id).toBe(opened[1]?.view.id);
    const text = JSON.stringify(update.body.view);
    expect(text).toContain('Not rejected');
    expect(text).not.toContain(REJECT_REASON_VIEW);
    // The modal says what the clicker is told privately.
    expect(text).toContain((told.body as { text: string }).text.slice(0, 20));
  });
});
