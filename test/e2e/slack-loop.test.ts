// The Slack loop from outside the process: a real `node dist/cli/bin.js serve` child, driven only through
// signed HTTP requests (as Slack sends them), a fake Slack Web API that records what the app posts, and the
// SQLite file it leaves behind. It proves the loop the issue names as done:
//   /pacing run → alerts + escalations posted → an approver's click pauses exactly once and updates the
//   message in place → the app restarts (SIGTERM, clean exit, new process on the same database) → clicks on
//   messages posted before the restart still decide (override, and "already approved") → /pacing status and
//   /pacing pending tell the current story.
// And that `serve` refuses bad settings quickly, with a message naming the variable and no stack trace.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REJECT_REASON_VIEW } from '../../src/slack/actions.js';
import { BIN, cleanEnv, ensureBuilt, NOW } from '../fakes/pacing-cli.js';
import type { RecordedCall } from '../fakes/slack-api.js';
import { blockAction, slashCommand, viewSubmission } from '../fakes/slack-requests.js';
import {
  APPROVER,
  BUYER,
  CHANNELS,
  escalationMessage,
  freePort,
  SECRET,
  type SlackWorld,
  slackWorld,
} from '../slack/helpers.js';

const M005 = '23851200000000005';
/** Seconds a stopped server may take to exit by itself (no timer may keep it alive). */
const EXIT_WITHIN_MS = 5_000;

// ---------------------------------------------------------------------------------------------------------------
// A serve process.

interface Serve {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  /** Resolves when the process has exited (code, signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  done(): boolean;
}

const children = new Set<Serve>();

function startServe(world: { dir: string; env: Record<string, string> }, extra: Record<string, string> = {}): Serve {
  // cwd is the temp dir (no stray .env is read); cleanEnv drops PACING_/SLACK_/… settings of the developer's shell.
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd: world.dir,
    env: cleanEnv({ ...world.env, ...extra }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  let finished = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      finished = true;
      resolve({ code, signal });
    });
  });
  const s: Serve = { child, output: () => out, exited, done: () => finished };
  children.add(s);
  return s;
}

/** Kills what is still running (by its own pid) and waits for it to be gone. */
async function killAll(): Promise<void> {
  await Promise.all(
    [...children].map(async (s) => {
      if (!s.done()) s.child.kill('SIGKILL');
      await Promise.race([s.exited, sleep(5_000)]);
      children.delete(s);
    }),
  );
}

/** Resolves with the exit, or rejects when the process is still running after `ms`. */
async function exitWithin(
  s: Serve,
  ms: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const t0 = Date.now();
  const res = await Promise.race([s.exited, sleep(ms).then(() => null)]);
  if (!res) throw new Error(`serve did not exit within ${ms} ms. Output:\n${s.output()}`);
  return { ...res, ms: Date.now() - t0 };
}

/** Polls a signed `/pacing help` until the receiver answers it (bounded), failing early if the process died. */
async function waitReady(s: Serve, base: string, timeoutMs = 15_000): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (s.done()) throw new Error(`serve exited before it was ready. Output:\n${s.output()}`);
    try {
      const res = await slashCommand(base, SECRET, { text: 'help', userId: BUYER, channelId: CHANNELS.alerts });
      if (res.status === 200 && res.body.includes('/pacing status')) return Date.now() - t0;
    } catch {
      // not listening yet
    }
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`serve was not ready within ${timeoutMs} ms. Output:\n${s.output()}`);
    await sleep(100);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------------
// Reading what happened.

const okCall = (c: RecordedCall) => (c.response as { ok?: boolean } | undefined)?.ok === true;

interface AuditRow {
  id: number;
  type: string;
  campaign_id: string | null;
  platform_campaign_id: string | null;
  actor: string;
  details: string;
}

function auditRows(dbFile: string, type?: string): AuditRow[] {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const sql = `SELECT id, type, campaign_id, platform_campaign_id, actor, details FROM audit${type ? ' WHERE type = ?' : ''} ORDER BY id`;
    return (type ? db.prepare(sql).all(type) : db.prepare(sql).all()) as AuditRow[];
  } finally {
    db.close();
  }
}

function escalationStatuses(dbFile: string): Map<string, string> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return new Map(
      (db.prepare('SELECT id, status FROM escalations').all() as { id: string; status: string }[]).map((r) => [
        r.id,
        r.status,
      ]),
    );
  } finally {
    db.close();
  }
}

