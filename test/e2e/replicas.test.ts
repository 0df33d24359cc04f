// Three `pacing serve` replicas on one PostgreSQL schema, as deploy/compose.yaml runs two: a schedule every few
// seconds, the fake Slack, 200 signed clicks and commands spread across them (Slack's retries included), and one
// replica killed in the middle of a cycle. Each tick runs at most one cycle, each decision is taken once, each
// question is posted once, and nothing is left half-done.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, ensureBuilt } from '../fakes/pacing-cli.js';
import type { RecordedCall } from '../fakes/slack-api.js';
import { blockAction, sendSigned, slashCommand, slashCommandBody } from '../fakes/slack-requests.js';
import { createTestSchema, type TestSchema } from '../pg/harness.js';
import { APPROVER, BUYER, CHANNELS, freePort, SECRET, type SlackWorld, slackWorld } from '../slack/helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const okCall = (c: RecordedCall) => (c.response as { ok?: boolean } | undefined)?.ok === true;

interface Replica {
  child: ChildProcessWithoutNullStreams;
  base: string;
  output(): string;
  exited: Promise<unknown>;
  done(): boolean;
}

let schema: TestSchema;
let world: SlackWorld;
let pool: pg.Pool;
const replicas: Replica[] = [];

function startReplica(port: number): Replica {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd: world.dir,
    env: cleanEnv({ ...world.env, PORT: String(port) }),
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
  const exited = new Promise((resolve) =>
    child.on('exit', (...a) => {
      finished = true;
      resolve(a);
    }),
  );
  return { child, base: `http://127.0.0.1:${port}`, output: () => out, exited, done: () => finished };
}

async function waitReady(r: Replica, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (r.done()) throw new Error(`a replica exited before it was ready:\n${r.output()}`);
    try {
      const res = await slashCommand(r.base, SECRET, { text: 'help', userId: BUYER, channelId: CHANNELS.alerts });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`a replica was not ready within ${timeoutMs} ms:\n${r.output()}`);
    await sleep(100);
  }
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return Number((await pool.query(sql, params)).rows[0]?.n ?? 0);
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms\n${replicas.map((r) => r.output()).join('\n---\n')}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  await ensureBuilt();
  schema = await createTestSchema();
  world = await slackWorld({
    PACING_DB: schema.url,
    // A cycle every 4 seconds on every replica: the one whose claim of the tick lands runs it.
    PACING_RUN_CRON: '*/4 * * * * *',
    SLACK_CHANNEL_PACE_MS: '5',
    LOG_LEVEL: 'warn',
  });
  pool = new pg.Pool({ connectionString: schema.url, max: 2 });
  const ports = [world.port, await freePort(), await freePort()];
  replicas.push(...ports.map(startReplica));
  await Promise.all(replicas.map((r) => waitReady(r)));
}, 90_000);

afterAll(async () => {
  for (const r of replicas) if (!r.done()) r.child.kill('SIGKILL');
  await Promise.all(replicas.map((r) => Promise.race([r.exited, sleep(5_000)])));
  await pool?.end();
  await world?.cleanup();
  await schema?.drop();
});

