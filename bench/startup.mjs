// Start-up and whole-process figures (issue "run it like a service"), printed beside bare node's start measured
// in the same run, in milliseconds and as ratios:
//   - `node -e 0`, the floor every command pays;
//   - the read commands (`status`, `pending`, `audit`, `report`, each with --json) on the demo database;
//   - `run --json` over BENCH_ROWS (10,000) generated campaigns, first on a fresh database, then again;
//   - Slack's acknowledgements: 20 concurrent signed `/pacing` commands at a time against `pacing serve`.
//   - with BENCH_PG set to a PostgreSQL server's URL (e.g. postgres://postgres@127.0.0.1:5432/test), the same
//     `run --json` on PostgreSQL, in a schema made for it and dropped after.
// Targets: reads ≤ 3× bare node; run --json 10k ≤ 2 s (≤ 3 s on PostgreSQL); ack p99 ≤ 50 ms. Figures, not
// pass/fail: the machine's load moves them; medians of BENCH_REPEAT (7) runs.
//
// Exported as `startupBench()` for bench/run.mjs; runs alone with `node bench/startup.mjs`.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDataset } from './generate.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const NOW = '2026-11-20T09:00:00Z';
const REPEAT = Number(process.env.BENCH_REPEAT ?? 7);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

/** Only what the command needs: no PACING_/SLACK_ settings from the developer's shell. */
function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(PACING_|SLACK_|PAGERDUTY_|GOOGLE_|META_|PORT$|LOG_LEVEL$)/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** Wall time of one whole process, spawn to exit (ms). */
function timed(args, env, cwd) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - t;
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${err.slice(0, 500)}`));
      else resolve(ms);
    });
  });
}

async function medianOf(n, f) {
  const xs = [];
  for (let i = 0; i < n; i++) xs.push(await f());
  return median(xs);
}

// ---------------------------------------------------------------- a minimal Slack Web API for `serve`
function fakeSlack() {
  const server = createServer((req, res) => {
    let _body = '';
    req.on('data', (d) => {
      _body += d;
    });
    req.on('end', () => {
      const method = req.url?.replace(/^\/api\//, '') ?? '';
      const answer =
        method === 'auth.test'
          ? { ok: true, team_id: 'T0BENCH001', user_id: 'U0BENCHBOT', bot_id: 'B0BENCHBOT', app_id: 'A0BENCHAPP' }
          : { ok: true, ts: `${Date.now() / 1000}`, channel: 'C0BENCH001' };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

export async function ackLatencies(dir, concurrency, rounds, db = join(dir, 'serve.db')) {
  const slack = await fakeSlack();
  const port = await freePort();
  const secret = 'bench-signing-secret';
  const env = cleanEnv({
    PACING_DATA_DIR: join(dir, 'data'),
    PACING_DB: db,
    PACING_NOW: NOW,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: `http://127.0.0.1:${slack.address().port}/api/`,
    SLACK_ALERT_CHANNEL: 'C0BENCH001',
    SLACK_APPROVAL_CHANNEL: 'C0BENCH002',
    PACING_RUN_CRON: 'off',
    PACING_DIGEST_CRON: 'off',
    PORT: String(port),
    LOG_LEVEL: 'silent',
  });
  // BENCH_SERVE_NODE_ARGS: node options for the server only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_SERVE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'serve'], {
    env,
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30_000);
      child.stderr.on('data', (d) => {
        out += d;
        if (out.includes('listening on port')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
    });
    const send = async (i) => {
      const ts = Math.floor(Date.now() / 1000);
      const body = new URLSearchParams({
        team_id: 'T0BENCH001',
        channel_id: 'C0BENCH001',
        user_id: `U0BUYER${String(i % 1000).padStart(4, '0')}`,
        command: '/pacing',
        text: i % 2 ? 'status' : 'help',
        api_app_id: 'A0BENCHAPP',
        response_url: `http://127.0.0.1:${slack.address().port}/respond/${i}`,
        trigger_id: `${i}.bench`,
      }).toString();
      const sig = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
      // node:http with kept-alive sockets, one per concurrent command: fetch's own work for 20 responses at once
      // (undici in this process) was counted in the server's figure.
      const t = performance.now();
      const status = await new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/slack/events',
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'content-length': Buffer.byteLength(body),
              'x-slack-request-timestamp': String(ts),
              'x-slack-signature': sig,
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      if (status !== 200) throw new Error(`ack answered ${status}`);
      return performance.now() - t;
    };
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    // One warm-up round, as Slack's first command after a deploy would be.
    await Promise.all(Array.from({ length: concurrency }, (_, i) => send(i)));
    const all = [];
    for (let r = 0; r < rounds; r++) {
      all.push(...(await Promise.all(Array.from({ length: concurrency }, (_, i) => send((r + 1) * concurrency + i)))));
    }
    agent.destroy();
    return all;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    slack.close();
  }
}

