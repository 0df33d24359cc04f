// Self-test of the Slack fakes: the Web API fake driven by the real @slack/web-api WebClient, and the signed-request
// builders driven against a real Bolt App on its HTTP receiver.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { ErrorCode, WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_SLACK, type FakeSlackApi, startFakeSlackApi } from './slack-api.js';
import {
  blockAction,
  eventCallback,
  slackSignature,
  slashCommand,
  urlVerification,
  viewSubmission,
} from './slack-requests.js';

const button = (text: string, extra: Record<string, unknown> = {}) => ({
  type: 'actions',
  block_id: 'decide',
  elements: [{ type: 'button', action_id: 'approve', text: { type: 'plain_text', text }, value: 'esc-1', ...extra }],
});

// WebClient logs every `[ERROR]` line of response_metadata.messages even when the caller handles the error.
const silent = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => LogLevel.ERROR,
  setName() {},
};

function client(
  fake: FakeSlackApi,
  extra: ConstructorParameters<typeof WebClient>[1] = {},
  token: string = FAKE_SLACK.token,
) {
  return new WebClient(token, { slackApiUrl: fake.url, retryConfig: { retries: 0 }, logger: silent, ...extra });
}

/** WebClient errors carry `code` and, for platform errors, `data`. */
async function failure(
  p: Promise<unknown>,
): Promise<{ code?: string; data?: Record<string, unknown>; [k: string]: unknown }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; data?: Record<string, unknown> };
  }
  throw new Error('expected the call to fail');
}

