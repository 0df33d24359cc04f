// The Sheets fake refuses what Google refuses and renders values as Google does, so that a client passing
// against it is not passing against a fake that accepts anything.
import { createSign, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSheets, GOOGLE_TOKEN_AUDIENCE, serviceAccountKey, startFakeSheets } from './google-sheets.js';

const ID = '1FakeSheetForTheFakesOwnTests_0123456789';
const EMAIL = 'reader@fake-test.iam.gserviceaccount.com';
const SCOPE = 'https://www.googleapis.com/auth/spreadsheets.readonly';

let fake: FakeSheets;
let dir: string;
let privateKey: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fake-sheets-'));
  fake = await startFakeSheets({
    spreadsheets: [
      {
        id: ID,
        sheets: [
          {
            title: 'Plan',
            rows: [
              ['campaign_id', 'target_spend', 'start_date', 'flag', 'note'],
              ['c-1', 22800, { date: '2026-11-01' }, true, null],
              [],
            ],
          },
        ],
        sharedWith: [EMAIL],
      },
    ],
  });
  privateKey = serviceAccountKey(fake, join(dir, 'key.json'), EMAIL).privateKey;
});

afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

function jwt(claims: Record<string, unknown>, key = privateKey): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(key, 'base64url')}`;
}

const now = () => Math.floor(Date.now() / 1000);
const claims = (over: Record<string, unknown> = {}) => ({
  iss: EMAIL,
  scope: SCOPE,
  aud: GOOGLE_TOKEN_AUDIENCE,
  iat: now(),
  exp: now() + 3600,
  ...over,
});

async function token(assertion: string): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(fake.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

interface Answer {
  error?: { code: number; message: string };
  range?: string;
  values?: unknown[][];
}

async function get(path: string, bearer: string | null): Promise<{ status: number; body: Answer }> {
  const res = await fetch(`${fake.url}${path}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
  return { status: res.status, body: (await res.json()) as Answer };
}

describe('the fake token endpoint', () => {
  it("issues a token for a JWT signed with the account's key", async () => {
    const { status, body } = await token(jwt(claims()));
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(body.access_token).toMatch(/^ya29\./);
  });

  it.each<[string, () => string, string]>([
    [
      'a JWT signed with another key',
      () =>
        jwt(
          claims(),
          generateKeyPairSync('rsa', { modulusLength: 1024 })
            .privateKey.export({ type: 'pkcs8', format: 'pem' })
            .toString(),
        ),
      'Invalid JWT Signature.',
    ],
    [
      'an unknown account',
      () => jwt(claims({ iss: 'nobody@x.iam.gserviceaccount.com' })),
      'Invalid grant: account not found',
    ],
    [
      'another audience',
      () => jwt(claims({ aud: fake.tokenUrl })),
      `Invalid JWT: aud must be ${GOOGLE_TOKEN_AUDIENCE}`,
    ],
    [
      'a JWT living over an hour',
      () => jwt(claims({ exp: now() + 7200 })),
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
    ],
    [
      'a tampered JWT',
      () =>
        jwt(claims()).replace(
          /^([^.]+)\.([^.]+)/,
          (_m, h) => `${h}.${Buffer.from(JSON.stringify(claims({ iss: EMAIL, scope: 'x' }))).toString('base64url')}`,
        ),
      'Invalid JWT Signature.',
    ],
  ])('refuses %s with invalid_grant', async (_name, assertion, description) => {
    expect(await token(assertion())).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: description },
    });
  });
});

describe('the fake Sheets API', () => {
  let bearer: string;
  beforeAll(async () => {
    bearer = (await token(jwt(claims()))).body.access_token as string;
  });

  it('renders unformatted values as numbers, dates as asked, and leaves out empty trailing cells and rows', async () => {
    const q = 'valueRenderOption=UNFORMATTED_VALUE&dateTimeRenderOption=FORMATTED_STRING';
    const { status, body } = await get(`/v4/spreadsheets/${ID}/values/Plan?${q}`, bearer);
    expect(status).toBe(200);
    expect(body).toEqual({
      range: 'Plan!A1:Z1000',
      majorDimension: 'ROWS',
      values: [
        ['campaign_id', 'target_spend', 'start_date', 'flag', 'note'],
        ['c-1', 22800, '2026-11-01', true],
      ],
    });
  });

  it('renders what the cells show by default, and dates as serial numbers when unformatted', async () => {
    expect((await get(`/v4/spreadsheets/${ID}/values/Plan!A2:D2`, bearer)).body.values).toEqual([
      ['c-1', '22,800', '2026-11-01', 'TRUE'],
    ]);
    const serial = await get(`/v4/spreadsheets/${ID}/values/Plan!C2?valueRenderOption=UNFORMATTED_VALUE`, bearer);
    expect(serial.body).toMatchObject({ range: 'Plan!C2:C2', values: [[46327]] });
  });

  it.each<[string, string, string | null, number, string]>([
    [
      'no token',
      `/v4/spreadsheets/${ID}`,
      null,
      401,
      'Request is missing required authentication credential. Expected OAuth 2 access token.',
    ],
    [
      'an unknown token',
      `/v4/spreadsheets/${ID}`,
      'ya29.made-up',
      401,
      'Request had invalid authentication credentials. Expected OAuth 2 access token.',
    ],
    [
      'an unknown spreadsheet',
      '/v4/spreadsheets/1NoSuchSheet_0123456789abcdef',
      'TOKEN',
      404,
      'Requested entity was not found.',
    ],
    [
      'an unknown range',
      `/v4/spreadsheets/${ID}/values/${encodeURIComponent('Plann!A1:B2')}`,
      'TOKEN',
      400,
      'Unable to parse range: Plann!A1:B2',
    ],
  ])('refuses %s', async (_name, path, auth, status, message) => {
    const { status: got, body } = await get(path, auth === 'TOKEN' ? bearer : auth);
    expect(got).toBe(status);
    expect(body.error).toMatchObject({ code: status, message });
  });

  it("refuses a token without a Sheets scope, and a sheet not shared with the token's account", async () => {
    const unscoped = (await token(jwt(claims({ scope: 'https://www.googleapis.com/auth/adwords' })))).body
      .access_token as string;
    expect((await get(`/v4/spreadsheets/${ID}`, unscoped)).body.error).toMatchObject({
      code: 403,
      message: 'Request had insufficient authentication scopes.',
    });
    const other = await startFakeSheets({
      spreadsheets: [{ id: ID, sheets: [{ title: 'Plan', rows: [] }], sharedWith: ['someone@example.com'] }],
    });
    try {
      serviceAccountKey(other, join(dir, 'other.json'), EMAIL);
      const res = await fetch(other.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion: jwt(claims(), readKey(join(dir, 'other.json'))),
        }).toString(),
      });
      const t = ((await res.json()) as { access_token: string }).access_token;
      const denied = await fetch(`${other.url}/v4/spreadsheets/${ID}`, { headers: { authorization: `Bearer ${t}` } });
      expect(denied.status).toBe(403);
      expect(((await denied.json()) as { error: { message: string } }).error.message).toBe(
        'The caller does not have permission',
      );
    } finally {
      await other.close();
    }
  });
});

function readKey(file: string): string {
  return (JSON.parse(readFileSync(file, 'utf8')) as { private_key: string }).private_key;
}