export async function startupBench({ rows = 10_000, log = (l) => process.stdout.write(`${l}\n`) } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pacing-startup-'));
  try {
    cpSync(join(ROOT, 'fixtures'), join(dir, 'data'), { recursive: true });
    const demo = cleanEnv({ PACING_DATA_DIR: join(dir, 'data'), PACING_DB: join(dir, 'demo.db'), PACING_NOW: NOW });
    await timed([BIN, 'run', '--json'], demo, dir);

    const bare = await medianOf(REPEAT, () => timed(['-e', '0'], cleanEnv({}), dir));
    const figures = { bareNodeMs: bare, reads: {} };
    log(`start-up (medians of ${REPEAT}, whole process; target: reads ≤ 3× bare node)`);
    log(`  node -e 0                  ${bare.toFixed(0).padStart(6)} ms   1.00×`);
    for (const cmd of ['status', 'pending', 'audit', 'report']) {
      const m = await medianOf(REPEAT, () => timed([BIN, cmd, '--json'], demo, dir));
      figures.reads[cmd] = { ms: m, ratio: m / bare };
      log(`  pacing ${`${cmd} --json`.padEnd(19)} ${m.toFixed(0).padStart(6)} ms   ${(m / bare).toFixed(2)}×`);
    }

    const big = join(dir, 'big');
    writeDataset(join(big, 'data'), { rows, seed: 20261120, now: NOW });
    const env = cleanEnv({ PACING_DATA_DIR: join(big, 'data'), PACING_DB: join(big, 'big.db'), PACING_NOW: NOW });
    const first = await timed([BIN, 'run', '--json'], env, dir);
    const again = await medianOf(Math.min(REPEAT, 3), () => timed([BIN, 'run', '--json'], env, dir));
    figures.run = { rows, firstMs: first, againMs: again };
    log(`run --json over ${rows.toLocaleString('en-US')} campaigns (whole process; target ≤ 2,000 ms)`);
    log(`  first run, fresh database  ${first.toFixed(0).padStart(6)} ms   ${(first / bare).toFixed(1)}× bare node`);
    log(
      `  next runs (median of ${Math.min(REPEAT, 3)})    ${again.toFixed(0).padStart(6)} ms   ${(again / bare).toFixed(1)}× bare node`,
    );

    if (process.env.BENCH_PG)
      figures.runPostgres = await postgresRun(process.env.BENCH_PG, { big, dir, rows, bare, log });

    // Against the demo database: `/pacing status` then has a run to summarise.
    const acks = await ackLatencies(dir, 20, 10, join(dir, 'demo.db'));
    figures.ack = { n: acks.length, p50Ms: pct(acks, 50), p99Ms: pct(acks, 99), maxMs: Math.max(...acks) };
    log(`Slack acknowledgements, 20 concurrent /pacing commands × 10 rounds (target p99 ≤ 50 ms)`);
    log(
      `  p50 ${figures.ack.p50Ms.toFixed(1)} ms · p99 ${figures.ack.p99Ms.toFixed(1)} ms · max ${figures.ack.maxMs.toFixed(1)} ms (${acks.length} requests)`,
    );
    return figures;
  } finally {
    if (process.env.BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  }
}

/** `run --json` on PostgreSQL: first on an empty schema of its own, then again; the schema is dropped after. */
async function postgresRun(server, { big, dir, rows, bare, log }) {
  const { default: pg } = await import('pg');
  const schema = `pacing_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  try {
    const url = new URL(server);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const env = cleanEnv({ PACING_DATA_DIR: join(big, 'data'), PACING_DB: url.toString(), PACING_NOW: NOW });
    const first = await timed([BIN, 'run', '--json'], env, dir);
    const again = await medianOf(Math.min(REPEAT, 3), () => timed([BIN, 'run', '--json'], env, dir));
    log(`run --json over ${rows.toLocaleString('en-US')} campaigns on PostgreSQL (whole process; target ≤ 3,000 ms)`);
    log(`  first run, empty schema    ${first.toFixed(0).padStart(6)} ms   ${(first / bare).toFixed(1)}× bare node`);
    log(
      `  next runs (median of ${Math.min(REPEAT, 3)})    ${again.toFixed(0).padStart(6)} ms   ${(again / bare).toFixed(1)}× bare node`,
    );
    return { rows, firstMs: first, againMs: again };
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await startupBench({ rows: Number(process.env.BENCH_ROWS ?? 10_000) });
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
