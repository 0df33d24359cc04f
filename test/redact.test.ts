import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { RunSummary } from '../src/domain/records.js';
import { createLogger } from '../src/log.js';
import { clearSecrets, redact, redactText, registerSecrets, urlCredentials } from '../src/redact.js';
import { Store } from '../src/store/index.js';

beforeEach(() => clearSecrets());

describe('redact', () => {
  it('hides tokens by key and by shape, and Slack reply URLs', () => {
    const out = redact({
      token: 'anything',
      nested: { clientSecret: 's3cr3t', note: 'bot xoxb-123-456-abc and app xapp-1-A0-xyz' },
      url: 'https://hooks.slack.com/actions/T0/123/abc',
    });
    expect(out).toEqual({
      token: '[redacted]',
      nested: { clientSecret: '[redacted]', note: 'bot [redacted] and app [redacted]' },
      url: '[redacted]',
    });
    expect(redactText('Bearer ya29.a0AfH6SMB-xyz')).toBe('Bearer [redacted]');
  });

  it('keeps an error’s message and stack (redacted) instead of dropping them', () => {
    const err = Object.assign(new Error('Slack said no to xoxb-1-2-3'), { code: 'slack_webapi_platform_error' });
    const out = redact({ err }) as unknown as { err: { type: string; message: string; stack: string; code: string } };
    expect(out.err.type).toBe('Error');
    expect(out.err.message).toBe('Slack said no to [redacted]');
    expect(out.err.code).toBe('slack_webapi_platform_error');
    expect(out.err.stack).toContain('redact.test.ts');
    expect(out.err.stack).not.toContain('xoxb-1-2-3');
  });
});

// The configured secrets of each kind, with characters that encode differently in each form.
const SECRETS = {
  slackBotToken: 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx',
  slackSigningSecret: '8f742231b10e8888abcd99yyyzzz85a5',
  googleClientSecret: 'GOCSPX-4f9Qz_Xy8/LmNo+PqRs TuVw',
  googleRefreshToken: '1//0gAbCdEfGhIjKlMnOpQrStUvWxYz-_0123456789AbCdEfGh',
  googleDeveloperToken: 'dEvT0kEnPlainStr1ng22',
  metaAccessToken: `EAAB${'ZmFrZW1ldGF0b2tlbg'.repeat(8)}`,
  proxyPassword: 's3cr/t p@ss+word!',
};
const PROXY_URL = `https://proxyuser:${encodeURIComponent(SECRETS.proxyPassword)}@proxy.example/api/`;

