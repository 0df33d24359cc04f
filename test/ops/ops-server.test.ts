// The operations server Socket Mode uses (Socket Mode has no HTTP receiver, and cannot reach a fake Slack in
// tests): the same routes on a node:http server of their own, fed by a real agent, store and platform fakes.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CollectingNotifier } from '../../src/cli/notifier.js';
import { loadConfig } from '../../src/config.js';
import { RunInProgress } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { type OpsServer, startOpsServer } from '../../src/ops/http.js';
import { createOps, type Ops } from '../../src/ops/ops.js';
import { type App, createApp } from '../../src/wiring.js';
import { FAKE_META_TOKEN, type FakeMetaGraph, metaFailures, startFakeMetaGraph } from '../fakes/meta-graph.js';
import { NOW } from '../fakes/pacing-cli.js';
import { type SlackWorld, slackWorld } from '../slack/helpers.js';
import { parseExposition, series, value } from './prom.js';

let world: SlackWorld;
let app: App | null = null;
let ops: Ops | null = null;
let server: OpsServer | null = null;
let meta: FakeMetaGraph | null = null;

beforeEach(async () => {
  world = await slackWorld();
});

afterEach(async () => {
  await server?.close();
  ops?.stop();
  await app?.close();
  await meta?.close();
  [server, ops, app, meta] = [null, null, null, null];
  await world.cleanup();
});

/** The app as `serve` builds it in Socket Mode, minus Slack: its ops routes on a port of their own. */
async function start(extra: Record<string, string> = {}) {
  app = await createApp(loadConfig({ ...world.env, SLACK_BOT_TOKEN: '', ...extra }), new CollectingNotifier());
  ops = createOps(app, silentLogger());
  server = await startOpsServer(0, ops.routes, silentLogger(), '127.0.0.1');
  return { app, ops, base: `http://127.0.0.1:${server.port}` };
}

const get = async (url: string, method = 'GET') => {
  const res = await fetch(url, { method });
  return { status: res.status, text: await res.text(), headers: res.headers };
};

