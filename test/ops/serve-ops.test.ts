// `pacing serve` in HTTP mode answers /healthz, /readyz and /metrics beside Slack's signed /slack/events:
// in process, with Bolt's real HTTP receiver, a fake Slack Web API and a real SQLite file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { serve } from '../../src/slack/serve.js';
import { decodeData } from '../../src/store/result-codec.js';
import { slashCommand } from '../fakes/slack-requests.js';
import { APPROVER, CHANNELS, SECRET } from '../slack/helpers.js';
import { servedSlack } from '../slack/serve-harness.js';
import { parseExposition, series, value } from './prom.js';

const t = servedSlack();
beforeEach(async () => {
  await t.start();
});

const get = async (path: string, method = 'GET') => {
  const res = await fetch(`${t.world.base}${path}`, { method });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
};
const ready = async () => {
  const r = await get('/readyz');
  return { status: r.status, body: JSON.parse(r.text) as ReadyBody };
};
const scrape = async () => {
  const r = await get('/metrics');
  expect(r.status).toBe(200);
  expect(r.type).toContain('text/plain');
  expect(r.type).toContain('version=0.0.4');
  return parseExposition(r.text);
};

interface ReadyBody {
  status: string;
  checks: Record<'database' | 'slackToken' | 'scheduler' | 'lastRun', { ok: boolean; detail: string }>;
}

/** `/pacing run` from Slack, as an approver; resolves with the reply posted to its response_url. */
async function runFromSlack(): Promise<string> {
  const id = `run-${Math.random()}`;
  const res = await slashCommand(t.world.base, SECRET, {
    text: 'run',
    userId: APPROVER,
    channelId: CHANNELS.alerts,
    responseUrl: t.world.fake.responseUrl(id),
  });
  expect(res.status).toBe(200);
  return JSON.stringify((await t.world.fake.waitForRespond((r) => r.id === id, 15_000)).body);
}

const db = () => new Database(t.world.env.PACING_DB as string);

describe('health endpoints', () => {
  it('/healthz says the process is alive, without a Slack signature', async () => {
    const r = await get('/healthz');
    expect(r.status).toBe(200);
    expect(r.type).toContain('application/json');
    expect(JSON.parse(r.text)).toEqual({ status: 'ok' });
    const head = await get('/healthz', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    // Slack's own endpoint still wants a signature.
    const unsigned = await fetch(`${t.world.base}/slack/events`, { method: 'POST', body: 'command=%2Fpacing' });
    expect(unsigned.status).toBe(401);
  });

  it('in Socket Mode serves them on PORT too: a PORT already taken stops serve with a clear message', async () => {
    // The HTTP-mode server of this test holds PORT; Socket Mode wants it for health and metrics.
    const socket = loadConfig({
      ...t.world.env,
      SLACK_APP_TOKEN: 'xapp-1-A0TEST-1-0123456789abcdef',
      SLACK_SIGNING_SECRET: '',
    });
    const t0 = Date.now();
    await expect(serve(socket, silentLogger())).rejects.toThrow(`PORT ${t.world.port} is already in use.`);
    expect(Date.now() - t0).toBeLessThan(5_000); // refused before any attempt to reach Slack over Socket Mode
    expect((await get('/healthz')).status).toBe(200);
  });

  it('/readyz is 200 after start, each check saying why it holds', async () => {
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.checks).toEqual({
      database: { ok: true, detail: 'writable' },
      slackToken: { ok: true, detail: 'verified at start' },
      scheduler: { ok: true, detail: 'running: expire' },
      lastRun: { ok: true, detail: 'no run yet' },
      runLock: { ok: true, detail: 'free' },
    });
  });

  it('/readyz is 503 naming lastRun when the latest run failed, and 200 again after a good run', async () => {
    const tracker = join(t.world.env.PACING_DATA_DIR as string, 'tracker.csv');
    const good = readFileSync(tracker, 'utf8');
    // A tracker with no valid row: the run stops before acting (SPEC, Safety guard 8).
    writeFileSync(tracker, `${good.split('\n')[0]}\n`);
    expect(await runFromSlack()).toContain('The run failed');
    const failed = await ready();
    expect(failed.status).toBe(503);
    expect(failed.body.status).toBe('not_ready');
    expect(failed.body.checks.lastRun).toEqual({ ok: false, detail: expect.stringMatching(/^run run-\S+ failed at /) });
    expect(failed.body.checks.database.ok).toBe(true);
    expect(failed.body.checks.scheduler.ok).toBe(true);
    const m = await scrape();
    expect(value(m, 'pacing_runs_total', { outcome: 'failed' })).toBe(1);
    expect(value(m, 'pacing_runs_total', { outcome: 'completed' })).toBe(0);

    writeFileSync(tracker, good);
    expect(await runFromSlack()).toMatch(/done: 21 campaigns/);
    const again = await ready();
    expect(again.status).toBe(200);
    expect(again.body.checks.lastRun.detail).toMatch(/^run run-\S+ completed at /);
  });

  it('/readyz is 503 naming the database while another process holds its write lock', async () => {
    const other = db();
    try {
      other.exec('BEGIN IMMEDIATE');
      const locked = await ready();
      expect(locked.status).toBe(503);
      expect(locked.body.checks.database).toEqual({ ok: false, detail: expect.stringMatching(/SQLITE_BUSY/) });
      expect(locked.body.checks.lastRun.ok).toBe(true);
      other.exec('ROLLBACK');
      expect((await ready()).status).toBe(200);
    } finally {
      other.close();
    }
  });
});