const b64 = (v: string) => Buffer.from(v, 'utf8').toString('base64');
/** Every form a secret must not appear in. */
const FORMS: Record<string, (v: string) => string> = {
  raw: (v) => v,
  'URL-encoded': (v) => encodeURIComponent(v),
  'URL-encoded, lower-case hex': (v) => encodeURIComponent(v).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  'form-encoded': (v) => new URLSearchParams([['', v]]).toString().slice(1),
  base64: b64,
  'base64 unpadded': (v) => b64(v).replace(/=+$/, ''),
  base64url: (v) => Buffer.from(v, 'utf8').toString('base64url'),
  'JSON-escaped': (v) => JSON.stringify(v).slice(1, -1).replaceAll('/', '\\/'),
  'doubly URL-encoded': (v) => encodeURIComponent(encodeURIComponent(v)),
  'doubly URL-encoded, lower-case hex': (v) =>
    encodeURIComponent(encodeURIComponent(v)).replace(/%25[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  'doubly form-encoded': (v) => encodeURIComponent(new URLSearchParams([['', v]]).toString().slice(1)),
  // The secret inside a larger encoded blob (an API echoing a header inside a base64 body), at each offset.
  ...Object.fromEntries(
    (['base64', 'base64url'] as const).flatMap((enc) =>
      [0, 1, 2].map((offset) => [
        `${enc} at byte offset ${offset} of a blob`,
        (v: string) => Buffer.from(`${'>'.repeat(offset)}${v}\r\nx-more: 1`, 'utf8').toString(enc),
      ]),
    ),
  ),
};
/** What a platform or proxy sends back, with the secret (in some form) inside. */
const ECHOES: Record<string, (s: string) => string> = {
  'OAuth error body': (s) =>
    `{"error":"invalid_grant","error_description":"Bad Request: grant_type=refresh_token&refresh_token=${s}&client_id=123.apps.googleusercontent.com"}`,
  'proxy page echoing headers': (s) =>
    `<html><body><h1>502 Bad Gateway</h1><pre>POST /v26/customers/1234567890/googleAds:searchStream HTTP/1.1\ndeveloper-token: ${s}\nlogin-customer-id: 1234567890</pre></body></html>`,
  'plain error message': (s) => `upstream said: ${s} is not valid here (HTTP 400)`,
  'query string': (s) => `GET https://graph.facebook.com/v24.0/act_1/campaigns?fields=name&x=${s}&limit=500 failed`,
};

function expectNoForm(text: string, secret: string): void {
  for (const [form, encode] of Object.entries(FORMS)) {
    expect(text.includes(encode(secret)), `${form} form of the secret in: ${text}`).toBe(false);
  }
}

describe('registered secrets', () => {
  beforeEach(() => registerSecrets([...Object.values(SECRETS), ...urlCredentials(PROXY_URL)]));

  const cases = Object.entries(SECRETS).flatMap(([kind, secret]) =>
    Object.entries(FORMS).flatMap(([form, encode]) =>
      Object.entries(ECHOES).map(([echo, make]) => ({ kind, secret, form, echo, text: make(encode(secret)) })),
    ),
  );
  it.each(cases)('hides the $kind $form in a $echo', ({ secret, text }) => {
    const out = redactText(text);
    expect(out).toContain('[redacted]');
    expectNoForm(out, secret);
  });

  it.each(
    Object.entries(SECRETS).flatMap(([kind, secret]) =>
      (['base64', 'base64url'] as const).flatMap((enc) =>
        [0, 1, 2].flatMap((offset) => ['', '!', '!?', 'tail'].map((after) => ({ kind, secret, enc, offset, after }))),
      ),
    ),
  )(
    'leaves no 6 characters encoding the $kind alone in $enc at offset $offset, followed by "$after"',
    ({ secret, enc, offset, after }) => {
      const bytes = Buffer.from(`${'#'.repeat(offset)}${secret}${after}`, 'utf8');
      const blob = bytes.toString(enc);
      const out = redactText(`body=${blob};`);
      expect(out).toContain('[redacted]');
      // Characters whose 6 bits all come from the secret's bytes: no run of 6 of them may survive.
      const first = Math.ceil((offset * 8) / 6);
      const last = Math.floor(((offset + Buffer.byteLength(secret)) * 8) / 6);
      for (let i = first; i + 6 <= last; i++) expect(out).not.toContain(blob.slice(i, i + 6));
    },
  );

  it('keeps the rest of the echo, and the name of a redacted field', () => {
    const body = `{"error":"invalid_grant","error_description":"refresh_token=${encodeURIComponent(SECRETS.googleRefreshToken)}"}`;
    expect(redactText(body)).toBe('{"error":"invalid_grant","error_description":"refresh_token=[redacted]"}');
    expect(redactText(`proxy echoed developer-token: ${SECRETS.googleDeveloperToken}\nuser-agent: curl`)).toBe(
      'proxy echoed developer-token: [redacted]\nuser-agent: curl',
    );
    expect(redactText(`token ${b64(SECRETS.googleDeveloperToken)} rejected`)).toBe('token [redacted] rejected');
  });

  it('hides the credentials of a configured URL, raw and as Basic authorization', () => {
    const basic = b64(`proxyuser:${SECRETS.proxyPassword}`);
    const page = `<pre>Proxy-Authorization: Basic ${basic}\r\nHost: proxy.example</pre>`;
    expect(redactText(page)).toBe('<pre>Proxy-Authorization: Basic [redacted]\r\nHost: proxy.example</pre>');
    // Echoed without the header name: only the registry knows it.
    expect(redactText(`credentials ${basic} refused`)).toBe('credentials [redacted] refused');
    expect(redactText(`password ${SECRETS.proxyPassword} refused`)).toBe('password [redacted] refused');
    expect(redactText(`fetch ${PROXY_URL} failed`)).toBe('fetch https://[redacted]@proxy.example/api/ failed');
  });

  it('does not touch words that were not registered', () => {
    const text = 'Campaign DE_Shoes_Winter spent 1234.56 EUR, pacing at 112% (developer token dEvT0kEn)';
    expect(redactText(text)).toBe(text);
    expect(redactText(`a ${SECRETS.googleDeveloperToken}x b`)).toBe('a [redacted]x b');
  });
});

describe('registerSecrets', () => {
  it('ignores empty and short values', () => {
    registerSecrets(['', null, undefined, 'abc12', 'short']);
    expect(redactText('abc12 and short and more words')).toBe('abc12 and short and more words');
  });

  it('adds to what is registered, and is case-sensitive', () => {
    registerSecrets(['FirstSecretValue']);
    registerSecrets(['SecondSecretValue']);
    expect(redactText('FirstSecretValue SecondSecretValue firstsecretvalue')).toBe(
      '[redacted] [redacted] firstsecretvalue',
    );
  });
});

describe('URL credentials', () => {
  it.each([
    ['https://user:s3cret@proxy.example/api/', 'https://[redacted]@proxy.example/api/'],
    ['error calling http://u:p@10.0.0.1:8080/token', 'error calling http://[redacted]@10.0.0.1:8080/token'],
    ['{"url":"https:\\/\\/user:s3cret@proxy.example\\/api"}', '{"url":"https:\\/\\/[redacted]@proxy.example\\/api"}'],
    ['next=https%3A%2F%2Fuser%3As3cret%40proxy.example%2F', 'next=https%3A%2F%2F[redacted]%40proxy.example%2F'],
    ['https://proxy.example/api/?mail=a@b.c', 'https://proxy.example/api/?mail=a@b.c'],
    ['write to ops@example.com or see https://example.com/x', 'write to ops@example.com or see https://example.com/x'],
  ])('redacts the userinfo of any URL: %s', (text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it('lists user:password and the password alone, as written and decoded', () => {
    expect(urlCredentials('https://proxyuser:s3cr%40t@proxy.example/')).toEqual([
      'proxyuser:s3cr%40t',
      's3cr%40t',
      'proxyuser:s3cr@t',
      's3cr@t',
    ]);
    expect(urlCredentials('https://only-a-token-user@proxy.example/')).toEqual(['only-a-token-user']);
    expect(urlCredentials('https://googleads.googleapis.com')).toEqual([]);
    expect(urlCredentials(undefined)).toEqual([]);
  });

  it('the Google refresh-token shape catches an unregistered one URL-encoded', () => {
    expect(redactText('refresh 1%2F%2F0gUnregisteredRefreshTokenValue123 failed')).toBe('refresh [redacted] failed');
  });
});

describe('wiring', () => {
  it('loadConfig registers the configured secrets and URL credentials', () => {
    loadConfig({
      GOOGLE_ADS_DEVELOPER_TOKEN: SECRETS.googleDeveloperToken,
      GOOGLE_ADS_CLIENT_SECRET: SECRETS.googleClientSecret,
      SLACK_SIGNING_SECRET: SECRETS.slackSigningSecret,
      SLACK_API_URL: PROXY_URL,
      GOOGLE_OAUTH_TOKEN_URL: 'https://oauthuser:oauthpass99@proxy.example/token',
    });
    const text = [
      SECRETS.googleDeveloperToken,
      encodeURIComponent(SECRETS.googleClientSecret),
      SECRETS.slackSigningSecret,
      SECRETS.proxyPassword,
      b64('oauthuser:oauthpass99'),
      'oauthpass99',
    ].join(' | ');
    expect(redactText(text)).toBe(Array(6).fill('[redacted]').join(' | '));
  });

  it('the logger redacts message strings, interpolated values and an error’s message', () => {
    registerSecrets([SECRETS.googleDeveloperToken]);
    let written = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        written += String(chunk);
        done();
      },
    });
    const log = createLogger('info', sink);
    log.info(`proxy echoed ${SECRETS.googleDeveloperToken}`);
    log.warn('token %s then %o', SECRETS.googleDeveloperToken, { echo: SECRETS.googleDeveloperToken });
    log.error(new Error(`refused ${encodeURIComponent(SECRETS.googleDeveloperToken)}`));
    log.error({ err: new Error(`refused ${SECRETS.googleDeveloperToken}`) });
    log.info({ msg: `in msg ${SECRETS.googleDeveloperToken}` });
    const lines = written.trim().split('\n');
    expect(lines).toHaveLength(5);
    expectNoForm(written, SECRETS.googleDeveloperToken);
    expect(written.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(5);
  });
});

describe('the store keeps no secret', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('run failures, row and platform errors, and audit events are stored redacted', async () => {
    registerSecrets([...Object.values(SECRETS), ...urlCredentials(PROXY_URL)]);
    dir = mkdtempSync(join(tmpdir(), 'pacing-redact-'));
    const file = join(dir, 'p.db');
    const store = await Store.open(file);
    const echo = async (s: string) =>
      `Google Ads token refresh failed: {"error":"invalid_grant","error_description":"refresh_token=${encodeURIComponent(s)}"} via ${PROXY_URL}`;
    const summary: RunSummary = {
      rows: 0,
      invalidRows: 0,
      orphans: 0,
      bySeverity: { healthy: 0, warning: 0, critical: 0, none: 0 },
      byAction: { log: 0, alert: 0, escalate: 0, halt: 0 },
      byStatus: {},
      platforms: {},
      comparisons: 0,
      durationMs: 1,
    };
    await store.runs.start({ id: 'run-1', startedAt: '2026-11-20T09:00:00Z', trigger: 'test', actor: 'cli' });
    await store.runs.fail(
      'run-1',
      '2026-11-20T09:01:00Z',
      `${echo(SECRETS.googleRefreshToken)} ${SECRETS.metaAccessToken}`,
    );
    await store.runs.start({ id: 'run-2', startedAt: '2026-11-20T10:00:00Z', trigger: 'test', actor: 'cli' });
    await store.runs.complete(
      'run-2',
      '2026-11-20T10:01:00Z',
      summary,
      [{ line: 2, message: `echo ${b64(SECRETS.googleClientSecret)}` }],
      Object.values(SECRETS).map((s) => ({ platform: 'google', message: `${echo(s)} developer-token: ${s}` })),
      [],
    );
    await store.audit.append({
      at: '2026-11-20T10:01:00Z',
      runId: 'run-2',
      type: 'platform_error',
      actor: 'agent',
      details: { platform: 'google', message: echo(SECRETS.googleDeveloperToken) },
    });

    // What `/pacing status` and `status --json` show comes from these records.
    const failed = await store.runs.get('run-1');
    const completed = await store.runs.get('run-2');
    expect(failed?.failure).toContain('[redacted]');
    expect(completed?.platformErrors).toHaveLength(Object.keys(SECRETS).length);
    const shown = JSON.stringify([failed, completed]);

    const bytes = () =>
      [file, `${file}-wal`]
        .filter((f) => existsSync(f))
        .map((f) => readFileSync(f).toString('latin1'))
        .join('\n');
    const whileOpen = bytes();
    await store.close();
    const afterClose = bytes();
    for (const secret of [...Object.values(SECRETS), `proxyuser:${SECRETS.proxyPassword}`]) {
      for (const text of [shown, whileOpen, afterClose]) expectNoForm(text, secret);
    }
    expect(whileOpen).toContain('[redacted]');
  });

  it('Slack messages are queued (and so sent) redacted; a file’s bytes are kept as they are', async () => {
    registerSecrets([SECRETS.googleDeveloperToken]);
    dir = mkdtempSync(join(tmpdir(), 'pacing-redact-'));
    const store = await Store.open(join(dir, 'p.db'));
    const echoed = `Google said: developer token ${b64(SECRETS.googleDeveloperToken)} is not approved`;
    const file = Buffer.from(`png bytes ${SECRETS.googleDeveloperToken}`).toString('base64');
    const text = await store.outbox.enqueue(
      {
        kind: 'alert',
        method: 'chat.postMessage',
        channel: 'C0ALERTS01',
        payload: { text: echoed, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: echoed } }] },
      },
      '2026-11-20T09:00:00Z',
    );
    const chart = await store.outbox.enqueue(
      { kind: 'digest_chart', method: 'files.uploadV2', channel: 'C0ALERTS01', payload: { file, alt_txt: echoed } },
      '2026-11-20T09:00:00Z',
    );
    const queued = JSON.stringify((await store.outbox.get(text))?.payload);
    expect(queued).toContain('developer token [redacted] is not approved');
    expectNoForm(queued, SECRETS.googleDeveloperToken);
    expect((await store.outbox.get(chart))?.payload).toEqual({
      file,
      alt_txt: 'Google said: developer token [redacted] is not approved',
    });
    await store.close();
  });
});