describe('three replicas on one PostgreSQL', () => {
  it('run each tick once, take each decision once, post each question once, and survive a kill mid-cycle', async () => {
    // The first scheduled cycle opens the bundled scenario's questions and posts them.
    await until('a first cycle posted its questions', async () => {
      const posted = world.fake
        .callsTo('chat.postMessage')
        .filter((c) => c.body.channel === CHANNELS.approvals && okCall(c));
      return posted.length >= 6 && (await count(`SELECT count(*) AS n FROM runs WHERE status = 'completed'`)) >= 1;
    });
    const questions = world.fake
      .callsTo('chat.postMessage')
      .filter((c) => c.body.channel === CHANNELS.approvals && okCall(c))
      .map((c) => {
        const blocks = c.body.blocks as { type: string; elements?: { action_id: string; value: string }[] }[];
        const approve = blocks
          .find((b) => b.type === 'actions')
          ?.elements?.find((e) => e.action_id === 'pacing_approve');
        return { ts: String((c.response as { ts: string }).ts), blocks, id: approve?.value ?? '' };
      })
      .filter((q) => q.id !== '');
    expect(questions.length).toBeGreaterThanOrEqual(5);

    // Slack's retry of one signed request, delivered to two replicas: one acts (answers), the other refuses it.
    const raw = new URLSearchParams(
      slashCommandBody({
        text: 'pending',
        userId: BUYER,
        channelId: CHANNELS.alerts,
        responseUrl: world.fake.responseUrl('retried'),
      }),
    ).toString();
    const timestamp = Math.floor(Date.now() / 1000);
    const deliveries = await Promise.all(
      [0, 1, 2].map((i) =>
        sendSigned((replicas[i] as Replica).base, SECRET, raw, 'application/x-www-form-urlencoded', {
          timestamp,
          ...(i > 0 ? { retryNum: i } : {}),
        }),
      ),
    );
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
    // The replica that acts answers in its acknowledgement or at the response URL; a refused replay does neither.
    await sleep(1_500);
    const answered = deliveries.filter((d) => d.body.trim() !== '').length;
    const responded = world.fake.respondRequests.filter((r) => r.id === 'retried').length;
    expect(answered + responded, 'answers to one request delivered three times').toBe(1);

    // Kill the replica holding the run lock while its cycle runs (its pid is on the lock's row).
    let lockSeen = '';
    const killed = (async () => {
      let victim: Replica | undefined;
      await until(
        'a cycle in progress',
        async () => {
          const row = (
            await pool.query(
              `SELECT l.pid FROM locks l JOIN runs r ON r.id = l.holder WHERE l.name = 'cycle' AND r.status = 'running'`,
            )
          ).rows[0] as { pid: string } | undefined;
          victim = replicas.find((r) => !r.done() && r.child.pid === Number(row?.pid));
          return victim !== undefined;
        },
        60_000,
      );
      // Another replica's /readyz names the holder, as the server knows its connection.
      const other = replicas.find((r) => r !== victim && !r.done()) as Replica;
      const readyz = (await (await fetch(`${other.base}/readyz`)).json()) as {
        checks: { runLock: { detail: string } };
      };
      lockSeen = readyz.checks.runLock.detail;
      victim?.child.kill('SIGKILL');
      await victim?.exited;
      return victim as Replica;
    })();

    // 200 requests: each question approved from every replica (some as Slack's retries), and commands.
    const requests: (() => Promise<{ status: number }>)[] = [];
    for (let i = 0; requests.length < 150; i++) {
      const q = questions[i % questions.length] as (typeof questions)[number];
      requests.push(() =>
        blockAction(
          (replicas[i % 3] as Replica).base,
          SECRET,
          {
            userId: APPROVER,
            actionId: 'pacing_approve',
            value: q.id,
            channelId: CHANNELS.approvals,
            messageTs: q.ts,
            blocks: q.blocks,
            responseUrl: world.fake.responseUrl(`click-${i}`),
          },
          i % 5 === 0 ? { retryNum: 1 } : {},
        ),
      );
    }
    for (let i = 0; requests.length < 200; i++)
      requests.push(() =>
        slashCommand((replicas[i % 3] as Replica).base, SECRET, {
          text: i % 2 ? 'pending' : 'status',
          userId: BUYER,
          channelId: CHANNELS.alerts,
          responseUrl: world.fake.responseUrl(`command-${i}`),
        }),
      );
    const statuses: number[] = [];
    for (let start = 0; start < requests.length; start += 20) {
      const batch = requests.slice(start, start + 20);
      const answers = await Promise.all(batch.map((send) => send().catch(() => ({ status: 0 }))));
      statuses.push(...answers.map((a) => a.status));
    }
    const victim = await killed;
    expect(lockSeen).toMatch(new RegExp(`^held by run run-\\S+ on pacing \\S+ ${victim.child.pid}(, |$)`));
    // A request to the killed replica finds nobody; every other one is acknowledged.
    expect(statuses.filter((s) => s !== 200 && s !== 0)).toEqual([]);

    // Two more cycles on the survivors, then they stop cleanly.
    const completed = await count(`SELECT count(*) AS n FROM runs WHERE status = 'completed'`);
    await until('two more cycles after the kill', async () => {
      return (await count(`SELECT count(*) AS n FROM runs WHERE status = 'completed'`)) >= completed + 2;
    });
    // Clicks sent to the victim were never acknowledged; the survivors take each question's decision.
    for (const q of questions)
      await blockAction(replicas.find((r) => r !== victim && !r.done())?.base as string, SECRET, {
        userId: APPROVER,
        actionId: 'pacing_approve',
        value: q.id,
        channelId: CHANNELS.approvals,
        messageTs: q.ts,
        blocks: q.blocks,
        responseUrl: world.fake.responseUrl(`last-${q.id}`),
      });
    await until('every decision carried out', async () => {
      return (
        (await count(
          `SELECT count(*) AS n FROM escalations WHERE id = ANY ($1) AND (status <> 'approved' OR outcome IS NULL)`,
          [questions.map((q) => q.id)],
        )) === 0
      );
    });
    // Messages are delivered by the survivors; those the victim had leased wait out its lease (then go).
    await until('the outbox delivered', async () => {
      return (
        (await count(
          `SELECT count(*) AS n FROM outbox WHERE status = 'pending' AND (leased_until IS NULL OR leased_until < $1)`,
          [Date.now()],
        )) === 0
      );
    });
    const survivors = replicas.filter((r) => r !== victim);
    for (const r of survivors) r.child.kill('SIGTERM');
    await Promise.all(survivors.map((r) => r.exited));

    // Each tick ran at most one cycle: runs by the schedule never outnumber the ticks claimed.
    const ticks = await count(`SELECT count(*) AS n FROM ticks WHERE job = 'pacing-run'`);
    const scheduled = await count(`SELECT count(*) AS n FROM runs WHERE trigger = 'schedule'`);
    expect(ticks, 'ticks claimed').toBeGreaterThanOrEqual(4);
    expect(scheduled, 'scheduled runs').toBeGreaterThanOrEqual(4);
    expect(scheduled, 'scheduled runs against ticks').toBeLessThanOrEqual(ticks);
    // And each tick was claimed once, under one key on every replica: as many claims as 4-second steps.
    const span = (
      await pool.query(
        `SELECT (extract(epoch FROM max(scheduled_at::timestamptz) - min(scheduled_at::timestamptz)))::int AS s
         FROM ticks WHERE job = 'pacing-run'`,
      )
    ).rows[0] as { s: number };
    expect(ticks, 'one claim per 4-second step').toBe(span.s / 4 + 1);
    // The killed cycle was found and closed by the next one; none is left running.
    expect(await count(`SELECT count(*) AS n FROM runs WHERE status = 'running'`), 'runs left running').toBe(0);
    expect(
      await count(
        `SELECT count(*) AS n FROM runs WHERE status = 'failed' AND failure = 'the process running it stopped'`,
      ),
      'runs the kill stopped',
    ).toBe(1);

    // Each decision was taken once: one approval in the audit trail per question, however many clicks.
    const approvals = (
      await pool.query(
        `SELECT details::jsonb ->> 'escalationId' AS id, count(*)::int AS n FROM audit
         WHERE type = 'escalation_approved' GROUP BY 1`,
      )
    ).rows as { id: string; n: number }[];
    for (const q of questions) expect(approvals.find((a) => a.id === q.id)?.n, q.id).toBe(1);
    // Each question was posted once, and each pause made once.
    const announced = world.fake
      .callsTo('chat.postMessage')
      .filter((c) => c.body.channel === CHANNELS.approvals && okCall(c))
      .map((c) => JSON.stringify(c.body.blocks));
    for (const q of questions)
      expect(
        announced.filter((b) => b.includes(`"value":"${q.id}"`)),
        q.id,
      ).toHaveLength(1);
    const pauses = (
      await pool.query(
        `SELECT platform_campaign_id, count(*)::int AS n FROM audit WHERE type = 'campaign_paused' GROUP BY 1`,
      )
    ).rows as { n: number }[];
    for (const p of pauses) expect(p.n).toBe(1);

    // Nothing half-done: no pause without its outcome, no message waiting or leased.
    expect(await count(`SELECT count(*) AS n FROM pause_intents WHERE outcome IS NULL`), 'unsettled pauses').toBe(0);
  }, 240_000);
});