describe('/metrics', () => {
  it('exports process metrics and zeroed counters before any run', async () => {
    const m = await scrape();
    expect(m.types.get('process_cpu_seconds_total')).toBe('counter');
    expect(m.types.get('process_resident_memory_bytes')).toBe('gauge');
    for (const outcome of ['completed', 'failed', 'refused'])
      expect(value(m, 'pacing_runs_total', { outcome })).toBe(0);
    expect(value(m, 'pacing_escalations_pending')).toBe(0);
    expect(value(m, 'pacing_outbox_pending_messages')).toBe(0);
    expect(series(m, 'pacing_campaigns')).toEqual([]);
  });

  it('after a run: runs, actions, campaigns by severity, money at stake per currency, escalations, outbox', async () => {
    // Slack holds every channel's first post for 10 minutes, so the queue stays as the run left it.
    t.world.fake.failNext('chat.postMessage', { status: 429, headers: { 'Retry-After': '600' } }, 50);
    expect(await runFromSlack()).toMatch(/done: 21 campaigns/);
    const m = await scrape();

    expect(value(m, 'pacing_runs_total', { outcome: 'completed' })).toBe(1);
    expect(value(m, 'pacing_run_duration_seconds_count')).toBe(1);
    expect(value(m, 'pacing_run_duration_seconds_sum')).toBeGreaterThan(0);

    // What the store holds for that run, computed here independently of the app.
    const conn = db();
    const rows = (
      conn
        .prepare(
          `SELECT platform, action, actual_spend, data FROM results WHERE run_id = (SELECT id FROM runs WHERE status = 'completed' ORDER BY rowid DESC LIMIT 1)`,
        )
        .all() as { platform: string; action: string; actual_spend: number | null; data: string }[]
    ).map((r) => ({
      // The row's own columns, and the rest of it as the store writes it.
      ...(decodeData(r.data) as { severity: string | null; currency: string | null; targetSpend: number | null }),
      platform: r.platform,
      action: r.action,
      actualSpend: r.actual_spend,
    }));
    const queued = (conn.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'`).get() as { n: number }).n;
    expect(rows).toHaveLength(21);

    for (const platform of ['google', 'meta'])
      for (const severity of ['healthy', 'warning', 'critical', 'none'])
        expect(value(m, 'pacing_campaigns', { platform, severity }), `${platform} ${severity}`).toBe(
          rows.filter((r) => r.platform === platform && (r.severity ?? 'none') === severity).length,
        );
    expect(series(m, 'pacing_campaigns').reduce((n, s) => n + s.value, 0)).toBe(21);
    expect(value(m, 'pacing_campaigns', { severity: 'critical', platform: 'meta' })).toBeGreaterThan(0);

    const stake = new Map<string, number>();
    // Off plan (warning or critical): the one definition Slack, the digest and the CLI use too.
    for (const r of rows)
      if ((r.severity === 'critical' || r.severity === 'warning') && r.actualSpend !== null && r.targetSpend !== null) {
        const c = r.currency ?? 'unknown';
        stake.set(c, (stake.get(c) ?? 0) + Math.abs(r.actualSpend - r.targetSpend));
      }
    expect(stake.size).toBeGreaterThan(0);
    expect(series(m, 'pacing_money_at_stake').map((s) => s.labels.currency)).toEqual(
      expect.arrayContaining([...stake.keys()]),
    );
    for (const [currency, amount] of stake)
      expect(value(m, 'pacing_money_at_stake', { currency })).toBeCloseTo(amount, 2);

    for (const action of ['log', 'alert', 'escalate', 'halt'])
      expect(value(m, 'pacing_actions_total', { action }), action).toBe(rows.filter((r) => r.action === action).length);

    expect(value(m, 'pacing_escalations_pending')).toBe(6);
    expect(value(m, 'pacing_escalations_oldest_pending_age_seconds')).toBe(0); // PACING_NOW: created "now"
    expect(queued).toBeGreaterThan(0);
    expect(value(m, 'pacing_outbox_pending_messages')).toBe(queued);
    expect(value(m, 'pacing_platform_available', { platform: 'google' })).toBe(1);
    expect(value(m, 'pacing_last_completed_run_timestamp_seconds')).toBe(
      Date.parse(t.world.env.PACING_NOW as string) / 1000,
    );

    // A message queued 90 s ago and an escalation 2 h old show their age.
    conn
      .prepare(`UPDATE outbox SET created_at = ? WHERE id = (SELECT MIN(id) FROM outbox WHERE status = 'pending')`)
      .run(new Date(Date.parse(t.world.env.PACING_NOW as string) - 90_000).toISOString());
    conn
      .prepare(`UPDATE escalations SET created_at = ? WHERE id = (SELECT MIN(id) FROM escalations)`)
      .run(new Date(Date.parse(t.world.env.PACING_NOW as string) - 7_200_000).toISOString());
    conn.close();
    const later = await scrape();
    expect(value(later, 'pacing_outbox_oldest_pending_age_seconds')).toBe(90);
    expect(value(later, 'pacing_escalations_oldest_pending_age_seconds')).toBe(7_200);
    // No campaign id ever becomes a label.
    for (const s of later.samples) for (const v of Object.values(s.labels)) expect(v).not.toMatch(/^(ACM|[0-9]{6,})/);
  });
});