/** owner_slack_id per campaign_id, from the tracker the app reads. */
function trackerOwners(dataDir: string): Map<string, string> {
  const [head, ...lines] = readFileSync(join(dataDir, 'tracker.csv'), 'utf8').trim().split('\n');
  const cols = (head as string).split(',');
  const id = cols.indexOf('campaign_id');
  const owner = cols.indexOf('owner_slack_id');
  // The bundled tracker has no quoted fields, so a plain split is enough here.
  return new Map(lines.map((l) => l.split(',')).map((f) => [f[id] as string, f[owner] ?? '']));
}

/** Milliseconds between consecutive calls in one channel (Slack allows about one message a second). */
function channelGaps(calls: RecordedCall[]): number[] {
  const byChannel = new Map<string, number[]>();
  for (const c of calls)
    byChannel.set(String(c.body.channel), [...(byChannel.get(String(c.body.channel)) ?? []), c.at]);
  return [...byChannel.values()].flatMap((at) => at.slice(1).map((t, i) => t - (at[i] as number)));
}

const blockTypes = (blocks: unknown): string[] => ((blocks as { type: string }[] | undefined) ?? []).map((b) => b.type);

const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

// ---------------------------------------------------------------------------------------------------------------

/** Per-channel pace the loop's processes keep: small for the fake Slack API, yet long enough to be measured. */
const PACE_MS = 25;

/** One test's own world: a fake Slack, a database, and the serve process on it (replaced by a restart). */
interface Loop {
  world: SlackWorld;
  db: string;
  serve: Serve;
  /** The escalation messages as posted by the run, by campaign. */
  posted: Map<string, ReturnType<typeof escalationMessage>>;
}

const worlds = new Set<SlackWorld>();
/** How long the steps took (printed at the end): start, run, decision, restart. */
const timings: Record<string, number> = {};

/** A fresh world with a serve process ready on it. */
async function served(): Promise<Loop> {
  const world = await slackWorld({ LOG_LEVEL: 'warn', SLACK_CHANNEL_PACE_MS: String(PACE_MS) });
  worlds.add(world);
  const t0 = Date.now();
  const serve = startServe(world);
  timings.startMs = await waitReady(serve, world.base);
  timings.startTotalMs = Date.now() - t0;
  return { world, db: world.env.PACING_DB as string, serve, posted: new Map() };
}

const delivered = (loop: Loop, channel: string) =>
  loop.world.fake.callsTo('chat.postMessage').filter((c) => c.body.channel === channel && okCall(c));

/** /pacing run from the approver, until its 6 escalations and 10 alert messages are delivered. */
async function ranFromSlack(loop: Loop): Promise<{ ackMs: number; body: string }> {
  const { world } = loop;
  const t0 = Date.now();
  const res = await slashCommand(world.base, SECRET, {
    text: 'run',
    userId: APPROVER,
    channelId: CHANNELS.alerts,
    responseUrl: world.fake.responseUrl('run'),
  });
  expect(res.status).toBe(200);
  const ackMs = Date.now() - t0;
  await world.fake.waitForRespond((r) => r.id === 'run', 15_000);
  const deadline = Date.now() + 25_000;
  while (
    (delivered(loop, CHANNELS.approvals).length < 6 || delivered(loop, CHANNELS.alerts).length < 10) &&
    Date.now() < deadline
  )
    await sleep(50);
  timings.runPostedMs = Date.now() - t0;
  for (const campaign of ['ACM-M-001', 'ACM-M-004', 'ACM-M-005', 'ACM-M-007', 'ACM-M-008'])
    loop.posted.set(campaign, escalationMessage(world.fake, campaign));
  return { ackMs, body: res.body };
}

/** An escalation message the run posted (ranFromSlack first). */
function postedFor(loop: Loop, campaign: string): ReturnType<typeof escalationMessage> {
  const esc = loop.posted.get(campaign);
  if (!esc) throw new Error(`the run posted no escalation for ${campaign}`);
  return esc;
}

