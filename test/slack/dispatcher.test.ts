// The outbox dispatcher against a real SQLite store and the fake Slack Web API: order, pacing, Retry-After,
// backoff, permanent refusals kept and audited, escalation outcomes, two dispatchers on one database, an outage.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Notifier } from '../../src/agent/ports.js';
import type { Escalation, EscalationClosed, ResultRow } from '../../src/domain/records.js';
import { silentLogger } from '../../src/log.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { Pager } from '../../src/ops/pager.js';
import {
  classifyFailure,
  Dispatcher,
  type DispatcherOptions,
  MAX_TRIES,
  type SlackFailure,
} from '../../src/slack/dispatcher.js';
import { SlackNotifier } from '../../src/slack/notifier.js';
import { section } from '../../src/slack/views/blocks.js';
import { Store } from '../../src/store/index.js';
import { startFakePagerDuty } from '../fakes/pagerduty.js';
import { type FakeSlackApi, type RecordedCall, startFakeSlackApi } from '../fakes/slack-api.js';
import { APPROVERS, fastClient, fixtureWorld } from './fixture-app.js';

const A = 'C0CHANNELA1';
const B = 'C0CHANNELB1';
const C = 'C0CHANNELC1';
const APPROVALS = 'C0APPROVE1';
const KNOWN = [A, B, C, APPROVALS];

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function fakeSlack(): Promise<FakeSlackApi> {
  const fake = await startFakeSlackApi({ knownChannels: KNOWN });
  cleanups.push(() => fake.close());
  return fake;
}

async function tempStore(): Promise<{ store: Store; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pacing-outbox-'));
  const file = join(dir, 'p.db');
  const store = await Store.open(file);
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { store, file };
}

const iso = () => new Date().toISOString();

function dispatcher(store: Store, fake: FakeSlackApi | string, opts: DispatcherOptions = {}): Dispatcher {
  const d = new Dispatcher(store, fastClient(typeof fake === 'string' ? fake : fake.url), silentLogger(), iso, opts);
  cleanups.push(() => d.stop());
  return d;
}

/** For tests about something else than Slack's pace: a short one, so they need not wait a second a message. */
const QUICK: DispatcherOptions = { channelPaceMs: 50 };

const enqueue = async (store: Store, channel: string, text: string, runId: string | null = null): Promise<number> =>
  await store.outbox.enqueue(
    { kind: 'alert', method: 'chat.postMessage', channel, runId, payload: { text, blocks: [section(text)] } },
    iso(),
  );

const ok = (c: RecordedCall) => (c.response as { ok?: boolean } | undefined)?.ok === true;
/** Messages Slack accepted, in arrival order. */
const accepted = (fake: FakeSlackApi) =>
  fake
    .callsTo('chat.postMessage')
    .filter(ok)
    .map((c) => ({ channel: String(c.body.channel), text: String(c.body.text), at: c.at }));
const textsIn = (fake: FakeSlackApi, channel: string) =>
  accepted(fake)
    .filter((m) => m.channel === channel)
    .map((m) => m.text);
const attemptsOf = (fake: FakeSlackApi, text: string) =>
  fake.callsTo('chat.postMessage').filter((c) => c.body.text === text);

