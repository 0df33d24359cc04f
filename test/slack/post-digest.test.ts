// The digest going out through the durable outbox and the dispatcher to the fake Slack Web API: the message,
// then its chart uploaded with Slack's external upload flow (getUploadURLExternal → POST the bytes →
// completeUploadExternal) and shared in the digest channel right after it. A chart that cannot be drawn or
// uploaded never holds the digest back.
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/log.js';
import { Dispatcher } from '../../src/slack/dispatcher.js';
import { type DigestSettings, postDigest } from '../../src/slack/post-digest.js';
import type { App } from '../../src/wiring.js';
import { RecordingNotifier } from '../fakes/platform.js';
import { type FakeSlackApi, type RecordedCall, startFakeSlackApi } from '../fakes/slack-api.js';
import { type FixtureWorld, fastClient, fixtureWorld, later } from './fixture-app.js';

const CHANNEL = 'C0DIGEST01';
const SETTINGS: DigestSettings = { channel: CHANNEL, healthyVariance: 10, timeZone: 'UTC' };
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let world: FixtureWorld;
let fake: FakeSlackApi;
let app: App;
let dispatcher: Dispatcher;

beforeEach(async () => {
  world = fixtureWorld();
  fake = await startFakeSlackApi({ knownChannels: [CHANNEL] });
  app = await world.open(new RecordingNotifier());
  await app.agent.run('test');
  dispatcher = new Dispatcher(app.store, fastClient(fake.url), silentLogger(), app.config.clock, {
    random: () => 0,
    // The order of the digest and its chart is what counts here, not Slack's second between them.
    channelPaceMs: 50,
  });
});

afterEach(async () => {
  await dispatcher.stop();
  await fake.close();
  await world.cleanup();
});

/** The ts Slack answered a call with. */
const tsOf = (c: RecordedCall | undefined) => String((c?.response as { ts?: string } | undefined)?.ts);
const ok = (c: { response: unknown }) => (c.response as { ok?: boolean } | undefined)?.ok === true;
const digestPosts = () => fake.callsTo('chat.postMessage').filter((c) => c.body.channel === CHANNEL && ok(c));

