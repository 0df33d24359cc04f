import { describe, expect, it } from 'vitest';
import { REJECT_REASON_VIEW } from '../../src/slack/actions.js';
import { canonicalSignature } from '../../src/slack/trust.js';
import { blockAction, sendSigned, slackSignature, slashCommandBody, viewSubmission } from '../fakes/slack-requests.js';
import { APPROVER, BUYER, CHANNELS, escalationMessage, SECRET } from './helpers.js';
import { servedSlack } from './serve-harness.js';

const t = servedSlack();
const start = (extra: Record<string, string> = {}) => t.start(extra);
const audit = (type: string) => t.audit(type);
const runAndWait = () => t.runFromSlack();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('requests from another workspace or app', () => {
  it('acts on none of them, even with an approver id and a correct signature', async () => {
    await start();
    await runAndWait();
    const esc = escalationMessage(t.world.fake, 'ACM-M-005');
    for (const foreign of [{ teamId: 'T0FOREIGN' }, { apiAppId: 'A0FOREIGN' }]) {
      const res = await blockAction(t.world.base, SECRET, {
        userId: APPROVER,
        actionId: 'pacing_approve',
        value: esc.actions[0]?.value as string,
        responseUrl: t.world.fake.responseUrl('foreign'),
        channelId: CHANNELS.approvals,
        messageTs: esc.ts,
        ...foreign,
      });
      expect(res.status).toBe(200); // acknowledged, so Slack does not retry it
    }
    await sleep(300);
    expect(audit('escalation_approved')).toHaveLength(0);
    expect(t.world.fake.respondRequests.filter((r) => r.id === 'foreign')).toEqual([]);
  });

  it('refuses to start when SLACK_TEAM_ID is not the token’s workspace', async () => {
    await expect(start({ SLACK_TEAM_ID: 'T0OTHER99' })).rejects.toThrow(/SLACK_TEAM_ID T0OTHER99 is not the workspace/);
  });
});

describe('a replayed request', () => {
  it('is acted on once: the same signed /pacing run sent again inside the 5-minute window starts nothing', async () => {
    await start();
    const body = new URLSearchParams(
      slashCommandBody({
        text: 'status',
        userId: BUYER,
        channelId: CHANNELS.alerts,
        responseUrl: t.world.fake.responseUrl('r'),
      }),
    ).toString();
    const timestamp = Math.floor(Date.now() / 1000);
    const first = await sendSigned(t.world.base, SECRET, body, 'application/x-www-form-urlencoded', { timestamp });
    const replay = await sendSigned(t.world.base, SECRET, body, 'application/x-www-form-urlencoded', { timestamp });
    expect(first.status).toBe(200);
    expect(replay.status).toBe(200);
    await t.world.fake.waitForRespond((r) => r.id === 'r');
    await sleep(300);
    expect(t.world.fake.respondRequests.filter((r) => r.id === 'r')).toHaveLength(1);
  });
});

describe('a replay with a decorated signature', () => {
  it('counts as the request it copies: Bolt accepts `<sig>=x`, `<sig>=` and `<sig>==v0`, the replay table does not', async () => {
    await start();
    const body = new URLSearchParams(
      slashCommandBody({
        text: 'status',
        userId: BUYER,
        channelId: CHANNELS.alerts,
        responseUrl: t.world.fake.responseUrl('deco'),
      }),
    ).toString();
    const timestamp = Math.floor(Date.now() / 1000);
    const sig = slackSignature(SECRET, timestamp, body);
    const first = await sendSigned(t.world.base, SECRET, body, 'application/x-www-form-urlencoded', { timestamp });
    expect(first.status).toBe(200);
    await t.world.fake.waitForRespond((r) => r.id === 'deco');
    for (const decorated of [`${sig}=x`, `${sig}=`, `${sig}==v0`]) {
      const replay = await sendSigned(t.world.base, SECRET, body, 'application/x-www-form-urlencoded', {
        timestamp,
        headers: { 'X-Slack-Signature': decorated },
      });
      // Bolt's own check lets each through (a 401 would mean the test no longer exercises the replay table).
      expect(replay.status).toBe(200);
    }
    await sleep(300);
    expect(t.world.fake.respondRequests.filter((r) => r.id === 'deco')).toHaveLength(1);
  });
});