describe('fake Slack Web API', () => {
  let fake: FakeSlackApi;
  beforeEach(async () => {
    fake = await startFakeSlackApi();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('records a form-encoded chat.postMessage with blocks JSON-decoded and answers increasing ts', async () => {
    const web = client(fake);
    const first = await web.chat.postMessage({ channel: 'C123', text: 'hello', blocks: [button('Approve')] });
    const second = await web.chat.postMessage({ channel: 'C123', text: 'again' });
    expect(first.ok).toBe(true);
    expect(first.channel).toBe('C123');
    expect(first.ts).toBe('1732100000.000100');
    expect(second.ts).toBe('1732100000.000200');

    const call = await fake.waitFor('chat.postMessage');
    expect(call.contentType).toBe('application/x-www-form-urlencoded');
    expect(call.token).toBe(FAKE_SLACK.token);
    expect(call.body.channel).toBe('C123');
    expect(call.body.blocks).toEqual([button('Approve')]);
    expect(fake.messages.get(`C123/${first.ts}`)?.text).toBe('hello');
  });

  it('accepts application/json with a bearer token, and refuses a token inside a JSON body', async () => {
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(`${fake.url}chat.postMessage`, { method: 'POST', headers, body: JSON.stringify(body) }).then((r) =>
        r.json(),
      );
    const json = { 'Content-Type': 'application/json; charset=utf-8' };
    expect(
      await post({ ...json, Authorization: `Bearer ${FAKE_SLACK.token}` }, { channel: 'C1', blocks: [button('Go')] }),
    ).toMatchObject({ ok: true });
    expect(await post(json, { channel: 'C1', text: 'x', token: FAKE_SLACK.token })).toEqual({
      ok: false,
      error: 'not_authed',
    });
    expect(fake.calls[0]?.body.blocks).toEqual([button('Go')]);
  });

  it('answers invalid_blocks for a 76-character button text, and accepts 75', async () => {
    const web = client(fake);
    await expect(
      web.chat.postMessage({ channel: 'C1', text: 't', blocks: [button('x'.repeat(75))] }),
    ).resolves.toMatchObject({ ok: true });
    const err = await failure(web.chat.postMessage({ channel: 'C1', text: 't', blocks: [button('x'.repeat(76))] }));
    expect(err.code).toBe(ErrorCode.PlatformError);
    expect(err.data?.error).toBe('invalid_blocks');
    expect(err.data?.errors).toEqual(['must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]']);
  });

  it.each([
    ['51 blocks', { blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }, 'invalid_blocks'],
    [
      'section text of 3001',
      { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'a'.repeat(3001) } }] },
      'invalid_blocks',
    ],
    ['mrkdwn header', { blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }] }, 'invalid_blocks'],
    [
      'header of 151',
      { blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] },
      'invalid_blocks',
    ],
    [
      '11 fields',
      { blocks: [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }] },
      'invalid_blocks',
    ],
    ['button value of 2001', { blocks: [button('ok', { value: 'v'.repeat(2001) })] }, 'invalid_blocks'],
    ['action_id of 256', { blocks: [button('ok', { action_id: 'a'.repeat(256) })] }, 'invalid_blocks'],
    [
      '26 actions',
      {
        blocks: [
          {
            type: 'actions',
            elements: Array.from({ length: 26 }, (_, i) => ({
              type: 'button',
              action_id: `a${i}`,
              text: { type: 'plain_text', text: 'b' },
            })),
          },
        ],
      },
      'invalid_blocks',
    ],
    [
      '11 context elements',
      { blocks: [{ type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) }] },
      'invalid_blocks',
    ],
    [
      'confirm title of 101',
      {
        blocks: [
          button('ok', {
            confirm: {
              title: { type: 'plain_text', text: 't'.repeat(101) },
              text: { type: 'plain_text', text: 'sure?' },
              confirm: { type: 'plain_text', text: 'Yes' },
              deny: { type: 'plain_text', text: 'No' },
            },
          }),
        ],
      },
      'invalid_blocks',
    ],
    ['text of 40001', { text: 't'.repeat(40_001) }, 'msg_too_long'],
    ['neither text nor blocks', { text: '' }, 'no_text'],
  ])('refuses %s', async (_name, args, error) => {
    const err = await failure(client(fake).chat.postMessage({ channel: 'C1', text: 'fallback', ...args } as never));
    expect(err.data?.error).toBe(error);
  });

  it('answers channel_not_found for an empty channel', async () => {
    const err = await failure(client(fake).chat.postMessage({ channel: '', text: 'x' }));
    expect(err.data?.error).toBe('channel_not_found');
  });

  it('surfaces a 429 with Retry-After as a rate-limited error when rejectRateLimitedCalls is set', async () => {
    fake.failNext('chat.postMessage', { status: 429, headers: { 'Retry-After': '1' } });
    const err = await failure(
      client(fake, { rejectRateLimitedCalls: true }).chat.postMessage({ channel: 'C1', text: 'x' }),
    );
    expect(err.code).toBe(ErrorCode.RateLimitedError);
    expect(err.retryAfter).toBe(1);
    // The failure was one-shot: the next call goes through.
    await expect(client(fake).chat.postMessage({ channel: 'C1', text: 'x' })).resolves.toMatchObject({ ok: true });
    expect(fake.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
  });

  it('without rejectRateLimitedCalls and no retries left, a 429 waits Retry-After and ends as a request error', async () => {
    fake.failNext('chat.postMessage', { status: 429, headers: { 'Retry-After': '0' } });
    const err = await failure(client(fake).chat.postMessage({ channel: 'C1', text: 'x' }));
    expect(err.code).toBe(ErrorCode.RequestError);
    expect(String((err.original as Error | undefined)?.message)).toContain('A rate limit was exceeded');
  });

  it('surfaces an HTTP 503 as an HTTP error, and a Slack error body as a platform error', async () => {
    fake.failNext('chat.update', { status: 503 });
    fake.failNext('chat.postMessage', { ok: false, error: 'ratelimited' });
    const web = client(fake);
    const http = await failure(web.chat.update({ channel: 'C1', ts: '1.1', text: 'x' }));
    expect(http.code).toBe(ErrorCode.HTTPError);
    expect(http.statusCode).toBe(503);
    const platform = await failure(web.chat.postMessage({ channel: 'C1', text: 'x' }));
    expect(platform.data?.error).toBe('ratelimited');
  });

  it('answers invalid_auth for a wrong token and ok with team, user and bot ids for the right one', async () => {
    const bad = await failure(client(fake, {}, 'xoxb-wrong').auth.test());
    expect(bad.data?.error).toBe('invalid_auth');
    await expect(client(fake).auth.test()).resolves.toMatchObject({
      ok: true,
      team_id: FAKE_SLACK.teamId,
      user_id: FAKE_SLACK.botUserId,
      bot_id: FAKE_SLACK.botId,
    });
  });

  it('updates, permalinks and ephemerals; unknown methods answer unknown_method', async () => {
    const web = client(fake);
    const { ts } = await web.chat.postMessage({ channel: 'C9', text: 'v1' });
    await web.chat.update({ channel: 'C9', ts: ts as string, text: 'v2' });
    expect(fake.messages.get(`C9/${ts}`)).toMatchObject({ text: 'v2', updates: 1 });
    expect((await failure(web.chat.update({ channel: 'C9', ts: '1.000001', text: 'x' }))).data?.error).toBe(
      'message_not_found',
    );
    const link = await web.chat.getPermalink({ channel: 'C9', message_ts: ts as string });
    expect(link.permalink).toMatch(/\/archives\/C9\/p1732100000000100$/);
    await expect(web.chat.postEphemeral({ channel: 'C9', user: 'U1', text: 'psst' })).resolves.toMatchObject({
      ok: true,
    });
    expect(
      (await failure(web.apiCall('chat.scheduleMessage', { channel: 'C9', text: 'x', post_at: 1 }))).data?.error,
    ).toBe('unknown_method');
  });

  it('validates views: modal title over 24 characters is invalid_arguments; a trigger_id opens one view', async () => {
    const web = client(fake);
    const modal = (title: string) => ({
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: title },
      blocks: [],
    });
    const err = await failure(web.views.open({ trigger_id: 't1', view: modal('x'.repeat(25)) }));
    expect(err.data?.error).toBe('invalid_arguments');
    expect(err.data?.response_metadata).toHaveProperty('messages');
    expect((err.data?.response_metadata as { messages: string[] } | undefined)?.messages).toContain(
      '[ERROR] must be less than 25 characters [json-pointer:/view/title/text]',
    );
    await expect(web.views.open({ trigger_id: 't1', view: modal('Pause campaign') })).resolves.toMatchObject({
      ok: true,
    });
    expect((await failure(web.views.open({ trigger_id: 't1', view: modal('Again') }))).data?.error).toBe(
      'exchanged_trigger_id',
    );
    const home = { type: 'home' as const, blocks: Array.from({ length: 100 }, () => ({ type: 'divider' as const })) };
    await expect(web.views.publish({ user_id: 'U1', view: home })).resolves.toMatchObject({ ok: true });
    const tooBig = { ...home, blocks: [...home.blocks, { type: 'divider' as const }] };
    expect((await failure(web.views.publish({ user_id: 'U1', view: tooBig }))).data?.error).toBe('invalid_arguments');
    expect(fake.homeViews.get('U1')?.blocks).toHaveLength(100);
  });

  it('refuses views.open with expired_trigger_id 3 s after the click; views.update replaces an open view', async () => {
    const web = client(fake);
    const modal = (title: string) => ({
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: title },
      blocks: [],
    });
    const clicked = (msAgo: number) => `${Date.now() - msAgo}.1001.${'ab'.repeat(16)}`;
    expect((await failure(web.views.open({ trigger_id: clicked(3_100), view: modal('Late') }))).data?.error).toBe(
      'expired_trigger_id',
    );
    const opened = await web.views.open({ trigger_id: clicked(2_500), view: modal('In time') });
    const viewId = opened.view?.id as string;
    await expect(web.views.update({ view_id: viewId, view: modal('Changed') })).resolves.toMatchObject({
      ok: true,
      view: { id: viewId, title: { text: 'Changed' } },
    });
    expect(fake.openedViews.map((v) => (v.title as { text: string }).text)).toEqual(['Changed']);
    expect((await failure(web.views.update({ view_id: 'V0NOPE', view: modal('x') }))).data?.error).toBe('not_found');
  });

  it('lets a response_url be used 5 times, then answers 404 used_url', async () => {
    const url = fake.responseUrl('cmd-1');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: `n${i}` }),
      });
      statuses.push(r.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
    expect(fake.respondRequests.at(-1)).toMatchObject({ id: 'cmd-1', result: 'used_url' });
  });

  it('waitFor names the calls it saw when nothing matches', async () => {
    await client(fake).chat.postMessage({ channel: 'C1', text: 'x' });
    await expect(fake.waitFor('views.publish', 50)).rejects.toThrow(
      /no views\.publish call within 50 ms[\s\S]*chat\.postMessage → 200 ok/,
    );
  });

  it("failNext('reset') drops the connection: WebClient reports a request error", async () => {
    fake.failNext('auth.test', 'reset');
    const err = await failure(client(fake).auth.test());
    expect(err.code).toBe(ErrorCode.RequestError);
  });

  it('becomes unreachable after close()', async () => {
    await fake.close();
    const err = await failure(client(fake).auth.test());
    expect(err.code).toBe(ErrorCode.RequestError);
    fake = await startFakeSlackApi(); // for afterEach
  });
});