describe('delivery', () => {
  it('delivers queued items in order within each channel, about one a second per channel', async () => {
    const fake = await fakeSlack();
    const { store } = await tempStore();
    for (const [ch, t] of [
      [A, 'a1'],
      [B, 'b1'],
      [A, 'a2'],
      [A, 'a3'],
      [B, 'b2'],
    ] as const)
      await enqueue(store, ch, t);

    const left = await dispatcher(store, fake).flush(10_000);

    expect(left).toBe(0);
    expect(textsIn(fake, A)).toEqual(['a1', 'a2', 'a3']);
    expect(textsIn(fake, B)).toEqual(['b1', 'b2']);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(5); // nothing sent twice
    const inA = accepted(fake).filter((m) => m.channel === A);
    for (let i = 1; i < inA.length; i++) expect((inA[i]?.at ?? 0) - (inA[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    // Another channel does not wait for A's pace.
    const first = accepted(fake);
    expect((first.find((m) => m.text === 'b1')?.at ?? 0) - (first[0]?.at ?? 0)).toBeLessThan(500);
    for (let id = 1; id <= 5; id++)
      expect(await store.outbox.get(id)).toMatchObject({
        status: 'sent',
        attempts: 1,
        ts: expect.stringMatching(/^\d+\.\d+$/),
      });
  });

  it("keeps the pace it is given: a fake Slack without Slack's limit need not wait a second per message", async () => {
    const fake = await fakeSlack();
    const { store } = await tempStore();
    for (const t of ['a1', 'a2', 'a3', 'a4']) await enqueue(store, A, t);

    expect(await dispatcher(store, fake, { channelPaceMs: 100 }).flush(10_000)).toBe(0);

    const inA = accepted(fake).filter((m) => m.channel === A);
    expect(inA.map((m) => m.text)).toEqual(['a1', 'a2', 'a3', 'a4']);
    const gaps = inA.slice(1).map((m, i) => m.at - (inA[i]?.at ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(90);
    // At Slack's own pace the three gaps would take three seconds.
    expect((inA[3]?.at ?? 0) - (inA[0]?.at ?? 0)).toBeLessThan(900);
  });

  it('waits out a 429 with Retry-After: 1, then delivers once; other channels go on meanwhile', async () => {
    const fake = await fakeSlack();
    const { store } = await tempStore();
    const id = await enqueue(store, A, 'limited');
    await enqueue(store, B, 'other');
    fake.failNext('chat.postMessage', { status: 429, headers: { 'Retry-After': '1' } });

    expect(await dispatcher(store, fake).flush(5_000)).toBe(0);

    const tries = attemptsOf(fake, 'limited');
    expect(tries.map((c) => c.status)).toEqual([429, 200]);
    const waited = (tries[1]?.at ?? 0) - (tries[0]?.at ?? 0);
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(1_600);
    expect(textsIn(fake, A)).toEqual(['limited']);
    expect((attemptsOf(fake, 'other')[0]?.at ?? 0) - (tries[0]?.at ?? 0)).toBeLessThan(500);
    expect(await store.outbox.get(id)).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
  });

  it('retries a 503 with exponential backoff and jitter, then delivers', async () => {
    const fake = await fakeSlack();
    const { store } = await tempStore();
    const id = await enqueue(store, A, 'flaky');
    fake.failNext('chat.postMessage', { status: 503 }, 2);
    // The clock is real time plus an offset the test moves forward; jitter is injected.
    let offset = 0;
    const now = () => Date.now() + offset;
    const randoms = [0, 1];
    const d = dispatcher(store, fake, { now, random: () => randoms.shift() ?? 0.5 });

    const t0 = now();
    await d.drain();
    let item = await store.outbox.get(id);
    expect(item).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/503/) });
    // First retry: backoff 1 s, jitter 0 → half of it.
    expect((item?.nextAttemptAt ?? 0) - t0).toBeGreaterThanOrEqual(500);
    expect((item?.nextAttemptAt ?? 0) - t0).toBeLessThan(600);

    await d.drain(); // not due yet: nothing is sent
    expect(attemptsOf(fake, 'flaky')).toHaveLength(1);

    offset += 1_000;
    const t1 = now();
    await d.drain();
    item = await store.outbox.get(id);
    expect(item).toMatchObject({ status: 'pending', attempts: 2 });
    // Second retry: backoff 2 s, jitter 1 → all of it.
    expect((item?.nextAttemptAt ?? 0) - t1).toBeGreaterThanOrEqual(2_000);
    expect((item?.nextAttemptAt ?? 0) - t1).toBeLessThan(2_100);

    offset += 2_000;
    await d.drain();
    expect(attemptsOf(fake, 'flaky').map((c) => c.status)).toEqual([503, 503, 200]);
    expect(await store.outbox.get(id)).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
    expect(await store.audit.list({ type: 'notification_failed' })).toEqual([]);
  });

  it('a message waiting for its retry holds back later messages to its channel, not to others', async () => {
    const fake = await fakeSlack();
    const { store } = await tempStore();
    await enqueue(store, A, 'a1');
    fake.failNext('chat.postMessage', { status: 503 });
    await dispatcher(store, fake, { random: () => 0 }).drain(); // a1: 503, retry in 0.5 s
    await enqueue(store, A, 'a2');
    await enqueue(store, B, 'b1');

    // A fresh dispatcher (a restart, or the CLI) finds a2 and b1 due, a1 not yet.
    const d = dispatcher(store, fake, QUICK);
    await d.drain();
    expect(accepted(fake).map((m) => m.text)).toEqual(['b1']);

    expect(await d.flush(5_000)).toBe(0);
    expect(textsIn(fake, A)).toEqual(['a1', 'a2']);
  });

  it('keeps a permanently refused item as failed, audits it, and delivers the rest', async () => {
    const fake = await fakeSlack();
    const { store } = await tempStore();
    const bad = await enqueue(store, A, 'refused', 'run-x');
    await enqueue(store, A, 'next in A');
    await enqueue(store, B, 'in B');
    fake.failNext('chat.postMessage', { ok: false, error: 'channel_not_found' });

    expect(await dispatcher(store, fake, QUICK).flush(5_000)).toBe(0);

    expect(await store.outbox.get(bad)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'channel_not_found',
      payload: { text: 'refused' },
    });
    expect(attemptsOf(fake, 'refused')).toHaveLength(1); // not retried
    expect(textsIn(fake, A)).toEqual(['next in A']);
    expect(textsIn(fake, B)).toEqual(['in B']);
    const events = await store.audit.list({ type: 'notification_failed' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: 'agent',
      runId: 'run-x',
      details: { outboxId: bad, kind: 'alert', channel: A, error: 'channel_not_found' },
    });

    // Once the operator fixed the channel, the failed item can be put back and goes out.
    expect(await store.outbox.retryFailed()).toBe(1);
    expect(await dispatcher(store, fake).flush(5_000)).toBe(0);
    expect(textsIn(fake, A)).toEqual(['next in A', 'refused']);
  });
});

// --- refusals: transient errors are retried, anything else ends after at most 3 tries ------------------------

const platformError = (error: string) =>
  Object.assign(new Error(`An API error occurred: ${error}`), {
    code: 'slack_webapi_platform_error',
    data: { ok: false, error },
  });

describe('what a failed call means', () => {
  const cases: [string, unknown, number, SlackFailure][] = [
    [
      'ratelimited (429)',
      Object.assign(new Error('429'), { code: 'slack_webapi_rate_limited_error', retryAfter: 3 }),
      1,
      { kind: 'rate_limited', retryAfterMs: 3_000 },
    ],
    ['ratelimited (body)', platformError('ratelimited'), 1, { kind: 'rate_limited', retryAfterMs: 1_000 }],
    ...['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout'].map(
      (e): [string, unknown, number, SlackFailure] => [e, platformError(e), 9, { kind: 'transient', error: e }],
    ),
    [
      'a network error',
      Object.assign(new Error('ECONNRESET'), { code: 'slack_webapi_request_error' }),
      9,
      { kind: 'transient', error: 'ECONNRESET' },
    ],
    [
      'HTTP 503',
      Object.assign(new Error('HTTP 503'), { code: 'slack_webapi_http_error', statusCode: 503 }),
      9,
      { kind: 'transient', error: 'HTTP 503' },
    ],
    [
      'HTTP 404 from a proxy, first try',
      Object.assign(new Error('HTTP 404'), { code: 'slack_webapi_http_error', statusCode: 404 }),
      1,
      { kind: 'refused', error: 'HTTP 404', final: false },
    ],
    [
      'channel_not_found',
      platformError('channel_not_found'),
      1,
      { kind: 'refused', error: 'channel_not_found', final: true },
    ],
    [
      'msg_blocks_too_long, try 1',
      platformError('msg_blocks_too_long'),
      1,
      { kind: 'refused', error: 'msg_blocks_too_long', final: false },
    ],
    [
      'msg_blocks_too_long, try 2',
      platformError('msg_blocks_too_long'),
      2,
      { kind: 'refused', error: 'msg_blocks_too_long', final: false },
    ],
    [
      'msg_blocks_too_long, try 3',
      platformError('msg_blocks_too_long'),
      MAX_TRIES,
      { kind: 'refused', error: 'msg_blocks_too_long', final: true },
    ],
    [
      'an unknown error, try 3',
      platformError('something_new'),
      3,
      { kind: 'refused', error: 'something_new', final: true },
    ],
  ];
  it.each(cases)('%s', (_what, err, tries, expected) => {
    expect(classifyFailure(err, tries)).toEqual(expected);
  });
});

describe('a message Slack refuses', () => {
  it('is tried at most 3 times, kept as refused with Slack’s error, audited, counted, and the messages behind go out', async () => {
    const fake = await fakeSlack();
    const { store } = await tempStore();
    const bad = await store.outbox.enqueue(
      {
        kind: 'halt_alert',
        method: 'chat.postMessage',
        channel: A,
        runId: 'run-x',
        subject: { campaignId: 'ACM-G-004', platform: 'google', platformCampaignId: '20512340004', details: {} },
        payload: { text: 'too long', blocks: [section('too long')] },
      },
      iso(),
    );
    await enqueue(store, A, 'behind 1');
    await enqueue(store, A, 'behind 2');
    // The messages behind wait while it is retried, so these refusals all go to it; a 4th try would succeed.
    fake.failNext('chat.postMessage', { ok: false, error: 'msg_blocks_too_long' }, MAX_TRIES);
    const refused: number[] = [];

    const left = await dispatcher(store, fake, {
      ...QUICK,
      random: () => 0,
      onRefused: (item) => refused.push(item.id),
    }).flush(8_000);

    expect(left).toBe(0);
    expect(attemptsOf(fake, 'too long')).toHaveLength(MAX_TRIES);
    expect(textsIn(fake, A)).toEqual(['behind 1', 'behind 2']);
    expect(await store.outbox.get(bad)).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastError: 'msg_blocks_too_long',
    });
    expect(refused).toEqual([bad]);
    expect(await store.audit.list({ type: 'notification_failed' })).toEqual([
      expect.objectContaining({
        runId: 'run-x',
        campaignId: 'ACM-G-004',
        platformCampaignId: '20512340004',
        details: expect.objectContaining({ outboxId: bad, kind: 'halt_alert', error: 'msg_blocks_too_long', tries: 3 }),
      }),
    ]);
    const metrics = createMetrics(store, iso, silentLogger());
    cleanups.push(() => metrics.stop());
    expect(await metrics.text()).toMatch(/^pacing_outbox_refused_messages\{kind="halt_alert"\} 1$/m);

    // A refused halt pages: nobody in the channel was told the campaign was paused.
    const pd = await startFakePagerDuty();
    cleanups.push(() => pd.close());
    const pager = new Pager(
      store,
      { routingKey: 'e93facc04764012d7bfb002500d5d1a6', eventsUrl: pd.url },
      silentLogger(),
      iso,
    );
    const plan = await pager.evaluate();
    await pager.deliverer.flush(3_000);
    expect(plan.trigger.map((t) => t.kind)).toEqual(['message_refused']);
    const paged = pd.accepted().filter((e) => e.event_action === 'trigger');
    expect(paged).toHaveLength(1);
    expect(JSON.stringify(paged[0])).toContain('msg_blocks_too_long');
  });

  it('a transient error is retried with backoff beyond 3 tries, and then delivered', async () => {
    const fake = await fakeSlack();
    const { store } = await tempStore();
    const id = await enqueue(store, A, 'busy');
    fake.failNext('chat.postMessage', { ok: false, error: 'internal_error' }, 4);
    let offset = 0;
    const d = dispatcher(store, fake, { now: () => Date.now() + offset, random: () => 0 });
    for (let i = 0; i < 5; i++) {
      await d.drain();
      offset += 20_000;
    }
    expect(attemptsOf(fake, 'busy').map((c) => (c.response as { ok: boolean }).ok)).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(await store.outbox.get(id)).toMatchObject({ status: 'sent', attempts: 5 });
    expect(await store.audit.list({ type: 'notification_failed' })).toEqual([]);
  });
});

