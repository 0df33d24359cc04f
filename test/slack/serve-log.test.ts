// `pacing serve` says what it does at info level: each run's summary, each post, each question, each decision,
// each pause. Bolt's real HTTP receiver with signed requests, the fake Web API, a real SQLite file.
import { Writable } from 'node:stream';
import { beforeEach, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { blockAction, slashCommand } from '../fakes/slack-requests.js';
import { APPROVER, CHANNELS, escalationMessage, SECRET } from './helpers.js';
import { servedSlack } from './serve-harness.js';

const t = servedSlack();
const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
    done();
  },
});

beforeEach(() => {
  lines.length = 0;
});

const info = () => lines.filter((l) => l.level === 30).map((l) => l.msg);

it('logs the run summary, each post, each question, each pause and each decision at info level', async () => {
  await t.start({ LOG_LEVEL: 'info' }, createLogger('info', sink));
  const res = await slashCommand(t.world.base, SECRET, {
    text: 'run',
    userId: APPROVER,
    channelId: CHANNELS.alerts,
    responseUrl: t.world.fake.responseUrl('run'),
  });
  expect(res.status).toBe(200);
  await t.world.fake.waitForRespond((r) => r.id === 'run', 10_000);
  // The dispatcher delivers at its own pace, after the reply: wait for the six questions to go out.
  for (let i = 0; i < 150 && info().filter((m) => m === 'Posted to Slack: escalation').length < 6; i++)
    await new Promise((r) => setTimeout(r, 100));

  const run = lines.find((l) => /^Run run-[0-9a-f]+ done: 21 campaigns/.test(l.msg));
  expect(run?.level).toBe(30);
  expect(run?.byAction).toEqual({ log: 6, alert: 6, escalate: 6, halt: 3 });
  // The two pauses the agent made alone (ACM-G-005 was already paused).
  expect(info()).toEqual(expect.arrayContaining(['Paused ACM-G-004', 'Paused ACM-M-003']));
  expect(info().filter((m) => m.startsWith('Asked approvers:'))).toHaveLength(6);
  expect(info().some((m) => m.startsWith('Posted to Slack: escalation'))).toBe(true);

  const esc = escalationMessage(t.world.fake, 'ACM-M-005');
  const id = esc.actions[0]?.value as string;
  await blockAction(t.world.base, SECRET, {
    userId: APPROVER,
    actionId: 'pacing_approve',
    value: id,
    channelId: CHANNELS.approvals,
    messageTs: esc.ts,
    responseUrl: t.world.fake.responseUrl('click'),
  });
  await t.world.fake.waitFor((c) => c.method === 'chat.update' && c.body.ts === esc.ts, 5_000);
  const decision = lines.find((l) => l.msg.startsWith(`Decision on ${id}:`));
  expect(decision?.level).toBe(30);
  expect(decision?.msg).toBe(
    `Decision on ${id}: Approved by ${APPROVER}: ACM-M-005 (ACME | US | Basketball | Launch) paused.`,
  );
  expect(decision).toMatchObject({ decision: 'approved', actor: APPROVER, outcome: 'done' });
  expect(info()).toContain('Paused ACM-M-005');
  // No secret in what was logged.
  expect(JSON.stringify(lines)).not.toContain(t.world.env.SLACK_BOT_TOKEN as string);
});
