// A storm that grows between runs, from outside the process: a real `node dist/cli/bin.js serve` child, signed
// `/pacing run` requests and the fake Slack Web API. The first run finds 4 of Google's 8 live campaigns at zero
// and asks one batch question; before the second run 2 more stop delivering, they join that open question, and
// the question's message in the approvals channel is edited in place to show 6 campaigns, the money at stake and
// the new members. Approving it pauses all 6.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, ensureBuilt } from '../fakes/pacing-cli.js';
import type { RecordedCall } from '../fakes/slack-api.js';
import { blockAction, slashCommand } from '../fakes/slack-requests.js';
import { APPROVER, CHANNELS, SECRET, type SlackWorld, slackWorld } from '../slack/helpers.js';

const FIRST_STALL = ['20512340001', '20512340002', '20512340003', '20512340004'];
const THEN_STALL = ['20512340006', '21098765432'];
/** The plan rows of the campaigns that stop delivering before the second run. */
const JOINING = ['ACM-G-006', 'ACM-G-007'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ok = (c: RecordedCall) => (c.response as { ok?: boolean } | undefined)?.ok === true;

interface Block {
  type: string;
  block_id?: string;
  text?: { text: string };
  elements?: { action_id: string; value: string }[];
}

const blocksOf = (c: RecordedCall) => (c.body.blocks ?? []) as Block[];
const headerOf = (c: RecordedCall) => blocksOf(c).find((b) => b.type === 'header')?.text?.text ?? '';
const batchIdOf = (c: RecordedCall) => blocksOf(c).find((b) => b.type === 'actions')?.elements?.[0]?.value;

let world: SlackWorld;
let serve: ChildProcessWithoutNullStreams;
let output = '';
let exited: Promise<number | null>;

/** Sets the spend of these Google fixture campaigns to 0 (the data directory the server reads each run). */
function stall(ids: string[]): void {
  const file = join(world.env.PACING_DATA_DIR as string, 'google.json');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    campaigns: { id: string; spend: number; daily?: { date: string; spend: number }[] }[];
  };
  for (const c of doc.campaigns) {
    if (!ids.includes(c.id)) continue;
    c.spend = 0;
    // A daily series must add up to the spend: nothing was spent on any day either.
    for (const d of c.daily ?? []) d.spend = 0;
  }
  writeFileSync(file, JSON.stringify(doc));
}

async function run(id: string): Promise<void> {
  const res = await slashCommand(world.base, SECRET, {
    text: 'run',
    userId: APPROVER,
    channelId: CHANNELS.alerts,
    responseUrl: world.fake.responseUrl(id),
  });
  expect(res.status).toBe(200);
  const done = await world.fake.waitForRespond((r) => r.id === id, 20_000);
  expect(JSON.stringify(done.body)).toMatch(/Run run-[0-9a-f]+ done/);
}

/** The members of a batch escalation as stored, standing ones only. */
function standingMembers(id: string): string[] {
  const db = new Database(world.env.PACING_DB as string, { readonly: true, fileMustExist: true });
  try {
    return (
      db
        .prepare('SELECT data FROM escalation_members WHERE escalation_id = ? AND dropped = 0 ORDER BY seq')
        .all(id) as { data: string }[]
    ).map((r) => (JSON.parse(r.data) as { campaignId: string }).campaignId);
  } finally {
    db.close();
  }
}

function pausedByApprover(): string[] {
  const db = new Database(world.env.PACING_DB as string, { readonly: true, fileMustExist: true });
  try {
    return (
      db.prepare(`SELECT campaign_id FROM audit WHERE type = 'campaign_paused' AND actor = ?`).all(APPROVER) as {
        campaign_id: string;
      }[]
    ).map((r) => r.campaign_id);
  } finally {
    db.close();
  }
}