describe('fake Slack file uploads (getUploadURLExternal → POST bytes → completeUploadExternal)', () => {
  let fake: FakeSlackApi;
  beforeEach(async () => {
    fake = await startFakeSlackApi({ knownChannels: ['C0FILES001'] });
  });
  afterEach(async () => {
    await fake.close();
  });

  const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3, 255, 13, 10, 45, 45]);
  const invalid = (err: { data?: Record<string, unknown> }) =>
    JSON.stringify((err.data?.response_metadata as { messages?: string[] } | undefined)?.messages);

  it('filesUploadV2 runs the three steps against the fake: bytes arrive intact and the file is shared', async () => {
    const res = await client(fake).filesUploadV2({
      channel_id: 'C0FILES001',
      file: bytes,
      filename: 'chart.png',
      title: 'Spend against plan',
      initial_comment: 'Here it is',
    });
    expect(res.ok).toBe(true);
    expect(fake.callsTo('files.getUploadURLExternal')[0]?.body).toMatchObject({
      filename: 'chart.png',
      length: String(bytes.length),
    });
    const url = String(
      (fake.callsTo('files.getUploadURLExternal')[0]?.response as { upload_url?: string } | undefined)?.upload_url,
    );
    expect(url.startsWith(`${fake.origin}/upload/v1/`)).toBe(true);
    // @slack/web-api sends the bytes as multipart/form-data; the fake takes the file part out.
    expect(fake.uploads).toEqual([
      { fileId: expect.stringMatching(/^F/), contentType: 'multipart/form-data', size: bytes.length, status: 200 },
    ]);
    expect(fake.files).toHaveLength(1);
    const f = fake.files[0];
    expect(f?.bytes.equals(bytes)).toBe(true);
    expect(f).toMatchObject({
      filename: 'chart.png',
      title: 'Spend against plan',
      channel: 'C0FILES001',
      initialComment: 'Here it is',
    });
    expect(fake.messages.get(`C0FILES001/${f?.ts}`)?.files).toEqual([f?.id]);
    const complete = fake.callsTo('files.completeUploadExternal')[0];
    expect(complete?.body.files).toEqual([{ id: f?.id, title: 'Spend against plan' }]);
    expect(complete?.body.channel_id).toBe('C0FILES001');
    const info = await client(fake).files.info({ file: f?.id as string });
    expect(info.file).toMatchObject({ channels: ['C0FILES001'], shares: { public: { C0FILES001: [{ ts: f?.ts }] } } });
  });

  it('takes the alt text as alt_txt; a file asked for with filesUploadV2’s alt_text is completed but never shared', async () => {
    const web = client(fake);
    const got = (await web.apiCall('files.getUploadURLExternal', {
      filename: 'a.png',
      length: bytes.length,
      alt_txt: 'a chart',
    })) as { upload_url?: string; file_id?: string };
    await fetch(String(got.upload_url), { method: 'POST', body: bytes });
    await web.files.completeUploadExternal({ files: [{ id: String(got.file_id) }], channel_id: 'C0FILES001' });
    const lost = await web.filesUploadV2({
      channel_id: 'C0FILES001',
      file: bytes,
      filename: 'b.png',
      alt_text: 'a chart',
    });
    expect(lost.ok).toBe(true); // nothing says so…
    expect(fake.files.map((f) => [f.filename, f.altText, f.channel])).toEqual([
      ['a.png', 'a chart', 'C0FILES001'],
      ['b.png', undefined, undefined],
    ]);
    // …but files.info shows it nowhere.
    const info = await web.files.info({ file: fake.files[1]?.id as string });
    expect(info.file).toMatchObject({ channels: [], groups: [], shares: {} });
    expect((await failure(web.files.info({ file: 'F0NEVER' }))).data?.error).toBe('file_not_found');
  });

  it('accepts raw bytes too, and refuses an unknown or already used upload URL', async () => {
    const web = client(fake);
    const got = await web.files.getUploadURLExternal({ filename: 'a.bin', length: bytes.length });
    const post = (url: string) =>
      fetch(url, { method: 'POST', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
    expect((await post(got.upload_url as string)).status).toBe(200);
    expect((await post(got.upload_url as string)).status).toBe(404); // one upload per URL
    expect((await post(`${fake.origin}/upload/v1/never-issued`)).status).toBe(404);
    expect(fake.uploads.map((u) => u.status)).toEqual([200, 404, 404]);
    const done = await web.files.completeUploadExternal({ files: [{ id: got.file_id as string }] });
    expect(done.ok).toBe(true);
    expect(fake.files[0]).toMatchObject({ id: got.file_id, title: 'a.bin', channel: undefined });
    expect(fake.files[0]?.bytes.equals(bytes)).toBe(true);
  });

  it('getUploadURLExternal requires a filename and a positive length', async () => {
    const web = client(fake);
    const noName = await failure(web.apiCall('files.getUploadURLExternal', { length: 10 }));
    expect(noName.data?.error).toBe('invalid_arguments');
    expect(invalid(noName)).toContain('filename');
    const noLength = await failure(web.apiCall('files.getUploadURLExternal', { filename: 'x.png' }));
    expect(noLength.data?.error).toBe('invalid_arguments');
    expect(invalid(noLength)).toContain('length');
    const zero = await failure(web.apiCall('files.getUploadURLExternal', { filename: 'x.png', length: 0 }));
    expect(zero.data?.error).toBe('invalid_arguments');
  });

  it('completeUploadExternal refuses unknown ids, ids without bytes, a size other than declared, twice, bad channels', async () => {
    const web = client(fake);
    const complete = (id: string, extra: Record<string, unknown> = {}) =>
      failure(web.apiCall('files.completeUploadExternal', { files: JSON.stringify([{ id }]), ...extra }));
    expect((await complete('F0NEVER')).data?.error).toBe('file_not_found');

    const empty = await web.files.getUploadURLExternal({ filename: 'a.png', length: 4 });
    expect((await complete(empty.file_id as string)).data?.error).toBe('file_not_found');

    const short = await web.files.getUploadURLExternal({ filename: 'b.png', length: 100 });
    await fetch(short.upload_url as string, { method: 'POST', body: bytes });
    const mismatch = await complete(short.file_id as string);
    expect(mismatch.data?.error).toBe('file_not_found');
    expect(invalid(mismatch)).toContain(`${bytes.length} bytes were uploaded`);

    const good = await web.files.getUploadURLExternal({ filename: 'c.png', length: bytes.length });
    await fetch(good.upload_url as string, { method: 'POST', body: bytes });
    expect((await complete(good.file_id as string, { channel_id: 'C0UNKNOWN1' })).data?.error).toBe(
      'channel_not_found',
    );
    expect(fake.files).toEqual([]); // a refused call finishes nothing
    await web.files.completeUploadExternal({ files: [{ id: good.file_id as string }], channel_id: 'C0FILES001' });
    expect((await complete(good.file_id as string)).data?.error).toBe('file_not_found'); // already completed

    const noFiles = await failure(web.apiCall('files.completeUploadExternal', { channel_id: 'C0FILES001' }));
    expect(noFiles.data?.error).toBe('invalid_arguments');
    const notJson = await failure(web.apiCall('files.completeUploadExternal', { files: '[{' }));
    expect(notJson.data?.error).toBe('invalid_arguments');
    expect(fake.files.map((f) => f.filename)).toEqual(['c.png']);
  });
});