// --- escalations: the announcement and its outcome -----------------------------------------------------------

/** The Slack notifier, limited to one campaign's escalation so that a test waits for one message, not six. */
class OnlyFor implements Notifier {
  constructor(
    private readonly inner: Notifier,
    private readonly campaignId: string,
  ) {}
  async alert(_row: ResultRow): Promise<void> {}
  async runAlerts(_runId: string, _rows: readonly ResultRow[]): Promise<void> {}
  async escalationOpened(e: Escalation): Promise<void> {
    if (e.campaignId === this.campaignId) await this.inner.escalationOpened(e);
  }
  async escalationClosed(c: EscalationClosed): Promise<void> {
    if (c.escalation.campaignId === this.campaignId) await this.inner.escalationClosed(c);
  }
}

async function escalationWorld() {
  const world = fixtureWorld();
  cleanups.push(() => world.cleanup());
  const fake = await fakeSlack();
  const app = await world.open(
    (store) =>
      new OnlyFor(
        new SlackNotifier(store, { alert: null, approval: APPROVALS }, () => new Date().toISOString()),
        'ACM-M-005',
      ),
  );
  await app.agent.run('test');
  const e = (await app.agent.pending()).find((x) => x.campaignId === 'ACM-M-005') as Escalation;
  expect(e.proposedAction).toBe('halt');
  const items = () =>
    app.store.db.prepare('SELECT id, kind, method, status FROM outbox ORDER BY id').all() as {
      id: number;
      kind: string;
      method: string;
      status: string;
    }[];
  expect(items()).toEqual([{ id: 1, kind: 'escalation', method: 'chat.postMessage', status: 'pending' }]);
  return { app, fake, e, items, approver: APPROVERS[0] as string };
}