describe('the operations server (Socket Mode)', () => {
  it('serves /healthz, /readyz and /metrics, and nothing else', async () => {
    const { ops, base, app } = await start();
    expect((await get(`${base}/healthz`)).status).toBe(200);

    // Before the token is verified and the schedules run, it is alive but not ready, and says why.
    const before = await get(`${base}/readyz`);
    expect(before.status).toBe(503);
    expect(JSON.parse(before.text)).toMatchObject({
      status: 'not_ready',
      checks: {
        database: { ok: true },
        slackToken: { ok: false, detail: 'not verified yet' },
        scheduler: { ok: false, detail: 'not started yet' },
        lastRun: { ok: true, detail: 'no run yet' },
        runLock: { ok: true, detail: 'free' },
      },
    });
    // Who holds the run lock is shown, not counted against readiness.
    expect(await app.store.locks.acquire('cycle', 'run-elsewhere', '2026-11-20T09:00:00.000Z')).toBeNull();
    expect(JSON.parse((await get(`${base}/readyz`)).text).checks.runLock).toEqual({
      ok: true,
      detail: `held by run run-elsewhere (process ${process.pid}) since 2026-11-20T09:00:00.000Z`,
    });
    await app.store.locks.release('cycle', 'run-elsewhere');
    ops.readiness.tokenVerified();
    ops.readiness.schedulerStarted(['pacing-run', 'expire']);
    const after = await get(`${base}/readyz`);
    expect(after.status).toBe(200);
    expect(JSON.parse(after.text).checks.scheduler).toEqual({ ok: true, detail: 'running: pacing-run, expire' });

    await app.agent.run('schedule');
    const metrics = await get(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const m = parseExposition(metrics.text);
    expect(value(m, 'pacing_runs_total', { outcome: 'completed' })).toBe(1);
    expect(series(m, 'pacing_campaigns').reduce((n, s) => n + s.value, 0)).toBe(21);

    expect((await get(`${base}/slack/events`, 'POST')).status).toBe(404);
    expect((await get(`${base}/metrics`, 'POST')).status).toBe(405);
    expect((await get(`${base}/`)).status).toBe(404);

    ops.readiness.schedulerStopped();
    expect(JSON.parse((await get(`${base}/readyz`)).text).checks.scheduler).toEqual({ ok: false, detail: 'stopped' });
  });

  it('refuses a second server on a port already taken', async () => {
    const { ops } = await start();
    const port = server?.port as number;
    await expect(startOpsServer(port, ops.routes, silentLogger(), '127.0.0.1')).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });

  it('counts a run refused because another process is running one, and does not call it a failure', async () => {
    const { ops, base, app } = await start();
    // Another process (this one's parent, alive) holds the run lock, as a CLI `pacing run` would.
    const other = new Database(world.env.PACING_DB as string);
    other
      .prepare('INSERT INTO locks (name, holder, acquired_at, pid, owner, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run('cycle', 'run-elsewhere', NOW, process.ppid, String(process.ppid), Date.now() + 60_000);
    await expect(app.agent.run('schedule')).rejects.toBeInstanceOf(RunInProgress);
    other.prepare(`DELETE FROM locks WHERE name = 'cycle'`).run();
    await other.close();
    const m = parseExposition(await ops.metrics.text());
    expect(value(m, 'pacing_runs_total', { outcome: 'refused' })).toBe(1);
    expect(value(m, 'pacing_runs_total', { outcome: 'failed' })).toBe(0);
    expect(value(m, 'pacing_run_duration_seconds_count')).toBe(0);
    ops.readiness.tokenVerified();
    ops.readiness.schedulerStarted([]);
    expect((await get(`${base}/readyz`)).status).toBe(200);
  });
});

describe('platform call metrics', () => {
  const ACCOUNT = '5550001';
  const liveMeta = async () => {
    meta = await startFakeMetaGraph({
      accounts: [
        {
          id: ACCOUNT,
          currency: 'EUR',
          timezone_name: 'Europe/Berlin',
          campaigns: [
            {
              id: '9001',
              name: 'Acme_NL_Basketball_Prospecting',
              status: 'ACTIVE',
              start_time: '2026-11-01T00:00:00+0100',
              stop_time: '2026-12-01T00:00:00+0100',
              spendByDay: { '2026-11-10': '3000.00' },
            },
          ],
        },
      ],
    });
    return {
      PACING_PLATFORMS: 'google=fixtures,meta=live',
      META_GRAPH_API_BASE_URL: meta.url,
      META_ACCESS_TOKEN: FAKE_META_TOKEN,
      META_AD_ACCOUNT_IDS: ACCOUNT,
    };
  };

  it('observes latency and retries of each Meta call, labelled by platform and operation', async () => {
    const env = await liveMeta();
    meta?.failNext(`act_${ACCOUNT}/insights`, metaFailures.serverError(), 1);
    const { app, ops } = await start(env);
    const report = await app.agent.run('schedule');
    const m = parseExposition(await ops.metrics.text());
    expect(m.types.get('pacing_platform_call_duration_seconds')).toBe('histogram');
    const attempts = value(m, 'pacing_platform_call_duration_seconds_count', { platform: 'meta', operation: 'read' });
    expect(attempts).toBe(meta?.requests.length);
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(value(m, 'pacing_platform_call_retries_total', { platform: 'meta', operation: 'read' })).toBe(1);
    expect(value(m, 'pacing_platform_call_failures_total', { platform: 'meta', operation: 'read' })).toBe(0);
    // The retried call is no error. The one Meta error is the plan's: this account lists 1 of the 11 planned Meta
    // campaigns, which reads as a data fault (one question), not ten missing campaigns.
    expect(report.platformErrors.filter((e) => e.platform === 'meta').map((e) => e.message)).toEqual([
      expect.stringMatching(/^10 of 11 planned Meta campaigns .* missing/),
    ]);
    expect(value(m, 'pacing_platform_errors_total', { platform: 'meta' })).toBe(1);
    expect(value(m, 'pacing_platform_available', { platform: 'meta' })).toBe(1);
  });

  it('counts a refused call, the platform error of the run, and the platform as unavailable', async () => {
    const env = await liveMeta();
    meta?.failNext('*', metaFailures.permission(), 20);
    const { app, ops } = await start(env);
    await app.agent.run('schedule');
    const m = parseExposition(await ops.metrics.text());
    expect(value(m, 'pacing_platform_call_failures_total', { platform: 'meta', operation: 'read' })).toBeGreaterThan(0);
    expect(value(m, 'pacing_platform_call_retries_total', { platform: 'meta', operation: 'read' })).toBe(0);
    expect(value(m, 'pacing_platform_errors_total', { platform: 'meta' })).toBeGreaterThan(0);
    expect(value(m, 'pacing_platform_available', { platform: 'meta' })).toBe(0);
    expect(value(m, 'pacing_platform_available', { platform: 'google' })).toBe(1);
  });
});