/** The approver clicks a button on a campaign's escalation; resolves when the message is updated in place. */
async function decide(
  loop: Loop,
  campaign: string,
  actionId: 'pacing_approve' | 'pacing_reject',
  responseId: string,
): Promise<{ ackMs: number; update: RecordedCall; id: string }> {
  const esc = postedFor(loop, campaign);
  const id = esc.actions[actionId === 'pacing_approve' ? 0 : 1]?.value as string;
  const t0 = Date.now();
  const res = await blockAction(loop.world.base, SECRET, {
    userId: APPROVER,
    actionId,
    value: id,
    channelId: CHANNELS.approvals,
    messageTs: esc.ts,
    blocks: esc.blocks,
    responseUrl: loop.world.fake.responseUrl(responseId),
  });
  expect(res.status).toBe(200);
  const ackMs = Date.now() - t0;
  const update = await loop.world.fake.waitFor(
    (c) => c.method === 'chat.update' && c.body.ts === esc.ts && okCall(c),
    10_000,
  );
  return { ackMs, update, id };
}

/** Messages in the outbox not yet delivered (pending, or failed and waiting for a restart). */
function queued(db: string): number {
  const d = new Database(db, { readonly: true });
  try {
    return (
      (
        d.prepare("SELECT COUNT(*) AS n FROM outbox WHERE status IN ('pending', 'failed')").get() as
          | { n: number }
          | undefined
      )?.n ?? -1
    );
  } finally {
    d.close();
  }
}

async function drained(db: string, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let left = queued(db);
  while (left !== 0 && Date.now() < deadline) {
    await sleep(50);
    left = queued(db);
  }
  return left;
}

/**
 * SIGTERM once everything queued is out, then a new process on the same database. Returns how many messages were
 * posted before, and what the first process printed.
 */
async function restarted(loop: Loop): Promise<{ postsBefore: number; firstOutput: string; exitMs: number }> {
  expect(await drained(loop.db)).toBe(0);
  const postsBefore = loop.world.fake.callsTo('chat.postMessage').filter(okCall).length;
  const first = loop.serve;
  first.child.kill('SIGTERM');
  const exit = await exitWithin(first, EXIT_WITHIN_MS);
  expect(exit, first.output()).toMatchObject({ code: 0, signal: null });
  const t0 = Date.now();
  loop.serve = startServe(loop.world);
  timings.restartMs = await waitReady(loop.serve, loop.world.base);
  timings.restartTotalMs = Date.now() - t0;
  return { postsBefore, firstOutput: first.output(), exitMs: exit.ms };
}