const hasButtons = (blocks: unknown) => JSON.stringify(blocks).includes('"type":"actions"');

describe('escalation messages', () => {
  it('replaces a posted escalation in place: chat.update on its stored channel and ts', async () => {
    const { app, fake, e, approver } = await escalationWorld();
    expect(await dispatcher(app.store, fake).flush(5_000)).toBe(0);
    const posted = fake.callsTo('chat.postMessage').filter(ok);
    expect(posted).toHaveLength(1);
    const ts = (posted[0]?.response as { ts: string } | undefined)?.ts as string;
    expect(await app.store.escalations.message(e.id)).toEqual({ channel: APPROVALS, ts });
    expect(hasButtons(posted[0]?.body.blocks)).toBe(true);

    await app.agent.decide(e.id, 'overridden', approver, 'planned', 'slack');
    expect(await dispatcher(app.store, fake).flush(5_000)).toBe(0);

    const updates = fake.callsTo('chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.body).toMatchObject({ channel: APPROVALS, ts });
    expect(ok(updates[0] as RecordedCall)).toBe(true);
    const message = fake.messages.get(`${APPROVALS}/${ts}`);
    expect(message?.updates).toBe(1);
    expect(hasButtons(message?.blocks)).toBe(false);
    expect(JSON.stringify(message?.blocks)).toContain(`*<@${approver}> rejected*`);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1); // no second message
  });

  it('posts the outcome as a new message when the announcement was refused for good', async () => {
    const { app, fake, e, items, approver } = await escalationWorld();
    fake.failNext('chat.postMessage', { ok: false, error: 'channel_not_found' });
    await dispatcher(app.store, fake).flush(3_000);
    expect(items()[0]).toMatchObject({ kind: 'escalation', status: 'failed' });
    expect(await app.store.escalations.message(e.id)).toBeNull();

    await app.agent.decide(e.id, 'approved', approver, null, 'slack');
    expect(await dispatcher(app.store, fake).flush(5_000)).toBe(0);

    expect(fake.callsTo('chat.update')).toHaveLength(0);
    const posted = fake.callsTo('chat.postMessage').filter(ok);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.body.channel).toBe(APPROVALS);
    expect(hasButtons(posted[0]?.body.blocks)).toBe(false);
    expect(JSON.stringify(posted[0]?.body.blocks)).toContain(`*<@${approver}> approved*`);
    expect(items().map((i) => [i.kind, i.method, i.status])).toEqual([
      ['escalation', 'chat.postMessage', 'failed'],
      ['escalation_closed', 'chat.update', 'sent'],
    ]);
  });

  it('posts only the outcome when the decision comes while the announcement is still waiting to be retried', async () => {
    const { app, fake, e, items, approver } = await escalationWorld();
    fake.failNext('chat.postMessage', { status: 503 }, 2);
    let offset = 0;
    const d = dispatcher(app.store, fake, { now: () => Date.now() + offset, random: () => 1 });
    await d.drain(); // 503: retry in 1 s
    offset += 1_000;
    await d.drain(); // 503 again: retry in 2 s
    expect(items()[0]).toMatchObject({ status: 'pending' });

    await app.agent.decide(e.id, 'approved', approver, null, 'slack');
    offset += 1_000; // the outcome is due (and its channel free); the announcement is not
    await d.drain();

    expect(items().map((i) => [i.kind, i.status])).toEqual([
      ['escalation', 'superseded'],
      ['escalation_closed', 'sent'],
    ]);
    offset += 10_000;
    await d.drain();
    const posted = fake.callsTo('chat.postMessage').filter(ok);
    expect(posted).toHaveLength(1); // the stale Approve/Reject message never appears
    expect(hasButtons(posted[0]?.body.blocks)).toBe(false);
    expect(JSON.stringify(posted[0]?.body.blocks)).toContain('approved*');
  });

  it('posts the outcome anew when the original message is gone (message_not_found)', async () => {
    const { app, fake, e, approver } = await escalationWorld();
    expect(await dispatcher(app.store, fake, QUICK).flush(5_000)).toBe(0);
    await app.store.escalations.setMessage(e.id, APPROVALS, '1111111111.000100'); // a ts Slack does not know
    await app.agent.decide(e.id, 'approved', approver, null, 'slack');
    expect(await dispatcher(app.store, fake, QUICK).flush(5_000)).toBe(0);
    expect(fake.callsTo('chat.update').map((c) => (c.response as { error?: string }).error)).toEqual([
      'message_not_found',
    ]);
    const posted = fake.callsTo('chat.postMessage').filter(ok);
    expect(posted).toHaveLength(2);
    expect(JSON.stringify(posted[1]?.body.blocks)).toContain('approved*');
    expect(await app.store.audit.list({ type: 'notification_failed' })).toEqual([]);
  });
});

