// The Slack app end to end, in process: Bolt's real HTTP receiver with signed requests, a fake Web API.

import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { CollectingNotifier } from '../../src/cli/notifier.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { serve } from '../../src/slack/serve.js';
import { createApp } from '../../src/wiring.js';
import { blockAction, eventCallback, slashCommand } from '../fakes/slack-requests.js';
import { APPROVER, BUYER, CHANNELS, escalationMessage, SECRET } from './helpers.js';
import { servedSlack } from './serve-harness.js';

const t = servedSlack();
const start = (extra: Record<string, string> = {}) => t.start(extra);
const audit = (type: string) => t.audit(type);
const runFromSlack = () => t.runFromSlack();

describe('pacing serve', () => {
  it('acknowledges /pacing at once and answers status after the ack', async () => {
    await start();
    const t0 = Date.now();
    const res = await slashCommand(t.world.base, SECRET, {
      text: 'status',
      userId: BUYER,
      channelId: CHANNELS.alerts,
      responseUrl: t.world.fake.responseUrl('s'),
    });
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(3_000);
    const reply = await t.world.fake.waitForRespond((r) => r.id === 's');
    expect(JSON.stringify(reply.body)).toContain('No pacing run yet');
  });

  it('/pacing status finds what the CLI finds: a near id is suggested, and help escapes <campaign>', async () => {
    const offline = await createApp(loadConfig({ ...t.world.env, SLACK_BOT_TOKEN: '' }), new CollectingNotifier());
    await offline.agent.run('cli');
    await offline.close();
    await start();
    const ask = async (text: string, id: string) => {
      const res = await slashCommand(t.world.base, SECRET, {
        text,
        userId: BUYER,
        channelId: CHANNELS.alerts,
        responseUrl: t.world.fake.responseUrl(id),
      });
      expect(res.status).toBe(200);
      return JSON.stringify((await t.world.fake.waitForRespond((r) => r.id === id)).body);
    };
    const typo = await ask('status ACM-G-04', 'typo');
    expect(typo).toContain('No campaign matching *ACM-G-04* in the latest run.');
    expect(typo).toContain('Did you mean ACM-G-004 (Acme_NL_Outdoor_Awareness_Q4)?');
    const summary = await ask('status', 'summary');
    // Slack would read a bare <campaign> as a link or mention and drop it.
    expect(summary).toContain('/pacing status &lt;campaign&gt;');
    expect(summary).not.toContain('<campaign>');
    // On the bundled fixtures every answer about runs says it is demo data, as every posted message does.
    const pending = await ask('pending', 'pending');
    for (const answer of [typo, summary, pending]) expect(answer).toContain('*Demo data*');
    const help = await slashCommand(t.world.base, SECRET, { text: 'help', userId: BUYER, channelId: CHANNELS.alerts });
    expect(help.body).toContain('/pacing status &lt;campaign&gt;');
    expect(help.body).not.toContain('<campaign>');
  });

  it('on the bundled fixtures, warns at start and says "demo data" in every message it posts', async () => {
    const logs: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    });
    await t.start({}, createLogger('info', sink));
    const warning = logs
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => /demo data/i.test(l.msg));
    expect(warning?.level).toBe(40); // pino's warn
    expect(warning?.msg).toContain('fixture files');
    await runFromSlack();
    const posts = t.world.fake
      .callsTo('chat.postMessage')
      .filter((c) => (c.response as { ok?: boolean } | undefined)?.ok === true);
    expect(posts.length).toBeGreaterThanOrEqual(14);
    for (const c of posts) {
      const blocks = c.body.blocks as { type: string; elements?: { text?: string }[] }[];
      const context = blocks.filter((b) => b.type === 'context').flatMap((b) => b.elements ?? []);
      expect(
        context.some((e) => e.text?.includes('*Demo data*')),
        `${String(c.body.channel)}: ${String(c.body.text)}`,
      ).toBe(true);
      expect(String(c.body.text)).toContain('Demo data');
    }
  });

  it('refuses /pacing run from a buyer and tells them why', async () => {
    await start();
    const res = await slashCommand(t.world.base, SECRET, { text: 'run', userId: BUYER, channelId: CHANNELS.alerts });
    expect(res.status).toBe(200);
    expect(res.body).toContain('Only approvers');
    expect(t.world.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('runs from Slack, posts alerts and escalations with both buttons, and an approval pauses exactly once', async () => {
    await start();
    await runFromSlack();
    const summary = t.world.fake.respondRequests.find((r) => r.id === 'run');
    expect(JSON.stringify(summary?.body)).toMatch(/Run run-[0-9a-f]+ done: 21 campaigns/);

    const esc = escalationMessage(t.world.fake, 'ACM-M-005');
    expect(esc.actions.map((a) => a.action_id)).toEqual(['pacing_approve', 'pacing_reject']);
    const id = esc.actions[0]?.value as string;
    expect(id).toMatch(/^esc-/);
    expect(esc.actions[1]?.value).toBe(id);
    // Approving a halt asks for confirmation.
    expect(esc.actions[0]?.confirm).toMatchObject({
      title: { text: 'Pause this campaign?' },
      confirm: { text: 'Pause it' },
    });

    const alerts = t.world.fake.callsTo('chat.postMessage').filter((c) => c.body.channel === CHANNELS.alerts);
    expect(alerts.length).toBeGreaterThanOrEqual(8); // 5 alerts + 3 halts in the fixtures
    expect(JSON.stringify(alerts)).toContain('Resume campaign');

    const click = () =>
      blockAction(t.world.base, SECRET, {
        userId: APPROVER,
        actionId: 'pacing_approve',
        value: id,
        channelId: CHANNELS.approvals,
        messageTs: esc.ts,
        responseUrl: t.world.fake.responseUrl(`c${Math.random()}`),
      });
    expect((await click()).status).toBe(200);
    const update = await t.world.fake.waitFor((c) => c.method === 'chat.update' && c.body.ts === esc.ts, 5_000);
    const updated = JSON.stringify(update.body.blocks);
    expect(updated).toContain(`*<@${APPROVER}> approved*`);
    expect(updated).toContain(':octagonal_sign: Paused: ACME | US | Basketball | Launch');
    expect((update.body.blocks as { type: string }[]).some((b) => b.type === 'actions')).toBe(false);
    const paused = audit('campaign_paused').filter((e) => e.platform_campaign_id === '23851200000000005');
    expect(paused).toHaveLength(1);
    expect(paused[0]?.actor).toBe(APPROVER);

    // A second click and a Slack retry change nothing; the clicker is told why.
    const again = t.world.fake.responseUrl('again');
    await blockAction(
      t.world.base,
      SECRET,
      {
        userId: APPROVER,
        actionId: 'pacing_approve',
        value: id,
        responseUrl: again,
        channelId: CHANNELS.approvals,
        messageTs: esc.ts,
      },
      { retryNum: 1, retryReason: 'http_timeout' },
    );
    const told = await t.world.fake.waitForRespond((r) => r.id === 'again');
    expect(JSON.stringify(told.body)).toMatch(/already approved/);
    expect(audit('campaign_paused').filter((e) => e.platform_campaign_id === '23851200000000005')).toHaveLength(1);
  });

  it('tells an intruder privately that they cannot decide, and changes nothing', async () => {
    await start();
    await runFromSlack();
    const esc = escalationMessage(t.world.fake, 'ACM-M-005');
    const url = t.world.fake.responseUrl('intruder');
    await blockAction(t.world.base, SECRET, {
      userId: BUYER,
      actionId: 'pacing_approve',
      value: esc.actions[0]?.value as string,
      responseUrl: url,
      channelId: CHANNELS.approvals,
      messageTs: esc.ts,
    });
    const told = await t.world.fake.waitForRespond((r) => r.id === 'intruder');
    expect(told.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(JSON.stringify(told.body)).toContain('Only approvers');
    expect(t.world.fake.callsTo('chat.update')).toHaveLength(0);
    expect(audit('escalation_approved')).toHaveLength(0);
  });

  it('reject is an override: nothing paused, message updated, a reason can follow', async () => {
    await start();
    await runFromSlack();
    const esc = escalationMessage(t.world.fake, 'ACM-M-005');
    const id = esc.actions[1]?.value as string;
    await blockAction(t.world.base, SECRET, {
      userId: APPROVER,
      actionId: 'pacing_reject',
      value: id,
      channelId: CHANNELS.approvals,
      messageTs: esc.ts,
      triggerId: 'trig-1',
      responseUrl: t.world.fake.responseUrl('rej'),
    });
    const update = await t.world.fake.waitFor((c) => c.method === 'chat.update' && c.body.ts === esc.ts, 5_000);
    expect(JSON.stringify(update.body.blocks)).toContain(
      ':arrow_forward: Kept running: ACME | US | Basketball | Launch',
    );
    expect(audit('campaign_paused').filter((e) => e.platform_campaign_id === '23851200000000005')).toHaveLength(0);
    expect(audit('escalation_overridden')).toHaveLength(1);
    await t.world.fake.waitFor('views.open');
  });

  it('Resume campaign on a pause card resumes it once, and the card then says who resumed it', async () => {
    await start();
    await runFromSlack();
    const card = t.world.fake
      .callsTo('chat.postMessage')
      .find(
        (c) => c.body.channel === CHANNELS.alerts && JSON.stringify(c.body.blocks).includes('Paused: Acme_NL_Outdoor'),
      );
    if (!card) throw new Error('no pause card for ACM-G-004');
    const blocks = card.body.blocks as { type: string; elements?: { action_id: string; value: string }[] }[];
    const button = blocks.find((b) => b.type === 'actions')?.elements?.[0];
    expect(button?.action_id).toBe('pacing_resume_campaign');
    const ts = (card.response as { ts: string }).ts;
    const res = await blockAction(t.world.base, SECRET, {
      userId: APPROVER,
      actionId: 'pacing_resume_campaign',
      value: button?.value as string,
      channelId: CHANNELS.alerts,
      messageTs: ts,
      blocks,
      responseUrl: t.world.fake.responseUrl('resume'),
    });
    expect(res.status).toBe(200);
    const update = await t.world.fake.waitFor((c) => c.method === 'chat.update' && c.body.ts === ts, 5_000);
    const updated = update.body.blocks as { type: string; text?: { text: string } }[];
    expect(updated[0]?.text?.text).toBe(':arrow_forward: Resumed: Acme_NL_Outdoor_Awareness_Q4');
    expect(JSON.stringify(updated)).toContain(`*Resumed by <@${APPROVER}>*`);
    expect(updated.some((b) => b.type === 'actions')).toBe(false);
    expect(audit('campaign_resumed')).toHaveLength(1);

    // A second click (an older copy of the card) is told, by plan id and name, that there is nothing to undo.
    await blockAction(t.world.base, SECRET, {
      userId: APPROVER,
      actionId: 'pacing_resume_campaign',
      value: button?.value as string,
      channelId: CHANNELS.alerts,
      messageTs: ts,
      blocks,
      responseUrl: t.world.fake.responseUrl('resume-again'),
    });
    const again = JSON.stringify((await t.world.fake.waitForRespond((r) => r.id === 'resume-again')).body);
    expect(again).toContain(`ACM-G-004 (Acme_NL_Outdoor_Awareness_Q4) was already resumed by ${APPROVER}`);
    expect(again).not.toContain('20512340004');
    expect(audit('campaign_resumed')).toHaveLength(1);
  });

  it('refuses a bad signature and a stale timestamp with 401', async () => {
    await start();
    const bad = await slashCommand(
      t.world.base,
      SECRET,
      { text: 'status', userId: BUYER, channelId: CHANNELS.alerts },
      { badSignature: true },
    );
    expect(bad.status).toBe(401);
    const stale = await slashCommand(
      t.world.base,
      SECRET,
      { text: 'status', userId: BUYER, channelId: CHANNELS.alerts },
      { stale: true },
    );
    expect(stale.status).toBe(401);
  });

  it('waits out a 429 from chat.postMessage and still delivers every escalation', async () => {
    await start();
    t.world.fake.failNext('chat.postMessage', { status: 429, headers: { 'Retry-After': '1' } });
    await runFromSlack();
    const approvals = t.world.fake
      .callsTo('chat.postMessage')
      .filter(
        (c) => c.body.channel === CHANNELS.approvals && (c.response as { ok?: boolean } | undefined)?.ok === true,
      );
    expect(approvals).toHaveLength(6);
    expect(t.world.fake.calls.some((c) => c.status === 429)).toBe(true);
  });

  it('publishes App Home when it is opened', async () => {
    await start();
    await eventCallback(t.world.base, SECRET, {
      type: 'app_home_opened',
      user: BUYER,
      channel: 'D0HOME0001',
      tab: 'home',
    });
    const call = await t.world.fake.waitFor('views.publish');
    expect(call.body.user_id).toBe(BUYER);
  });

  it('posts escalations that were opened while Slack was not configured', async () => {
    const offline = await createApp(loadConfig({ ...t.world.env, SLACK_BOT_TOKEN: '' }), new CollectingNotifier());
    await offline.agent.run('cli');
    expect(await offline.agent.pending()).toHaveLength(6);
    await offline.close();
    await start();
    for (
      let i = 0;
      i < 60 &&
      t.world.fake.callsTo('chat.postMessage').filter((c) => c.body.channel === CHANNELS.approvals).length < 6;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const posted = t.world.fake.callsTo('chat.postMessage').filter((c) => c.body.channel === CHANNELS.approvals);
    expect(posted).toHaveLength(6);
    expect(JSON.stringify(posted.map((c) => c.body.blocks))).toContain('pacing_approve');
  });

  it('stops with a clear message when the token is refused', async () => {
    await expect(start({ SLACK_BOT_TOKEN: 'xoxb-not-the-right-one' })).rejects.toThrow(/SLACK_BOT_TOKEN/);
  });
});

describe('credentials in SLACK_API_URL', () => {
  it('never reach the console or the logs through the Web API client', async () => {
    const password = 'Pr0xyPassw0rdSecret';
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const printed: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        printed.push(args.map(String).join(' '));
      }),
    );
    try {
      const apiUrl = t.world.fake.url.replace('http://', `http://proxyuser:${password}@`);
      await expect(
        serve(loadConfig({ ...t.world.env, SLACK_API_URL: apiUrl }), createLogger('debug', sink)),
      ).rejects.toThrow(/SLACK_API_URL/);
    } finally {
      for (const s of spies) s.mockRestore();
    }
    const logged = lines.join('');
    // The client did log the failed request (through our logger), with the credentials taken out.
    expect(logged).toContain('http request failed');
    expect(logged).toContain('[redacted]');
    expect(logged).not.toContain(password);
    expect(printed.join('\n')).not.toContain(password);
  });
});