describe('pacing serve as a real process: run, decide, restart, decide again', () => {
  // Each step sets up the story it needs in its own world, so any one of them runs alone.
  beforeAll(async () => {
    await ensureBuilt();
  }, 60_000);

  afterEach(async () => {
    await killAll();
    for (const world of worlds) await world.cleanup();
    worlds.clear();
  });

  afterAll(() => {
    console.info(`slack-loop timings: ${JSON.stringify(timings)}`);
  });

  it('1. /pacing run from the approver posts alerts (owner mentioned) and 6 escalations with both buttons', async () => {
    const loop = await served();
    const { world, db } = loop;
    const run = await ranFromSlack(loop);
    expect(run.ackMs).toBeLessThan(3_000);
    expect(run.body).toContain('Starting a pacing run');
    const summary = world.fake.respondRequests.find((r) => r.id === 'run');
    expect(summary?.status).toBe(200);
    expect(JSON.stringify(summary?.body)).toMatch(/Run run-[0-9a-f]+ done: 21 campaigns/);

    // Paced: never two posts to one channel closer than the pace it was given (Slack's is one a second).
    expect(Math.min(...channelGaps(world.fake.callsTo('chat.postMessage')))).toBeGreaterThanOrEqual(PACE_MS * 0.9);

    // Escalations: exactly 6, each with pacing_approve / pacing_reject whose value is the escalation id.
    const escalations = delivered(loop, CHANNELS.approvals);
    expect(escalations).toHaveLength(6);
    const ids = new Set<string>();
    for (const call of escalations) {
      const actions = (call.body.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find(
        (b) => b.type === 'actions',
      );
      expect(actions?.elements?.map((e) => e.action_id)).toEqual(['pacing_approve', 'pacing_reject']);
      const [approve, reject] = actions?.elements ?? [];
      expect(approve?.value).toMatch(/^esc-[0-9a-f]+$/);
      expect(reject?.value).toBe(approve?.value);
      ids.add(approve?.value as string);
    }
    expect(ids.size).toBe(6);
    // The ids are the escalations the app stored, all awaiting a decision.
    const stored = escalationStatuses(db);
    expect([...stored.keys()].sort()).toEqual([...ids].sort());
    expect([...stored.values()].every((s) => s === 'pending')).toBe(true);

    // Each card asks the question that fits, and its buttons say what they do.
    const header = (blocks: unknown) => (blocks as { text: { text: string } }[])[0]?.text.text;
    expect(header(loop.posted.get('ACM-M-005')?.blocks)).toBe(
      ':mag: Is this the right campaign? ACME | US | Basketball | Launch',
    );
    expect(header(loop.posted.get('ACM-M-001')?.blocks)).toBe(
      ':currency_exchange: Plan in EUR, Meta reports USD: send an alert about ACME | FR | Running | Retargeting anyway?',
    );
    expect(JSON.stringify(loop.posted.get('ACM-M-005')?.blocks)).toContain('"text":"Yes, pause it"');
    expect(JSON.stringify(loop.posted.get('ACM-M-004')?.blocks)).toContain('"text":"Yes, send the alert"');

    // Alerts: 10 new ones, so one summary message in the channel and every card in its thread, pauses first.
    const alerts = delivered(loop, CHANNELS.alerts);
    const [summaryPost, ...cards] = alerts;
    expect(summaryPost?.body.thread_ts).toBeUndefined();
    // The counts the CLI gives for the run (9 cards: 2 pauses, 6 new alerts and one campaign found paused).
    expect(header(summaryPost?.body.blocks)).toBe(':bell: 2 paused · 6 new alerts · 6 escalated');
    expect(JSON.stringify(summaryPost?.body.blocks)).toContain('Standing: 1 paused earlier.');
    expect(JSON.stringify(summaryPost?.body.blocks)).toContain('*Demo data*');
    const summaryTs = (summaryPost?.response as { ts?: string } | undefined)?.ts;
    expect(cards).toHaveLength(9);
    expect(cards.every((c) => c.body.thread_ts === summaryTs)).toBe(true);
    expect(header(cards[0]?.body.blocks)).toMatch(/^:octagonal_sign: Paused: /);
    const owners = trackerOwners(world.env.PACING_DATA_DIR as string);
    const alerted: string[] = [];
    for (const call of cards) {
      const text = JSON.stringify(call.body.blocks);
      const campaign = /"(ACM-[GM]-\d{3}) · /.exec(text)?.[1];
      expect(campaign, text).toMatch(/^ACM-[GM]-\d{3}$/);
      alerted.push(campaign as string);
      const owner = owners.get(campaign as string);
      if (owner) expect(text).toContain(`<@${owner}>`);
    }
    expect(alerted.sort()).toEqual([
      'ACM-G-002',
      'ACM-G-003',
      'ACM-G-004',
      'ACM-G-005',
      'ACM-G-006',
      'ACM-G-007',
      'ACM-M-003',
      'ACM-M-009',
      'ACM-M-010',
    ]);
    // The audit trail tells decided from delivered: one alert_sent per card Slack accepted.
    expect(auditRows(db, 'alert_raised')).toHaveLength(9);
    expect(auditRows(db, 'alert_sent')).toHaveLength(9);
    // The autonomous halts were paused by the agent (ACM-G-005 is already PAUSED in the fixtures, so it is not
    // paused again); ACM-M-005, escalated, was not paused.
    const paused = auditRows(db, 'campaign_paused');
    expect(paused.map((p) => p.campaign_id).sort()).toEqual(['ACM-G-004', 'ACM-M-003']);
    expect(paused.every((p) => p.actor === 'agent')).toBe(true);
  }, 40_000);

  it("2. an approver's click on the ACM-M-005 escalation pauses it exactly once and updates the message in place", async () => {
    const loop = await served();
    const { world, db } = loop;
    await ranFromSlack(loop);
    const esc = postedFor(loop, 'ACM-M-005');
    const t0 = Date.now();
    const { ackMs, update, id } = await decide(loop, 'ACM-M-005', 'pacing_approve', 'approve-005');
    expect(ackMs).toBeLessThan(3_000);
    timings.approveToUpdateMs = Date.now() - t0;
    expect(update.body.channel).toBe(CHANNELS.approvals);
    expect(blockTypes(update.body.blocks)).not.toContain('actions');
    const text = JSON.stringify(update.body.blocks);
    // The header becomes the outcome; who decided, and when (PACING_NOW stands for "now") as a Slack date.
    expect((update.body.blocks as { text: { text: string } }[])[0]?.text.text).toBe(
      ':octagonal_sign: Paused: ACME | US | Basketball | Launch',
    );
    expect(text).toContain(`*<@${APPROVER}> approved* <!date^${Math.floor(Date.parse(NOW) / 1000)}^`);
    // In place: the message Slack holds under the original ts has lost its buttons.
    const held = world.fake.messages.get(`${CHANNELS.approvals}/${esc.ts}`);
    expect(held?.updates).toBe(1);
    expect(blockTypes(held?.blocks)).not.toContain('actions');

    const paused = auditRows(db, 'campaign_paused').filter((e) => e.platform_campaign_id === M005);
    expect(paused).toHaveLength(1);
    expect(paused[0]?.actor).toBe(APPROVER);
    expect(paused[0]?.campaign_id).toBe('ACM-M-005');
    const approved = auditRows(db, 'escalation_approved');
    expect(approved).toHaveLength(1);
    expect(approved[0]?.actor).toBe(APPROVER);
    expect(escalationStatuses(db).get(id)).toBe('approved');
    // Approving a halt pauses and then alerts: the halt alert goes to the alerts channel, naming the owner.
    const haltAlert = await world.fake.waitFor(
      (c) =>
        c.method === 'chat.postMessage' &&
        c.body.channel === CHANNELS.alerts &&
        okCall(c) &&
        JSON.stringify(c.body.blocks).includes('Paused: ACME | US | Basketball | Launch'),
      5_000,
    );
    expect(JSON.stringify(haltAlert.body.blocks)).toContain('<@U05USSOC04>');
    // Nothing was said to the clicker privately: the message update is the answer.
    expect(world.fake.respondRequests.filter((r) => r.id === 'approve-005')).toHaveLength(0);
  }, 30_000);

  it('3. SIGTERM: the process exits by itself with code 0, and a new one serves the same database', async () => {
    const loop = await served();
    await ranFromSlack(loop);
    await decide(loop, 'ACM-M-005', 'pacing_approve', 'approve-005');
    // Whatever the decision queued (the update, the halt alert) is out before the restart.
    expect(await drained(loop.db)).toBe(0);
    const { postsBefore, firstOutput, exitMs } = await restarted(loop);
    timings.sigtermExitMs = exitMs;
    expect(firstOutput).toContain('SIGTERM: stopping');
    noStackTrace(firstOutput);
    // Nothing went wrong along the way: no error-level log line.
    expect(firstOutput).not.toMatch(/"level":(50|60)/);
    // The restart posts nothing again (no duplicate escalations or alerts).
    await sleep(300);
    expect(loop.world.fake.callsTo('chat.postMessage').filter(okCall)).toHaveLength(postsBefore);
  }, 40_000);

  it('4–5. after the restart, clicks on messages posted before it still decide: Reject on ACM-M-004 is an override', async () => {
    const loop = await served();
    const { world, db } = loop;
    await ranFromSlack(loop);
    await decide(loop, 'ACM-M-005', 'pacing_approve', 'approve-005');
    await restarted(loop);
    const esc = postedFor(loop, 'ACM-M-004');
    const pausesBefore = auditRows(db, 'campaign_paused').length;
    const t0 = Date.now();
    // The message posted by the first process is updated in place by the second one.
    const { update, id } = await decide(loop, 'ACM-M-004', 'pacing_reject', 'reject-004');
    timings.rejectToUpdateAfterRestartMs = Date.now() - t0;
    expect(blockTypes(update.body.blocks)).not.toContain('actions');
    const text = JSON.stringify(update.body.blocks);
    expect((update.body.blocks as { text: { text: string } }[])[0]?.text.text).toBe(
      ':no_entry_sign: Dismissed: ACME | UK | Trail | Prospecting',
    );
    expect(text).toContain(`*<@${APPROVER}> rejected* <!date^${Math.floor(Date.parse(NOW) / 1000)}^`);

    // The reason the approver gives afterwards shows on the decided message too.
    const reasoned = await viewSubmission(world.base, SECRET, {
      userId: APPROVER,
      callbackId: REJECT_REASON_VIEW,
      privateMetadata: id,
      values: { reason: { reason: { type: 'plain_text_input', value: 'IE spend is planned under UK' } } },
    });
    expect(reasoned.status).toBe(200);
    const withReason = await world.fake.waitFor(
      (c) =>
        c.method === 'chat.update' &&
        c.body.ts === esc.ts &&
        okCall(c) &&
        JSON.stringify(c.body.blocks).includes('*Reason:* IE spend is planned under UK'),
      10_000,
    );
    expect(blockTypes(withReason.body.blocks)).not.toContain('actions');

    // An override pauses nothing, and is recorded with who made it.
    expect(auditRows(db, 'campaign_paused')).toHaveLength(pausesBefore);
    expect(auditRows(db, 'campaign_paused').filter((e) => e.campaign_id === 'ACM-M-004')).toHaveLength(0);
    const overridden = auditRows(db, 'escalation_overridden');
    expect(overridden).toHaveLength(1);
    expect(overridden[0]).toMatchObject({ campaign_id: 'ACM-M-004', actor: APPROVER });
    expect(escalationStatuses(db).get(id)).toBe('overridden');
  }, 40_000);

  it('4. after the restart, a second click on ACM-M-005 (approved before it) is told privately and changes nothing', async () => {
    const loop = await served();
    const { world, db } = loop;
    await ranFromSlack(loop);
    await decide(loop, 'ACM-M-005', 'pacing_approve', 'approve-005');
    const { postsBefore: postsBeforeRestart } = await restarted(loop);
    const esc = postedFor(loop, 'ACM-M-005');
    const id = esc.actions[0]?.value as string;
    const updatesBefore = world.fake.callsTo('chat.update').length;
    const auditBefore = auditRows(db).length;
    const res = await blockAction(world.base, SECRET, {
      userId: APPROVER,
      actionId: 'pacing_approve',
      value: id,
      channelId: CHANNELS.approvals,
      messageTs: esc.ts,
      blocks: esc.blocks,
      responseUrl: world.fake.responseUrl('again-005'),
    });
    expect(res.status).toBe(200);
    const told = await world.fake.waitForRespond((r) => r.id === 'again-005', 5_000);
    expect(told.status).toBe(200);
    expect(told.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(JSON.stringify(told.body)).toMatch(/already approved/);

    await sleep(300); // anything the click might wrongly have queued has had time to go out
    expect(world.fake.callsTo('chat.update')).toHaveLength(updatesBefore);
    expect(auditRows(db).length).toBe(auditBefore);
    expect(auditRows(db, 'campaign_paused').filter((e) => e.platform_campaign_id === M005)).toHaveLength(1);
    expect(escalationStatuses(db).get(id)).toBe('approved');
    expect(world.fake.callsTo('chat.postMessage').filter(okCall)).toHaveLength(postsBeforeRestart);
  }, 40_000);

  it('6. /pacing status from a buyer shows the counts and the decisions; /pacing status ACM-M-005 the detail', async () => {
    const loop = await served();
    const { world } = loop;
    await ranFromSlack(loop);
    await decide(loop, 'ACM-M-005', 'pacing_approve', 'approve-005');
    await decide(loop, 'ACM-M-004', 'pacing_reject', 'reject-004');
    const res = await slashCommand(world.base, SECRET, {
      text: 'status',
      userId: BUYER,
      channelId: CHANNELS.alerts,
      responseUrl: world.fake.responseUrl('status'),
    });
    expect(res.status).toBe(200);
    const reply = await world.fake.waitForRespond((r) => r.id === 'status', 5_000);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ response_type: 'ephemeral' });
    const text = JSON.stringify((reply.body as { blocks: unknown }).blocks);
    expect(text).toMatch(/\*6\* healthy .*\*6\* warning .*\*5\* critical .*\*4\* without variance/);
    expect(text).toContain('3 halted · 6 alerted · 6 escalated · 6 logged');
    // Names, money at stake, and what became of each (over- and underspends listed apart).
    expect(text).toContain('ACME | US | Basketball | Launch: *+35.00%* · 2,100.00 USD · paused (approved)');
    expect(text).toContain('ACME | UK | Trail | Prospecting: *+15.00%* · 570.00 GBP · overridden');
    expect(text).toContain('*4 escalation(s) awaiting a decision*');

    const detail = await slashCommand(world.base, SECRET, {
      text: 'status ACM-M-005',
      userId: BUYER,
      channelId: CHANNELS.alerts,
      responseUrl: world.fake.responseUrl('detail'),
    });
    expect(detail.status).toBe(200);
    const d = await world.fake.waitForRespond((r) => r.id === 'detail', 5_000);
    expect(d.status).toBe(200);
    const dText = JSON.stringify((d.body as { blocks: unknown }).blocks);
    expect(dText).toContain(':red_circle: ACME | US | Basketball | Launch');
    expect(dText).toContain('ACM-M-005 · Meta 23851200000000005');
    expect(dText).toContain('(proposed: halt) · *status:* paused (approved)');
    expect(dText).toContain(`${loop.posted.get('ACM-M-005')?.actions[0]?.value}\` approved by <@${APPROVER}>`);
    expect(dText).not.toContain('ACM-M-004');
  }, 30_000);

  it('7a. a second run over unchanged data posts nothing new: no alert again, no question asked twice', async () => {
    const loop = await served();
    const { world } = loop;
    await ranFromSlack(loop);
    await decide(loop, 'ACM-M-005', 'pacing_approve', 'approve-005');
    await decide(loop, 'ACM-M-004', 'pacing_reject', 'reject-004');
    expect(await drained(loop.db)).toBe(0);
    const before = world.fake.callsTo('chat.postMessage').filter(okCall).length;
    const res = await slashCommand(world.base, SECRET, {
      text: 'run',
      userId: APPROVER,
      channelId: CHANNELS.alerts,
      responseUrl: world.fake.responseUrl('run-again'),
    });
    expect(res.status).toBe(200);
    const reply = await world.fake.waitForRespond((r) => r.id === 'run-again', 15_000);
    expect(JSON.stringify(reply.body)).toMatch(/Run run-[0-9a-f]+ done/);
    // What the run queued (nothing, if it is right) has gone out; then a moment for anything sent late.
    expect(await drained(loop.db)).toBe(0);
    await sleep(300);
    expect(world.fake.callsTo('chat.postMessage').filter(okCall)).toHaveLength(before);
  }, 30_000);

  it('7. /pacing pending lists the remaining 4 escalations', async () => {
    const loop = await served();
    const { world, db } = loop;
    await ranFromSlack(loop);
    await decide(loop, 'ACM-M-005', 'pacing_approve', 'approve-005');
    await decide(loop, 'ACM-M-004', 'pacing_reject', 'reject-004');
    const { serve } = loop;
    const res = await slashCommand(world.base, SECRET, {
      text: 'pending',
      userId: BUYER,
      channelId: CHANNELS.alerts,
      responseUrl: world.fake.responseUrl('pending'),
    });
    expect(res.status).toBe(200);
    const reply = await world.fake.waitForRespond((r) => r.id === 'pending', 5_000);
    expect(reply.status).toBe(200);
    const text = JSON.stringify((reply.body as { blocks: unknown }).blocks);
    expect(text).toContain('4 escalation(s) awaiting a decision');
    const listed = [...text.matchAll(/`(esc-[0-9a-f]+)`/g)].map((m) => m[1]);
    const open = [...escalationStatuses(db)].filter(([, s]) => s === 'pending').map(([id]) => id);
    expect(open).toHaveLength(4);
    expect(listed.sort()).toEqual(open.sort());
    for (const campaign of ['ACM-M-004', 'ACM-M-005'])
      expect(listed).not.toContain(loop.posted.get(campaign)?.actions[0]?.value);
    // The last process stops cleanly too, on Ctrl-C this time.
    serve.child.kill('SIGINT');
    const exit = await exitWithin(serve, EXIT_WITHIN_MS);
    timings.sigintExitMs = exit.ms;
    expect(exit, serve.output()).toMatchObject({ code: 0, signal: null });
    expect(serve.output()).toContain('SIGINT: stopping');
    // Nothing went wrong along the way: no error-level log line from either process.
    expect(serve.output()).not.toMatch(/"level":(50|60)/);
  }, 30_000);
});

