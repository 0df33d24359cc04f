// Paging end to end in process: the bundled fixtures, a real SQLite file, the agent, and a fake PagerDuty Events
// API on 127.0.0.1. Each condition opens one incident however often runs repeat it, and its recovery resolves it;
// delivery survives a 429 and keeps a refused event; the routing key is written nowhere.
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CollectingNotifier } from '../../src/cli/notifier.js';
import { type Config, loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { createLogger, type Logger } from '../../src/log.js';
import { Pager, pageAfterRun, pagingSettings, startPaging } from '../../src/ops/pager.js';
import { type App, createApp } from '../../src/wiring.js';
import { FIXTURES, NOW } from '../fakes/pacing-cli.js';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty.js';

const KEY = 'e93facc04764012d7bfb002500d5d1a6';
const APPROVER = 'U0APPROVER1';
const G004 = '20512340004';
const PAUSE_KEY = `pacing:pause_failed:google:${G004}`;

let fake: FakePagerDuty;
let dir: string;
let logs: string[];
let log: Logger;
const apps: App[] = [];

beforeEach(async () => {
  fake = await startFakePagerDuty();
  dir = mkdtempSync(join(tmpdir(), 'pacing-paging-'));
  logs = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  log = createLogger('debug', sink);
});

afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(
  data = FIXTURES,
  extra: Record<string, string> = {},
): Promise<{ app: App; config: Config; dataDir: string }> {
  const dataDir = join(dir, 'data');
  if (!existsSync(dataDir)) cpSync(data, dataDir, { recursive: true });
  const config = loadConfig({
    PACING_DATA_DIR: dataDir,
    PACING_DB: join(dir, 'p.db'),
    PACING_NOW: NOW,
    PACING_APPROVERS: APPROVER,
    PAGERDUTY_ROUTING_KEY: KEY,
    PAGERDUTY_EVENTS_URL: fake.url,
    LOG_LEVEL: 'silent',
    ...extra,
  });
  const app = await createApp(config, new CollectingNotifier());
  apps.push(app);
  return { app, config, dataDir };
}

/** One `pacing run` as the CLI makes it: the run, then paging (with the error the run threw, if any). */
async function run(app: App, config: Config) {
  const error = await app.agent.run('cli', 'agent').then(
    () => null,
    (err: unknown) => err,
  );
  return pageAfterRun(app, config, log, { error, trigger: 'cli', flushMs: 3_000 });
}

/** Makes the fixture platform refuse to pause one campaign (its pauses are kept in this table). */
const refusePauses = (app: App, id: string) =>
  app.store.db.exec(
    `CREATE TRIGGER refuse_pause BEFORE INSERT ON fixture_campaign_status WHEN NEW.campaign_id = '${id}'
     BEGIN SELECT RAISE(ABORT, 'the platform refused the change (PERMISSION_DENIED)'); END`,
  );
const allowPauses = (app: App) => app.store.db.exec('DROP TRIGGER refuse_pause');

const triggers = (key?: string) =>
  fake.accepted().filter((e) => e.event_action === 'trigger' && (key === undefined || e.dedup_key === key));
const summaryOf = (event: Record<string, unknown> | undefined) =>
  String((event?.payload as { summary?: unknown } | undefined)?.summary);
const resolves = (key: string) => fake.accepted().filter((e) => e.event_action === 'resolve' && e.dedup_key === key);
const pendingFor = async (app: App, id: string) => {
  const e = (await app.agent.pending()).find((x) => x.platformCampaignId === id);
  if (!e) throw new Error(`no pending escalation about ${id}`);
  return e;
};

describe('a failed pause', () => {
  it('opens exactly one incident across two runs, and the pause made after approval resolves it', async () => {
    const { app, config } = await open();
    refusePauses(app, G004);
    const first = await run(app, config);
    expect(first?.trigger.map((t) => t.dedupKey)).toEqual([PAUSE_KEY]);
    expect(triggers()).toHaveLength(1);
    const [event] = triggers();
    expect(event).toMatchObject({
      routing_key: KEY,
      event_action: 'trigger',
      dedup_key: PAUSE_KEY,
      client: 'Pacing Agent',
      payload: {
        severity: 'critical',
        component: 'google',
        group: 'pacing-agent',
        class: 'pause_failed',
        custom_details: { campaignId: 'ACM-G-004', platform: 'google', platformCampaignId: G004 },
      },
    });
    expect(summaryOf(event)).toContain('PERMISSION_DENIED');

    // The next run still cannot pause it (its escalation waits for an approver): the same incident, not a second.
    const second = await run(app, config);
    expect(second?.trigger).toEqual([]);
    expect(triggers()).toHaveLength(1);
    expect(fake.alerts).toHaveLength(1);
    expect(fake.alerts[0]).toMatchObject({ dedupKey: PAUSE_KEY, status: 'triggered', triggers: 1 });

    // The platform takes changes again and an approver approves the pause: the incident resolves, once.
    allowPauses(app);
    await app.agent.decide((await pendingFor(app, G004)).id, 'approved', APPROVER, null, 'cli');
    const after = await pageAfterRun(app, config, log, { flushMs: 3_000 });
    expect(after?.resolve.map((r) => r.dedupKey)).toEqual([PAUSE_KEY]);
    expect(resolves(PAUSE_KEY)).toHaveLength(1);
    expect(fake.alerts[0]?.status).toBe('resolved');
    await run(app, config);
    expect(resolves(PAUSE_KEY)).toHaveLength(1);
    expect(triggers()).toHaveLength(1);
    expect(await app.store.pages.incident(PAUSE_KEY)).toMatchObject({ status: 'resolved' });
  });

  it('resolves when a person paused the campaign on the platform, and the same failure never pages again', async () => {
    const { app, config } = await open();
    refusePauses(app, G004);
    await run(app, config);
    expect(triggers(PAUSE_KEY)).toHaveLength(1);
    allowPauses(app);
    await app.store.fixtureStatus.set('google', G004, 'PAUSED', NOW);
    await run(app, config);
    expect(resolves(PAUSE_KEY)).toHaveLength(1);
    // Resumed by hand and left alone by the agent (its question is still open): no new incident for an old failure.
    await app.store.fixtureStatus.set('google', G004, 'ENABLED', NOW);
    await run(app, config);
    expect(triggers(PAUSE_KEY)).toHaveLength(1);
  });

  it('resolves when an approver decides not to pause it', async () => {
    const { app, config } = await open();
    refusePauses(app, G004);
    await run(app, config);
    await app.agent.decide((await pendingFor(app, G004)).id, 'overridden', APPROVER, 'paused by hand', 'cli');
    const plan = await pageAfterRun(app, config, log, { flushMs: 3_000 });
    expect(plan?.resolve).toMatchObject([{ dedupKey: PAUSE_KEY, reason: 'an approver decided not to pause it' }]);
    expect(fake.alerts[0]?.status).toBe('resolved');
  });
});

describe('a platform that cannot be read', () => {
  it('opens an incident, keeps it through a repeat, and resolves it when the platform reads fine', async () => {
    const { app, config, dataDir } = await open();
    renameSync(join(dataDir, 'meta.json'), join(dataDir, 'meta.json.away'));
    await run(app, config);
    await run(app, config);
    expect(triggers().map((e) => e.dedup_key)).toEqual(['pacing:platform_unavailable:meta']);
    expect(triggers()[0]?.payload).toMatchObject({
      severity: 'error',
      component: 'meta',
      class: 'platform_unavailable',
    });
    expect(summaryOf(triggers()[0])).toContain('meta.json cannot be read');
    renameSync(join(dataDir, 'meta.json.away'), join(dataDir, 'meta.json'));
    await run(app, config);
    expect(resolves('pacing:platform_unavailable:meta')).toHaveLength(1);
    expect(fake.alerts.map((a) => a.status)).toEqual(['resolved']);
  });
});

describe('a failed run', () => {
  it('opens an incident, and the next completed run resolves it', async () => {
    const { app, config, dataDir } = await open();
    const tracker = join(dataDir, 'tracker.csv');
    const plan = readFileSync(tracker, 'utf8');
    writeFileSync(tracker, `${plan.split('\n')[0]}\n`);
    await run(app, config);
    await run(app, config);
    expect(triggers().map((e) => e.dedup_key)).toEqual(['pacing:run_failed']);
    expect(summaryOf(triggers()[0])).toContain('no valid row');
    writeFileSync(tracker, plan);
    await run(app, config);
    expect(resolves('pacing:run_failed')).toHaveLength(1);
  });

  it('pages a run that threw before it could record its failure', async () => {
    const { app, config } = await open();
    const plan = await pageAfterRun(app, config, log, { error: new Error('the disk is full'), flushMs: 3_000 });
    expect(plan?.trigger.map((t) => t.dedupKey)).toEqual(['pacing:run_failed']);
    // Evaluated again without the error: still open until a run completes.
    expect((await pageAfterRun(app, config, log, { flushMs: 1_000 }))?.resolve).toEqual([]);
    await run(app, config);
    expect(resolves('pacing:run_failed')).toHaveLength(1);
  });
});

describe('a storm held as one batch escalation', () => {
  it('opens one incident for the batch and resolves it when the batch is decided', async () => {
    const { app, config } = await open(join(FIXTURES, 'outage'));
    await run(app, config);
    const batch = (await app.agent.pending()).find((e) => e.batch?.kind === 'data_fault');
    if (!batch) throw new Error('no data-fault batch');
    const key = `pacing:storm:${batch.id}`;
    // The faulty data is a storm, not an unavailable platform.
    expect(triggers().map((e) => e.dedup_key)).toEqual([key]);
    expect(triggers()[0]?.payload).toMatchObject({
      class: 'storm',
      custom_details: { batch: 'data_fault', campaigns: 6 },
    });
    await app.agent.decide(batch.id, 'overridden', APPROVER, null, 'cli');
    await pageAfterRun(app, config, log, { flushMs: 3_000 });
    expect(resolves(key)).toHaveLength(1);
  });

  it('pages an export that lists none of the planned campaigns as campaigns missing, not as would-be pauses', async () => {
    const { app, config, dataDir } = await open();
    // The Google export came back empty: every planned Google campaign is missing from it.
    writeFileSync(join(dataDir, 'google.json'), JSON.stringify({ fetched_at: '2026-11-20T08:30:00Z', campaigns: [] }));
    await run(app, config);
    const batch = (await app.agent.pending()).find((e) => e.batch?.kind === 'data_fault');
    if (!batch) throw new Error('no data-fault batch');
    expect(batch.proposedAction).toBe('alert');
    const n = batch.batch?.members.length ?? 0;
    expect(n).toBeGreaterThanOrEqual(3);
    const [event] = triggers(`pacing:storm:${batch.id}`);
    const summary = summaryOf(event);
    expect(
      summary.startsWith(`google data looks faulty: ${n} planned campaigns are missing from it, held for one check`),
    ).toBe(true);
    expect(summary).not.toContain('would-be pause');
    expect(event?.payload).toMatchObject({
      custom_details: { batch: 'data_fault', proposedAction: 'alert', campaigns: n },
    });
  });
});

describe('delivery', () => {
  /** A pager whose clock the test moves, so that retries come due at once. */
  function pagerAt(app: App, config: Config) {
    let now = Date.now();
    const pager = new Pager(
      app.store,
      pagingSettings(config) as NonNullable<ReturnType<typeof pagingSettings>>,
      log,
      config.clock,
      {
        now: () => now,
        random: () => 1,
      },
    );
    return { pager, advance: (ms: number) => (now += ms), now: () => now };
  }

  it('retries an event PagerDuty rate-limited (429), waiting as long as it asks', async () => {
    const { app, config } = await open();
    refusePauses(app, G004);
    await app.agent.run('cli');
    const { pager, advance, now } = pagerAt(app, config);
    fake.rateLimitNext(1, 7);
    await pager.evaluate();
    await pager.deliverer.drain();
    const [waiting] = await app.store.pages.events();
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringContaining('429') });
    expect(waiting?.nextAttemptAt).toBe(now() + 7_000);
    await pager.deliverer.drain();
    expect(fake.requests).toHaveLength(1); // not due yet
    advance(7_000);
    await pager.deliverer.drain();
    expect(fake.requests.map((r) => r.status)).toEqual([429, 202]);
    expect((await app.store.pages.events())[0]).toMatchObject({ status: 'sent', attempts: 2 });
    expect(fake.alerts).toHaveLength(1);
  });

  it('backs off on a 429 without Retry-After (30 s, as PagerDuty suggests) and on a 5xx', async () => {
    const { app, config } = await open();
    refusePauses(app, G004);
    await app.agent.run('cli');
    const { pager, advance, now } = pagerAt(app, config);
    fake.rateLimitNext(1);
    await pager.evaluate();
    await pager.deliverer.drain();
    expect((await app.store.pages.events())[0]?.nextAttemptAt).toBe(now() + 30_000);
    advance(30_000);
    fake.failNext(1, 503);
    await pager.deliverer.drain();
    expect((await app.store.pages.events())[0]).toMatchObject({
      status: 'pending',
      lastError: expect.stringContaining('HTTP 503'),
    });
    expect((await app.store.pages.events())[0]?.nextAttemptAt).toBe(now() + 2_000);
    advance(2_000);
    await pager.deliverer.drain();
    expect(fake.requests.map((r) => r.status)).toEqual([429, 503, 202]);
    expect(fake.alerts).toHaveLength(1);
  });

  it('forgets delivered events past retention, keeping each incident’s latest and anything undelivered', async () => {
    const { app, config } = await open();
    const { pages } = app.store;
    const old = '2026-01-01T00:00:00.000Z';
    const sent = async (key: string, action: 'trigger' | 'resolve', at: string) => {
      const id = await pages.enqueue({ dedupKey: key, action, body: {} }, at);
      await pages.markSent(id, at);
      return id;
    };
    const gone1 = await sent('k1', 'trigger', old);
    const kept1 = await sent('k1', 'resolve', old); // k1's latest: withdrawing and retrying read it
    const gone2 = await sent('k2', 'trigger', old);
    const failed = await pages.enqueue({ dedupKey: 'k2', action: 'resolve', body: {} }, old);
    await pages.markFailed(failed, 'HTTP 400');
    const recent = await sent('k3', 'trigger', NOW);
    const pager = new Pager(
      app.store,
      pagingSettings(config) as NonNullable<ReturnType<typeof pagingSettings>>,
      log,
      config.clock,
      { retentionDays: 30 },
    );
    await pager.evaluate();
    const ids = (await pages.events()).map((e) => e.id);
    expect(ids).toEqual([kept1, failed, recent]);
    expect(ids).not.toContain(gone1);
    expect(ids).not.toContain(gone2);
  });

  it('never brings back an old refused trigger by forgetting what came after it', async () => {
    const { app, config } = await open();
    const { pages } = app.store;
    const old = '2026-01-01T00:00:00.000Z';
    const refused = await pages.enqueue({ dedupKey: 'k', action: 'trigger', body: {} }, old);
    await pages.markFailed(refused, 'HTTP 400: invalid routing key');
    const resolved = await pages.enqueue({ dedupKey: 'k', action: 'resolve', body: {} }, old);
    await pages.markSent(resolved, old);
    await pages.enqueue({ dedupKey: 'k', action: 'trigger', body: {} }, old);
    expect(await pages.withdrawTrigger('k', Date.now())).toBe(true);
    await new Pager(
      app.store,
      pagingSettings(config) as NonNullable<ReturnType<typeof pagingSettings>>,
      log,
      config.clock,
      {
        retentionDays: 30,
      },
    ).evaluate();
    expect((await pages.events()).map((e) => e.id)).toContain(resolved);
    await pages.retryFailed();
    expect((await pages.get(refused))?.status).toBe('failed');
  });

  it('keeps an incident’s events in order: a resolve never overtakes its trigger', async () => {
    const { app } = await open();
    const { pages } = app.store;
    const t1 = await pages.enqueue({ dedupKey: 'k1', action: 'trigger', body: {} }, NOW);
    await pages.enqueue({ dedupKey: 'k1', action: 'resolve', body: {} }, NOW);
    const t2 = await pages.enqueue({ dedupKey: 'k2', action: 'trigger', body: {} }, NOW);
    const now = Date.now();
    await pages.retryLater(t1, now + 10_000, 'HTTP 503');
    expect((await pages.due(now)).map((e) => e.id)).toEqual([t2]);
    await pages.markSent(t1, NOW);
    expect((await pages.due(now)).map((e) => [e.dedupKey, e.action])).toEqual([
      ['k1', 'resolve'],
      ['k2', 'trigger'],
    ]);
  });

  it('withdraws a trigger that never went out when its condition clears first', async () => {
    const { app, config } = await open();
    refusePauses(app, G004);
    await app.agent.run('cli');
    const { pager } = pagerAt(app, config);
    await pager.evaluate(); // queued, not delivered
    allowPauses(app);
    await app.store.fixtureStatus.set('google', G004, 'PAUSED', NOW);
    await app.agent.run('cli');
    await pager.evaluate();
    await pager.deliverer.drain();
    expect((await app.store.pages.events()).map((e) => e.status)).toEqual(['superseded']);
    expect(fake.requests).toEqual([]);
  });

  it('keeps an event PagerDuty refused (400) as failed, audits it, and sends it again after a restart', async () => {
    const { app, config } = await open();
    refusePauses(app, G004);
    await app.agent.run('cli');
    const { pager } = pagerAt(app, config);
    fake.refuseNext(1, ['Invalid routing key']);
    await pager.evaluate();
    await pager.deliverer.drain();
    await pager.deliverer.drain();
    expect(fake.requests.map((r) => r.status)).toEqual([400]);
    expect((await app.store.pages.events())[0]).toMatchObject({
      status: 'failed',
      lastError: expect.stringContaining('Invalid routing key'),
    });
    const audited = await app.store.audit.list({ type: 'notification_failed' });
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({
      platform: 'google',
      platformCampaignId: G004,
      details: { channel: 'pagerduty', dedupKey: PAUSE_KEY, action: 'trigger', status: 400 },
    });
    expect(String(audited[0]?.details.error)).toContain('invalid event: Event object is invalid (Invalid routing key)');
    // The operator fixes the key and restarts: the incident's latest refused event goes again.
    expect(await app.store.pages.retryFailed()).toBe(1);
    await pager.deliverer.drain();
    expect(fake.alerts).toHaveLength(1);
  });

  it('is refused by the fake as PagerDuty refuses a bad event', async () => {
    const post = (body: unknown) =>
      fetch(fake.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { status: string; errors?: string[]; dedup_key?: string },
      }));
    const missingKey = await post({
      event_action: 'trigger',
      payload: { summary: 's', source: 'h', severity: 'error' },
    });
    expect(missingKey).toMatchObject({
      status: 400,
      body: { status: 'invalid event', errors: ["'routing_key' is missing or blank"] },
    });
    const badAction = await post({ routing_key: KEY, event_action: 'page', dedup_key: 'k' });
    expect(badAction.body.errors?.[0]).toContain("'event_action' is invalid");
    const noPayload = await post({
      routing_key: KEY,
      event_action: 'trigger',
      payload: { summary: 's', severity: 'loud' },
    });
    expect(noPayload.body.errors).toEqual([
      "'payload.source' is missing or blank",
      "'payload.severity' is invalid (must be one of: critical, error, warning, info)",
    ]);
    const ok = await post({
      routing_key: KEY,
      event_action: 'trigger',
      payload: { summary: 's', source: 'h', severity: 'info' },
    });
    expect(ok).toMatchObject({ status: 202, body: { status: 'success', message: 'Event processed' } });
    expect(ok.body.dedup_key).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('startPaging (serve)', () => {
  it('pages after every run by itself, and loses no event across a restart while PagerDuty is down', async () => {
    const first = await open();
    refusePauses(first.app, G004);
    fake.failNext(1_000, 503);
    const paging = await startPaging(first.app, first.config, log);
    if (!paging) throw new Error('paging is off');
    await first.app.agent.run('schedule');
    await fake.waitFor((r) => r.status === 503);
    await paging.stop(200);
    expect(await first.app.store.pages.events()).toMatchObject([{ action: 'trigger', status: 'pending' }]);
    await first.app.close();
    apps.splice(apps.indexOf(first.app), 1);

    // PagerDuty is back; the process starts again on the same database.
    fake.failNext(0);
    const again = await open();
    const restarted = await startPaging(again.app, again.config, log);
    await fake.waitFor((r) => r.status === 202);
    await restarted?.stop(1_000);
    expect(triggers().map((e) => e.dedup_key)).toEqual([PAUSE_KEY]);
    expect(await again.app.store.pages.events()).toMatchObject([{ status: 'sent' }]);
  });
});

describe('the routing key is a secret', () => {
  it('never reaches the database, the audit trail or the logs, even when PagerDuty echoes it back', async () => {
    const { app, config } = await open();
    refusePauses(app, G004);
    fake.refuseNext(1, [`Routing key ${KEY} is not valid`]);
    await run(app, config);
    await app.store.pages.retryFailed();
    await run(app, config);
    expect(fake.requests.every((r) => typeof r.body === 'object' && r.body.routing_key === KEY)).toBe(true);
    expect((await app.store.pages.events()).every((e) => !JSON.stringify(e).includes(KEY))).toBe(true);
    app.store.db.pragma('wal_checkpoint(FULL)');
    for (const file of [join(dir, 'p.db'), join(dir, 'p.db-wal')]) {
      if (existsSync(file)) expect(readFileSync(file).includes(KEY)).toBe(false);
    }
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('')).not.toContain(KEY);
    expect(logs.join('')).toContain('Routing key [redacted] is not valid');
    expect(JSON.stringify(await app.store.audit.list())).toContain('[redacted]');
  });

  it('is redacted before a long refusal is cut, so no half of it is kept', async () => {
    const { app, config } = await open();
    refusePauses(app, G004);
    // PagerDuty's 400 body, echoing the event: the 1,000-character cut falls in the middle of the key.
    const head = 'invalid event: Event object is invalid (';
    const echoed = `${'.'.repeat(1_000 - head.length - 'Routing key '.length - 16)}Routing key ${KEY} is not valid`;
    fake.refuseNext(1, [echoed]);
    await run(app, config);
    const failed = (await app.store.audit.list()).filter((e) => e.type === 'notification_failed');
    expect(failed).toHaveLength(1);
    expect(JSON.stringify(failed)).toContain('Routing key [redacted]');
    const halves = [KEY.slice(0, 16), KEY.slice(16)];
    const everywhere = JSON.stringify([await app.store.audit.list(), await app.store.pages.events()]) + logs.join('');
    for (const half of halves) expect(everywhere).not.toContain(half);
  });

  it('is named, never echoed, when it is malformed; an empty value leaves paging off', () => {
    let err: unknown;
    try {
      loadConfig({ PAGERDUTY_ROUTING_KEY: 'not-a-routing-key-but-a-secret' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('PAGERDUTY_ROUTING_KEY must be the 32-character Integration Key');
    expect((err as Error).message).not.toContain('not-a-routing-key-but-a-secret');
    const off = loadConfig({ PAGERDUTY_ROUTING_KEY: '', PAGERDUTY_EVENTS_URL: '' });
    expect(off.paging).toEqual({ routingKey: null, eventsUrl: 'https://events.pagerduty.com/v2/enqueue' });
    expect(() => loadConfig({ PAGERDUTY_EVENTS_URL: 'events.pagerduty.com' })).toThrow(
      /PAGERDUTY_EVENTS_URL must be a URL/,
    );
  });

  it('does nothing without a routing key', async () => {
    const { app, config } = await open(FIXTURES, { PAGERDUTY_ROUTING_KEY: '' });
    refusePauses(app, G004);
    expect(await run(app, config)).toBeNull();
    expect(await app.store.pages.events()).toEqual([]);
    expect(fake.requests).toEqual([]);
  });
});