describe('postDigest through the outbox', () => {
  it('posts the digest, then uploads the chart PNG and shares it in the digest channel', async () => {
    const { digest, outboxIds } = await postDigest(app.store, SETTINGS, later(1), silentLogger());
    expect(outboxIds).toHaveLength(2);
    const [messageItem, chartItem] = await Promise.all(outboxIds.map((id) => app.store.outbox.get(id)));
    expect(chartItem).toMatchObject({ kind: 'digest_chart', method: 'files.uploadV2', channel: CHANNEL });
    expect(await app.store.digests.lastAt(CHANNEL)).toBe(later(1));

    expect(await dispatcher.flush(15_000)).toBe(0);

    // The digest message went first…
    const posts = digestPosts();
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]?.body.blocks)).toContain('*Money at stake*');
    expect(posts[0]?.body.text).toMatch(/^Pacing digest: 12,360\.00 EUR \+ 4,836\.00 USD \+ 3,290\.00 GBP at stake/);
    // …then the three steps of the upload, in order.
    const methods = fake.calls.map((c) => c.method);
    expect(methods.indexOf('chat.postMessage')).toBeLessThan(methods.indexOf('files.getUploadURLExternal'));
    expect(methods.indexOf('files.getUploadURLExternal')).toBeLessThan(methods.indexOf('files.completeUploadExternal'));
    expect(fake.uploads).toEqual([expect.objectContaining({ status: 200 })]);
    // The alt text goes as Slack reads it (alt_txt), not as @slack/web-api's filesUploadV2 sends it.
    const asked = fake.callsTo('files.getUploadURLExternal')[0]?.body;
    expect(asked?.alt_txt).toMatch(/^Bar chart of actual spend/);
    expect(asked).not.toHaveProperty('alt_text');
    // Sent only once Slack showed it shared in the channel.
    expect(methods.lastIndexOf('files.info')).toBeGreaterThan(methods.indexOf('files.completeUploadExternal'));

    // The fake holds the PNG, byte for byte what the outbox kept, shared to the digest channel after the message.
    expect(fake.files).toHaveLength(1);
    const file = fake.files[0];
    if (!file) throw new Error('no file');
    expect(file.bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(file.bytes.equals(Buffer.from(String(chartItem?.payload.file), 'base64'))).toBe(true);
    expect(file.bytes.length).toBeGreaterThan(20_000);
    expect(file).toMatchObject({
      channel: CHANNEL,
      filename: 'pacing-2026-11-20.png',
      title: 'Spend against plan to date (run of 2026-11-20)',
      threadTs: undefined,
    });
    expect(file.altText).toMatch(/^Bar chart of actual spend as a percentage of the plan to date for 15 campaigns/);
    expect(Number(file.ts)).toBeGreaterThan(Number(tsOf(posts[0])));
    expect(fake.messages.get(`${CHANNEL}/${file.ts}`)?.files).toEqual([file.id]);

    expect((await app.store.outbox.get(messageItem?.id ?? 0))?.status).toBe('sent');
    expect(await app.store.outbox.get(chartItem?.id ?? 0)).toMatchObject({ status: 'sent', ts: file.ts });
    expect(digest.latestRunId).not.toBeNull();
  });

  it('on demo data the digest says so in its context line and its notification text', async () => {
    const note = ':test_tube: *Demo data* (fixture files): no real ad account was read or changed';
    await postDigest(app.store, { ...SETTINGS, note }, later(1), silentLogger(), async () => null);
    expect(await dispatcher.flush(10_000)).toBe(0);
    const [post] = digestPosts();
    const blocks = post?.body.blocks as { type: string; elements?: { text: string }[] }[];
    expect(
      blocks
        .filter((b) => b.type === 'context')
        .flatMap((b) => b.elements ?? [])
        .map((e) => e.text),
    ).toContain(note);
    expect(String(post?.body.text)).toContain('(Demo data (fixture files): no real ad account was read or changed)');
  });

  it('a chart that fails to render is logged and left out: the digest goes alone', async () => {
    const out = new PassThrough();
    const logged: string[] = [];
    out.on('data', (c: Buffer) => logged.push(c.toString()));
    const { outboxIds } = await postDigest(app.store, SETTINGS, later(1), createLogger('warn', out), async () => {
      throw new Error('no fonts today');
    });
    expect(outboxIds).toHaveLength(1);
    expect(await dispatcher.flush(10_000)).toBe(0);
    expect(digestPosts()).toHaveLength(1);
    expect(fake.callsTo('files.getUploadURLExternal')).toHaveLength(0);
    expect(logged.join('')).toContain('could not render the digest chart');
    expect(logged.join('')).toContain('no fonts today');
  });

  it('retries an upload that failed on the way (HTTP 503 at completion) with a fresh upload URL', async () => {
    fake.failNext('files.completeUploadExternal', { status: 503 });
    await postDigest(app.store, SETTINGS, later(1), silentLogger());
    expect(await dispatcher.flush(15_000)).toBe(0);
    expect(fake.callsTo('files.getUploadURLExternal')).toHaveLength(2);
    expect(fake.callsTo('files.completeUploadExternal').map((c) => c.status)).toEqual([503, 200]);
    expect(fake.files).toHaveLength(1);
    expect(fake.files[0]?.channel).toBe(CHANNEL);
    expect(digestPosts()).toHaveLength(1); // the digest itself was not posted again
  });

  it('keeps a chart Slack refuses for good (files:write missing) as failed, audited; the digest is posted', async () => {
    fake.failNext('files.getUploadURLExternal', { ok: false, error: 'missing_scope', needed: 'files:write' });
    const { outboxIds } = await postDigest(app.store, SETTINGS, later(1), silentLogger());
    expect(await dispatcher.flush(10_000)).toBe(0);
    expect(digestPosts()).toHaveLength(1);
    expect(fake.files).toHaveLength(0);
    const chart = await app.store.outbox.get(outboxIds[1] ?? 0);
    expect(chart).toMatchObject({ status: 'failed', lastError: 'missing_scope' });
    const failed = (await app.store.audit.list({})).filter((e) => e.type === 'notification_failed');
    expect(failed.map((e) => e.details)).toEqual([
      expect.objectContaining({ kind: 'digest_chart', error: 'missing_scope' }),
    ]);
  });

  it('a chart waits behind a digest message that waits for its retry, so it never comes first', async () => {
    // Three failures: the digest waits 0.5, 1 and 2 s before its retries, longer than a channel's 1 s pacing.
    fake.failNext('chat.postMessage', { status: 503 }, 3);
    await postDigest(app.store, SETTINGS, later(1), silentLogger());
    expect(await dispatcher.flush(15_000)).toBe(0);
    const posted = digestPosts();
    expect(posted).toHaveLength(1);
    const upload = fake.callsTo('files.getUploadURLExternal')[0];
    expect(upload?.at).toBeGreaterThanOrEqual(posted[0]?.at ?? Number.POSITIVE_INFINITY);
    expect(Number(fake.files[0]?.ts)).toBeGreaterThan(Number(tsOf(posted[0])));
  });

  it('waits for Slack to share the chart before counting it sent, without uploading it again', async () => {
    await fake.close();
    fake = await startFakeSlackApi({ knownChannels: [CHANNEL], shareDelayMs: 1_500 });
    dispatcher = new Dispatcher(app.store, fastClient(fake.url), silentLogger(), app.config.clock, {
      random: () => 0,
      // The order of the digest and its chart is what counts here, not Slack's second between them.
      channelPaceMs: 50,
    });
    const { outboxIds } = await postDigest(app.store, SETTINGS, later(1), silentLogger());
    const chart = () => app.store.outbox.get(outboxIds[1] ?? 0);
    await dispatcher.drain();
    await dispatcher.drain();
    expect(fake.files).toHaveLength(1);
    expect(await chart()).toMatchObject({
      status: 'pending',
      attempts: 0,
      lastError: 'waiting for Slack to share the file',
    });
    expect(await dispatcher.flush(15_000)).toBe(0);
    expect(await chart()).toMatchObject({ status: 'sent', ts: fake.files[0]?.ts });
    expect(fake.callsTo('files.getUploadURLExternal')).toHaveLength(1);
    expect(fake.callsTo('files.info').length).toBeGreaterThan(1);
  });

  it('a chart Slack never shares is refused and audited, not counted as sent', async () => {
    await fake.close();
    fake = await startFakeSlackApi({ knownChannels: [CHANNEL], shareDelayMs: 3_600_000 });
    let offset = 0;
    dispatcher = new Dispatcher(app.store, fastClient(fake.url), silentLogger(), app.config.clock, {
      random: () => 0,
      now: () => Date.now() + offset,
    });
    const { outboxIds } = await postDigest(app.store, SETTINGS, later(1), silentLogger());
    for (let i = 0; i < 10; i++) {
      await dispatcher.drain();
      offset += 10_000;
    }
    expect(await app.store.outbox.get(outboxIds[1] ?? 0)).toMatchObject({
      status: 'failed',
      lastError: expect.stringMatching(/^Slack did not share file F\w+ in C0DIGEST01$/),
    });
    expect(fake.callsTo('files.getUploadURLExternal')).toHaveLength(1);
    const failed = (await app.store.audit.list({})).filter((e) => e.type === 'notification_failed');
    expect(failed.map((e) => e.details)).toEqual([expect.objectContaining({ kind: 'digest_chart' })]);
  });
});