async function waitForCall(match: (c: RecordedCall) => boolean, what: string, ms = 20_000): Promise<RecordedCall> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = world.fake.calls.find((c) => match(c) && ok(c));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms. Output:\n${output}`);
    await sleep(100);
  }
}

beforeAll(async () => {
  await ensureBuilt();
  world = await slackWorld({ LOG_LEVEL: 'warn' });
  stall(FIRST_STALL);
  serve = spawn(process.execPath, [BIN, 'serve'], {
    cwd: world.dir,
    env: cleanEnv(world.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  serve.stdout.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  serve.stderr.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  exited = new Promise((resolve) => serve.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (serve.exitCode !== null) throw new Error(`serve exited early. Output:\n${output}`);
    const ready = await slashCommand(world.base, SECRET, { text: 'help', userId: APPROVER, channelId: CHANNELS.alerts })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`serve was not ready. Output:\n${output}`);
    await sleep(100);
  }
}, 40_000);

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    serve.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(10_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') serve.kill('SIGKILL');
  }
  await world?.cleanup();
});

describe('a storm that grows between runs, in Slack', () => {
  it('edits the open batch message in place to the new count and members, and approving pauses every member', async () => {
    await run('run-1');
    const posted = await waitForCall(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.body.channel === CHANNELS.approvals &&
        headerOf(c).includes('data looks faulty'),
      'batch question',
    );
    const batchId = batchIdOf(posted) as string;
    const ts = (posted.response as { ts: string }).ts;
    const before = standingMembers(batchId);
    expect(before).toHaveLength(FIRST_STALL.length);
    expect(headerOf(posted)).toMatch(new RegExp(`\\b${before.length} campaigns\\b`));
    for (const id of JOINING) expect(JSON.stringify(posted.body.blocks)).not.toContain(id);

    stall(THEN_STALL);
    await run('run-2');
    const after = standingMembers(batchId);
    expect([...after].sort()).toEqual([...before, ...JOINING].sort());
    // No second question: the same message, edited in place.
    const edit = await waitForCall(
      (c) => c.method === 'chat.update' && c.body.ts === ts && c.body.channel === CHANNELS.approvals,
      'edit of the batch message',
    );
    const text = JSON.stringify(edit.body.blocks);
    expect(headerOf(edit)).toMatch(new RegExp(`\\b${after.length} campaigns\\b`));
    for (const id of JOINING) expect(text).toContain(id);
    // The reason describes the storm as it is now, not as the first run found it.
    const why = blocksOf(edit).find((b) => b.type === 'section' && b.text?.text.startsWith('*Why:*'))?.text?.text;
    // The DE Boots pool's 2 Google campaigns keep delivering.
    expect(why).toContain(`${after.length} of ${after.length + 2} in-flight campaigns`);
    expect(why).not.toContain(`${before.length} of`);
    expect(text).toContain(`across ${after.length} campaigns`);
    const stake = (c: RecordedCall) =>
      blocksOf(c).find((b) => b.type === 'section' && b.text?.text.startsWith('*Money at stake:*'))?.text?.text;
    expect(stake(edit)).toMatch(new RegExp(`^\\*Money at stake:\\* .+ across ${after.length} campaigns`));
    expect(stake(edit)).not.toBe(stake(posted));
    // Still a question: its buttons answer for this very batch.
    expect(
      blocksOf(edit)
        .find((b) => b.type === 'actions')
        ?.elements?.map((e) => e.value),
    ).toEqual([batchId, batchId]);
    const questions = world.fake
      .callsTo('chat.postMessage')
      .filter((c) => c.body.channel === CHANNELS.approvals && ok(c) && headerOf(c).includes('data looks faulty'));
    expect(questions).toHaveLength(1);

    // Approving from the edited message pauses all of them, the joined ones included.
    const res = await blockAction(world.base, SECRET, {
      userId: APPROVER,
      actionId: 'pacing_approve',
      value: batchId,
      channelId: CHANNELS.approvals,
      messageTs: ts,
      blocks: edit.body.blocks as unknown[],
      responseUrl: world.fake.responseUrl('approve'),
    });
    expect(res.status).toBe(200);
    const deadline = Date.now() + 15_000;
    while (pausedByApprover().length < after.length && Date.now() < deadline) await sleep(100);
    expect(pausedByApprover().sort()).toEqual([...after].sort());
  }, 90_000);
});