describe('pacing serve refuses bad settings quickly, naming the variable', () => {
  let world: SlackWorld;

  beforeAll(async () => {
    await ensureBuilt();
    world = await slackWorld({ LOG_LEVEL: 'warn' });
  }, 30_000);

  afterEach(killAll);
  afterAll(async () => {
    await killAll();
    await world?.cleanup();
  });

  async function refused(extra: Record<string, string>): Promise<{ code: number | null; output: string; ms: number }> {
    const s = startServe(world, { ...extra, PORT: String(await freePort()) });
    const exit = await exitWithin(s, 8_000);
    const output = s.output();
    noStackTrace(output);
    expect(exit.signal).toBeNull();
    return { code: exit.code, output, ms: exit.ms };
  }

  it('a bot token Slack refuses (auth.test invalid_auth) names SLACK_BOT_TOKEN', async () => {
    const r = await refused({ SLACK_BOT_TOKEN: 'xoxb-not-the-right-one' });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('SLACK_BOT_TOKEN');
    expect(r.output).toContain('invalid_auth');
    expect(r.ms).toBeLessThan(5_000);
    expect(world.fake.callsTo('auth.test').some((c) => c.token === 'xoxb-not-the-right-one')).toBe(true);
  });

  it('an unreachable SLACK_API_URL (a closed port) names SLACK_API_URL', async () => {
    const closed = await freePort();
    const r = await refused({ SLACK_API_URL: `http://127.0.0.1:${closed}/api/` });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('SLACK_API_URL');
    expect(r.ms).toBeLessThan(5_000);
  });

  it('PACING_RUN_CRON="not a cron" names PACING_RUN_CRON', async () => {
    const r = await refused({ PACING_RUN_CRON: 'not a cron' });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('PACING_RUN_CRON');
    expect(r.ms).toBeLessThan(5_000);
  });

  it('neither SLACK_SIGNING_SECRET nor SLACK_APP_TOKEN names SLACK_SIGNING_SECRET', async () => {
    const r = await refused({ SLACK_SIGNING_SECRET: '', SLACK_APP_TOKEN: '' });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('SLACK_SIGNING_SECRET');
    expect(r.ms).toBeLessThan(5_000);
  });
});