describe('the canonical signature', () => {
  const hex = 'a'.repeat(64);
  it.each([
    [`v0=${hex}`, `v0=${hex}`],
    [`v0=${hex}=x`, `v0=${hex}`],
    [`v0=${hex}=`, `v0=${hex}`],
    [`v0=${hex}==v0`, `v0=${hex}`],
    [`v1=${hex}`, null],
    [`v0=${hex.toUpperCase()}`, null], // Bolt compares lower-case hex: it never accepts this one
    [`v0=${hex.slice(1)}`, null],
    ['v0=', null],
    ['', null],
  ])('%j is keyed as %j', (header, expected) => {
    expect(canonicalSignature(header)).toBe(expected);
  });
});

describe('a request dated in the future', () => {
  it('is refused beyond 5 minutes ahead; a little clock skew is tolerated', async () => {
    await start();
    const send = (id: string, aheadSeconds: number) => {
      const body = new URLSearchParams(
        slashCommandBody({
          text: 'status',
          userId: BUYER,
          channelId: CHANNELS.alerts,
          responseUrl: t.world.fake.responseUrl(id),
        }),
      ).toString();
      return sendSigned(t.world.base, SECRET, body, 'application/x-www-form-urlencoded', {
        timestamp: Math.floor(Date.now() / 1000) + aheadSeconds,
      });
    };
    expect((await send('ahead-6m', 6 * 60)).status).toBe(200);
    expect((await send('ahead-1h', 3600)).status).toBe(200);
    expect((await send('ahead-1m', 60)).status).toBe(200);
    await t.world.fake.waitForRespond((r) => r.id === 'ahead-1m');
    await sleep(300);
    expect(t.world.fake.respondRequests.filter((r) => r.id.startsWith('ahead-')).map((r) => r.id)).toEqual([
      'ahead-1m',
    ]);
  });
});

describe('the reject reason', () => {
  it('is stored only from the approver who rejected, as the decision note; anyone else is refused', async () => {
    await start({ PACING_APPROVERS: `${APPROVER},U0OTHERAPP` });
    await runAndWait();
    const esc = escalationMessage(t.world.fake, 'ACM-M-005');
    const id = esc.actions[1]?.value as string;
    const reason = (userId: string, text: string) =>
      viewSubmission(t.world.base, SECRET, {
        userId,
        callbackId: REJECT_REASON_VIEW,
        privateMetadata: id,
        values: { reason: { reason: { type: 'plain_text_input', value: text } } },
      });
    // Still pending: no reason can be given, from anyone.
    await reason(APPROVER, 'too early');
    await blockAction(t.world.base, SECRET, {
      userId: APPROVER,
      actionId: 'pacing_reject',
      value: id,
      channelId: CHANNELS.approvals,
      messageTs: esc.ts,
      responseUrl: t.world.fake.responseUrl('rej'),
    });
    await t.world.fake.waitFor((c) => c.method === 'chat.update' && c.body.ts === esc.ts, 5_000);
    await reason(BUYER, 'I say so');
    await reason('U0OTHERAPP', 'not mine to say');
    await reason(APPROVER, 'launch push planned');
    await reason(APPROVER, 'second try');
    await sleep(300);
    const reasons = audit('override_reason').map((e) => JSON.parse(e.details).reason);
    expect(reasons).toEqual(['launch push planned']);
    const note = t.read(
      (d) => d.prepare('SELECT decision_note FROM escalations WHERE id = ?').get(id) as { decision_note: string },
    );
    expect(note.decision_note).toBe('launch push planned');
  });
});

describe('values from buttons', () => {
  it('an undo writes the campaign as the store knows it, not as the button says', async () => {
    await start();
    await runAndWait();
    await blockAction(t.world.base, SECRET, {
      userId: APPROVER,
      actionId: 'pacing_resume_campaign',
      value: JSON.stringify({ platform: 'google', platformCampaignId: '20512340004', campaignId: 'FORGED-<!channel>' }),
      responseUrl: t.world.fake.responseUrl('undo'),
      channelId: CHANNELS.alerts,
    });
    await t.world.fake.waitForRespond((r) => r.id === 'undo', 5_000);
    const resumed = t.read((d) =>
      d.prepare(`SELECT campaign_id, actor FROM audit WHERE type = 'campaign_resumed'`).all(),
    );
    expect(resumed).toEqual([{ campaign_id: 'ACM-G-004', actor: APPROVER }]);
  });
});