describe('signed requests against a Bolt HTTP receiver', () => {
  const secret = 'test-signing-secret';
  let fake: FakeSlackApi;
  let app: App;
  let base: string;
  const seen: { retryNum?: number | undefined; kind: string; payload: unknown }[] = [];

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    app = new App({
      signingSecret: secret,
      token: FAKE_SLACK.token,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
    });
    app.command('/pacing', async ({ command, ack, respond, context }) => {
      seen.push({ kind: 'command', payload: command, retryNum: context.retryNum });
      await ack({ response_type: 'ephemeral', text: `got ${command.text}` });
      await respond({ text: 'later' });
    });
    app.action('approve', async ({ ack, body, client: web }) => {
      await ack();
      seen.push({ kind: 'action', payload: body });
      const b = body as { channel?: { id: string }; message?: { ts: string } };
      if (b.channel && b.message) await web.chat.update({ channel: b.channel.id, ts: b.message.ts, text: 'approved' });
    });
    app.view('pause_form', async ({ ack, view }) => {
      seen.push({ kind: 'view', payload: view });
      await ack({ response_action: 'errors', errors: { reason: 'Say why' } });
    });
    app.event('app_home_opened', async ({ event, client: web, context }) => {
      seen.push({ kind: 'event', payload: event, retryNum: context.retryNum });
      await web.views.publish({ user_id: event.user, view: { type: 'home', blocks: [{ type: 'divider' }] } });
    });
    const server = (await app.start(0)) as Server;
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.stop();
    await fake.close();
  });

  it('computes the v0 signature as Slack documents it', () => {
    // HMAC-SHA256('secret', 'v0:1:body') in hex.
    expect(slackSignature('secret', 1, 'body')).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(slackSignature('secret', 1, 'body')).not.toBe(slackSignature('secret', 2, 'body'));
  });

  it('delivers a slash command: ack body comes back, respond() reaches the fake response_url', async () => {
    const responseUrl = fake.responseUrl();
    const res = await slashCommand(base, secret, { text: 'status acme', userId: 'U1', channelId: 'C1', responseUrl });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response_type: 'ephemeral', text: 'got status acme' });
    const posted = await fake.waitForRespond((r) => responseUrl.endsWith(r.id));
    expect(posted.body).toEqual({ text: 'later' });
    expect(seen.find((s) => s.kind === 'command')?.payload).toMatchObject({ command: '/pacing', user_id: 'U1' });
  });

  it('refuses a bad signature and a stale timestamp with 401', async () => {
    const args = { text: 'x', userId: 'U1', channelId: 'C1', responseUrl: fake.responseUrl() };
    expect((await slashCommand(base, secret, args, { badSignature: true })).status).toBe(401);
    expect((await slashCommand(base, secret, args, { stale: true })).status).toBe(401);
  });

  it('delivers block_actions; the handler updates the message through the fake', async () => {
    const { ts } = await new WebClient(FAKE_SLACK.token, { slackApiUrl: fake.url }).chat.postMessage({
      channel: 'C7',
      text: 'approve?',
      blocks: [button('Approve')],
    });
    const res = await blockAction(base, secret, {
      userId: 'U2',
      actionId: 'approve',
      value: 'esc-1',
      channelId: 'C7',
      messageTs: ts as string,
      responseUrl: fake.responseUrl(),
      blocks: [button('Approve')],
    });
    expect(res.status).toBe(200);
    const update = await fake.waitFor((c) => c.method === 'chat.update' && c.body.ts === ts);
    expect(update.response).toMatchObject({ ok: true });
    const payload = seen.find((s) => s.kind === 'action')?.payload as Record<string, unknown>;
    expect(payload).toMatchObject({
      type: 'block_actions',
      container: { type: 'message', message_ts: ts, channel_id: 'C7' },
      actions: [{ action_id: 'approve', block_id: 'decide', value: 'esc-1', text: { text: 'Approve' } }],
    });
  });

  it('delivers view_submission with private_metadata and state values; the ack body is returned', async () => {
    const res = await viewSubmission(base, secret, {
      userId: 'U3',
      callbackId: 'pause_form',
      privateMetadata: JSON.stringify({ campaign: 'c-1' }),
      values: { reason: { reason_input: { type: 'plain_text_input', value: '' } } },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response_action: 'errors', errors: { reason: 'Say why' } });
    expect(seen.find((s) => s.kind === 'view')?.payload).toMatchObject({ private_metadata: '{"campaign":"c-1"}' });
  });

  it('delivers an app_home_opened event (and a retry, which Bolt does not de-duplicate)', async () => {
    const event = { type: 'app_home_opened', user: 'U4', channel: 'D4', tab: 'home' };
    expect((await eventCallback(base, secret, event, { eventId: 'Ev1' })).status).toBe(200);
    expect((await eventCallback(base, secret, event, { eventId: 'Ev1', retryNum: 1 })).status).toBe(200);
    await fake.waitFor((c) => c.method === 'views.publish' && c.body.user_id === 'U4');
    await expect.poll(() => seen.filter((s) => s.kind === 'event').map((s) => s.retryNum)).toEqual([undefined, 1]);
  });

  it('Bolt only parses the form when the content type is exactly application/x-www-form-urlencoded', async () => {
    const args = { text: 'x', userId: 'U1', channelId: 'C1', responseUrl: fake.responseUrl() };
    const res = await slashCommand(base, secret, args, {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
    });
    // The form is handed to JSON.parse, which throws: Bolt answers 400 and no listener runs.
    expect(res.status).toBe(400);
  });

  it('answers the url_verification handshake', async () => {
    const res = await urlVerification(base, secret, 'abc123');
    expect(res.json).toEqual({ challenge: 'abc123' });
  });
});