// --- more than one dispatcher, and Slack away ----------------------------------------------------------------

describe('robustness', () => {
  it('two dispatchers on the same database never send the same item twice', async () => {
    const fake1 = await fakeSlack();
    const fake2 = await fakeSlack();
    const { store, file } = await tempStore();
    const other = await Store.open(file); // a second process on the same SQLite file
    cleanups.push(() => other.close());
    const texts: string[] = [];
    for (let i = 0; i < 4; i++) {
      for (const ch of [A, B, C]) {
        const t = `${ch}-${i}`;
        texts.push(t);
        await enqueue(store, ch, t);
      }
    }
    const d1 = dispatcher(store, fake1, QUICK);
    const d2 = dispatcher(other, fake2, QUICK);

    // (Each flush may return early, counting an item the other is delivering at that moment as still pending.)
    await Promise.all([d1.flush(8_000), d2.flush(8_000)]);

    expect(await store.outbox.pendingCount()).toBe(0);
    const sent = [...accepted(fake1), ...accepted(fake2)].map((m) => m.text);
    expect(sent.sort()).toEqual([...texts].sort());
    expect(fake1.calls.length + fake2.calls.length).toBe(texts.length);
    // Both took part: the claim, not luck, kept them apart.
    expect(accepted(fake1).length).toBeGreaterThan(0);
    expect(accepted(fake2).length).toBeGreaterThan(0);
  });

  it('an item claimed by another process is left alone until its lease runs out', async () => {
    const fake = await fakeSlack();
    const { store } = await tempStore();
    const id = await enqueue(store, A, 'claimed elsewhere');
    expect(await store.outbox.claim(id, Date.now(), 60_000)).toBe(true); // that process then died
    await dispatcher(store, fake).drain();
    expect(fake.calls).toHaveLength(0);
    await dispatcher(store, fake, { now: () => Date.now() + 61_000 }).drain();
    expect(textsIn(fake, A)).toEqual(['claimed elsewhere']);
  });

  it('loses nothing while Slack is unreachable, and delivers everything once it is back', async () => {
    const down = await startFakeSlackApi({ knownChannels: KNOWN });
    const url = down.url;
    await down.close();
    const { store } = await tempStore();
    const texts = ['a1', 'b1', 'a2'];
    for (const t of texts) await enqueue(store, t.startsWith('a') ? A : B, t);

    expect(await dispatcher(store, url, { random: () => 0 }).flush(1_000)).toBe(texts.length);
    const held = store.db.prepare('SELECT status, attempts, last_error FROM outbox ORDER BY id').all() as {
      status: string;
      attempts: number;
      last_error: string | null;
    }[];
    expect(held.every((r) => r.status === 'pending')).toBe(true);
    expect(held.some((r) => r.attempts > 0)).toBe(true);
    expect(held.filter((r) => r.attempts > 0).every((r) => r.last_error !== null)).toBe(true);
    expect(await store.audit.list({ type: 'notification_failed' })).toEqual([]);

    const back = await fakeSlack();
    expect(await dispatcher(store, back, { ...QUICK, random: () => 0 }).flush(10_000)).toBe(0);
    expect(
      accepted(back)
        .map((m) => m.text)
        .sort(),
    ).toEqual([...texts].sort());
    expect(back.calls).toHaveLength(texts.length);
    expect(textsIn(back, A)).toEqual(['a1', 'a2']);
    expect(textsIn(back, B)).toEqual(['b1']);
  });
});