/** Slower than the loop's pace and the stop deadline shorter than Slack's 5 s, so the test takes seconds, not ten. */
const SLOW_PACE_MS = 400;
const STOP_FLUSH_MS = 1_000;

describe('pacing serve stopped while messages are still queued', () => {
  let world: SlackWorld;

  beforeAll(async () => {
    await ensureBuilt();
    // A pace slow enough that the run's messages outlast the shutdown deadline: some are left for the next start.
    world = await slackWorld({
      LOG_LEVEL: 'warn',
      SLACK_CHANNEL_PACE_MS: String(SLOW_PACE_MS),
      SLACK_STOP_FLUSH_MS: String(STOP_FLUSH_MS),
    });
  }, 30_000);

  afterAll(async () => {
    await killAll();
    await world?.cleanup();
  });

  it('exits within its flush deadline, keeps the pace, and the next process delivers the rest exactly once', async () => {
    const first = startServe(world);
    await waitReady(first, world.base);
    await slashCommand(world.base, SECRET, {
      text: 'run',
      userId: APPROVER,
      channelId: CHANNELS.alerts,
      responseUrl: world.fake.responseUrl('run'),
    });
    await world.fake.waitForRespond((r) => r.id === 'run', 15_000);
    // 14 messages, 8 of them in one channel, at the pace given: most are still queued when SIGTERM arrives.
    first.child.kill('SIGTERM');
    const exit = await exitWithin(first, 8_000);
    expect(exit, first.output()).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(STOP_FLUSH_MS + 1_500); // the delivery deadline on shutdown, and a little
    const fromFirst = world.fake.callsTo('chat.postMessage');
    // Stopping did not make it hurry: the pace held while it delivered what it could, and the rest waited.
    expect(Math.min(...channelGaps(fromFirst))).toBeGreaterThanOrEqual(SLOW_PACE_MS * 0.9);
    expect(fromFirst.length).toBeLessThan(14);

    const second = startServe(world);
    await waitReady(second, world.base);
    const ok = () => world.fake.callsTo('chat.postMessage').filter(okCall);
    const deadline = Date.now() + 15_000;
    while (ok().length < 14 && Date.now() < deadline) await sleep(100);
    await sleep(300);
    const all = ok();
    expect(all.filter((c) => c.body.channel === CHANNELS.approvals)).toHaveLength(6);
    expect(all.filter((c) => c.body.channel === CHANNELS.alerts)).toHaveLength(8);
    expect(new Set(all.map((c) => JSON.stringify(c.body.blocks))).size).toBe(14); // nothing posted twice
    expect(
      Math.min(...channelGaps(world.fake.callsTo('chat.postMessage').slice(fromFirst.length))),
    ).toBeGreaterThanOrEqual(SLOW_PACE_MS * 0.9);

    second.child.kill('SIGTERM');
    expect(await exitWithin(second, EXIT_WITHIN_MS)).toMatchObject({ code: 0, signal: null });
  }, 40_000);
});
