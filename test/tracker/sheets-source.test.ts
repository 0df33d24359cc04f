// The plan read from Google Sheets through the real client, against a wire fake of the Sheets API and Google's
// token endpoint on 127.0.0.1: signed-JWT sign-in, the Google Ads client's sign-in, retries, refusals that say
// what to do, and secrets kept out of every message.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ConfigError, DataError } from '../../src/errors.js';
import type { RetryPolicy } from '../../src/platforms/retry.js';
import { redactText } from '../../src/redact.js';
import { parseTracker } from '../../src/tracker/csv.js';
import { quoteTitle, SheetsPlanSource } from '../../src/tracker/sheets/source.js';
import {
  type FakeSheets,
  type FakeSpreadsheet,
  serviceAccountKey,
  sheetRowsFromCsv,
  startFakeSheets,
} from '../fakes/google-sheets.js';
import { FIXTURES } from '../fakes/pacing-cli.js';

const SHEET_ID = '1FakePlanSheetForPacingTests_0123456789ab';
const CSV = readFileSync(join(FIXTURES, 'tracker.csv'), 'utf8');
const ADS_CLIENT = { id: 'client-1.apps.googleusercontent.com', secret: 'GOCSPX-sheets-client-secret-77' };
const SHEETS_READONLY = 'https://www.googleapis.com/auth/spreadsheets.readonly';

let dir: string;
let fake: FakeSheets;
let key: { email: string; privateKey: string; file: string };
let sleeps: number[];
const retry = (): RetryPolicy => ({
  attempts: 4,
  baseDelayMs: 10,
  maxDelayMs: 50,
  maxRetryAfterMs: 5_000,
  random: () => 0.5,
  sleep: async (ms) => {
    sleeps.push(ms);
  },
});

function book(overrides: Partial<FakeSpreadsheet> = {}): FakeSpreadsheet {
  return {
    id: SHEET_ID,
    sheets: [
      { title: 'Plan', sheetId: 0, rows: sheetRowsFromCsv(CSV) },
      { title: "Q1 '27 draft", sheetId: 777, rows: sheetRowsFromCsv(CSV.split('\n').slice(0, 3).join('\n')) },
    ],
    sharedWith: [key.email, 'buyer@example.com'],
    ...overrides,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pacing-sheets-'));
  fake = await startFakeSheets({
    client: ADS_CLIENT,
    refreshTokens: [
      {
        token: '1//sheets-refresh-with-scope-abcdefghijklmnop',
        account: 'buyer@example.com',
        scopes: [SHEETS_READONLY],
      },
      {
        token: '1//ads-only-refresh-token-abcdefghijklmnopq',
        account: 'buyer@example.com',
        scopes: ['https://www.googleapis.com/auth/adwords'],
      },
    ],
  });
  key = serviceAccountKey(fake, join(dir, 'key.json'));
});

afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  fake.requests.length = 0;
});

/** A source as the app builds it, from settings. */
async function source(env: Record<string, string>, spreadsheet: FakeSpreadsheet | null = book()) {
  // Each test its own fake spreadsheet: the fake is shared, its books are swapped in here.
  const fresh = await restart(spreadsheet);
  const config = loadConfig({
    PACING_DATA_DIR: FIXTURES,
    TRACKER_SHEET: SHEET_ID,
    SHEETS_API_URL: fresh.url,
    GOOGLE_APPLICATION_CREDENTIALS: key.file,
    GOOGLE_OAUTH_TOKEN_URL: fresh.tokenUrl,
    ...env,
  });
  sleeps = [];
  return new SheetsPlanSource(settingsOf(config), config.platforms.google, { retry: retry() });
}

/** A fake with this spreadsheet (and the shared service account and refresh tokens). */
async function restart(spreadsheet: FakeSpreadsheet | null): Promise<FakeSheets> {
  await fake.close();
  fake = await startFakeSheets({
    spreadsheets: spreadsheet ? [spreadsheet] : [],
    client: ADS_CLIENT,
    refreshTokens: [
      {
        token: '1//sheets-refresh-with-scope-abcdefghijklmnop',
        account: 'buyer@example.com',
        scopes: [SHEETS_READONLY],
      },
      {
        token: '1//ads-only-refresh-token-abcdefghijklmnopq',
        account: 'buyer@example.com',
        scopes: ['https://www.googleapis.com/auth/adwords'],
      },
    ],
  });
  key = serviceAccountKey(fake, key.file, key.email);
  return fake;
}

function settingsOf(config: ReturnType<typeof loadConfig>) {
  if (!config.sheet) throw new Error('TRACKER_SHEET is not set');
  return config.sheet;
}

async function failure(read: Promise<unknown>): Promise<Error> {
  const err = await read.then(
    () => null,
    (e: unknown) => e as Error,
  );
  if (err === null) throw new Error('expected the read to fail');
  return err;
}

describe('reading the plan from a sheet with a service account', () => {
  it("gives the CSV reader's plan for the same rows, read unformatted from the first sheet", async () => {
    const plan = await (await source({})).read();
    expect(plan).toEqual(parseTracker(CSV));
    expect(plan.errors).toEqual([{ line: 9, message: 'target_spend "TBD" is not a number' }]);
    const values = fake.requests.find((r) => r.kind === 'values');
    expect(values?.path).toBe(`/v4/spreadsheets/${SHEET_ID}/values/Plan`);
    expect(values?.query).toMatchObject({
      valueRenderOption: 'UNFORMATTED_VALUE',
      dateTimeRenderOption: 'FORMATTED_STRING',
    });
  });

  it("signs in with a JWT the fake verified with the key's public half, at the key file's token_uri", async () => {
    const s = await source({});
    await s.read();
    const token = fake.requests.filter((r) => r.kind === 'token');
    expect(token).toHaveLength(1);
    expect(token[0]).toMatchObject({
      status: 200,
      form: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' },
    });
    const issued = fake.issuedTokens.at(-1);
    expect(fake.requests.filter((r) => r.kind !== 'token').map((r) => r.authorization)).toEqual([
      `Bearer ${issued}`,
      `Bearer ${issued}`,
    ]);
    // The token is kept for the next run.
    await s.read();
    expect(fake.requests.filter((r) => r.kind === 'token')).toHaveLength(1);
  });

  it("reads the sheet the URL's gid names, its title quoted", async () => {
    const plan = await (
      await source({ TRACKER_SHEET: `https://docs.google.com/spreadsheets/d/${SHEET_ID}/edit#gid=777` })
    ).read();
    expect(plan.rows.map((r) => r.campaignId)).toEqual(['ACM-G-001', 'ACM-G-002']);
    expect(fake.requests.find((r) => r.kind === 'values')?.path).toBe(
      `/v4/spreadsheets/${SHEET_ID}/values/${encodeURIComponent("'Q1 ''27 draft'")}`,
    );
  });

  it("reads TRACKER_SHEET_RANGE without asking for the titles, numbering rows from the range's start", async () => {
    const plan = await (await source({ TRACKER_SHEET_RANGE: 'Plan!A1:M5' })).read();
    expect(plan.rows.map((r) => [r.line, r.campaignId])).toEqual([
      [2, 'ACM-G-001'],
      [3, 'ACM-G-002'],
      [4, 'ACM-G-003'],
      [5, 'ACM-G-004'],
    ]);
    expect(fake.requests.map((r) => r.kind)).toEqual(['token', 'values']);
  });

  it('retries 429 and 5xx with backoff, honouring Retry-After', async () => {
    const s = await source({});
    fake.fail({ on: 'values', status: 429, retryAfter: '2' });
    fake.fail({ on: 'values', status: 503 });
    fake.fail({ on: 'token', status: 500, body: { error: 'internal_failure' } });
    const plan = await s.read();
    expect(plan.rows).toHaveLength(parseTracker(CSV).rows.length);
    expect(sleeps).toHaveLength(3);
    expect(sleeps).toContain(2000);
  });

  it('gives up after its attempts and stops the run like an unreadable tracker', async () => {
    const s = await source({});
    fake.fail({ on: 'values', status: 503, times: Number.POSITIVE_INFINITY });
    const err = await failure(s.read());
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).code).toBe('data_unreadable');
    expect(err.message).toMatch(
      /^Cannot read the tracker from Google Sheets: the Sheets API failed \(fault\)\. \(gave up after 4 attempts\)$/,
    );
  });

  it('takes a new token when the API refuses an expired one', async () => {
    const s = await source({});
    await s.read();
    fake.expireTokens();
    await s.read();
    expect(fake.requests.filter((r) => r.status === 401)).toHaveLength(1);
    expect(fake.issuedTokens).toHaveLength(2);
  });

  it.each<[string, Partial<FakeSpreadsheet> | null, Record<string, string>, RegExp]>([
    [
      'a sheet not shared with the service account',
      { sharedWith: ['someone@example.com'] },
      {},
      /the service account pacing-reader@pacing-test\.iam\.gserviceaccount\.com may not read spreadsheet \S+ \(The caller does not have permission\): share the sheet with pacing-reader@pacing-test\.iam\.gserviceaccount\.com/,
    ],
    [
      'an unknown spreadsheet',
      null,
      {},
      /there is no spreadsheet \S+ \(Requested entity was not found\.\): check TRACKER_SHEET/,
    ],
    [
      'a range the sheet does not have',
      {},
      { TRACKER_SHEET_RANGE: 'Plann' },
      /has no range "Plann" \(Unable to parse range: Plann\): set TRACKER_SHEET_RANGE to a sheet's name/,
    ],
    [
      'a gid the spreadsheet does not have',
      {},
      { TRACKER_SHEET: `https://docs.google.com/spreadsheets/d/${SHEET_ID}/edit#gid=5` },
      /has no sheet with gid 5 .*its sheets are "Plan", "Q1 '27 draft"\. Set TRACKER_SHEET_RANGE/,
    ],
  ])('stops at %s with a message saying what to do', async (_name, overrides, env, message) => {
    const s = await source(env, overrides === null ? null : book(overrides));
    const err = await failure(s.read());
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(/^Cannot read the tracker from Google Sheets: /);
    expect(err.message).toMatch(message);
    expect(sleeps).toEqual([]); // a refusal is not retried
  });

  it("names a key Google refuses (deleted, or not the account's) and what to do, without the key", async () => {
    const file = join(dir, 'stale.json');
    const s = await source({ GOOGLE_APPLICATION_CREDENTIALS: file });
    // A key for the same account that Google never registered (the fake knows only key.json's).
    const stale = serviceAccountKey({ addServiceAccount: () => {}, tokenUrl: fake.tokenUrl }, file, key.email);
    const err = await failure(s.read());
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(
      /Google refused the service account's key \(invalid_grant: Invalid JWT Signature\.\).*Create a new JSON key/,
    );
    expect(fake.requests.filter((r) => r.kind === 'token')).toHaveLength(1);
    expect(err.message).not.toContain(stale.privateKey.split('\n')[1]);
  });

  it('keeps the bearer token out of a message when the API echoes it back', async () => {
    const s = await source({});
    fake.fail({
      on: 'values',
      status: 400,
      body: ({ token }) => ({ error: { code: 400, message: `bad token ${token}`, status: 'INVALID_ARGUMENT' } }),
    });
    const err = await failure(s.read());
    const token = fake.issuedTokens.at(-1) as string;
    expect(err.message).toContain('bad token [redacted]');
    expect(err.message).not.toContain(token);
    expect(err.message).not.toContain(token.slice(5));
  });
});

describe('reading the plan with the Google Ads OAuth client', () => {
  const ads = (refreshToken: string) => ({
    GOOGLE_APPLICATION_CREDENTIALS: '',
    GOOGLE_ADS_CLIENT_ID: ADS_CLIENT.id,
    GOOGLE_ADS_CLIENT_SECRET: ADS_CLIENT.secret,
    GOOGLE_ADS_REFRESH_TOKEN: refreshToken,
  });

  it('reads the sheet when the refresh token carries the Sheets scope', async () => {
    const plan = await (await source(ads('1//sheets-refresh-with-scope-abcdefghijklmnop'))).read();
    expect(plan).toEqual(parseTracker(CSV));
    expect(fake.requests[0]?.form).toMatchObject({ grant_type: 'refresh_token', client_id: ADS_CLIENT.id });
  });

  it('says to grant the Sheets scope when the refresh token lacks it, without the token', async () => {
    const token = '1//ads-only-refresh-token-abcdefghijklmnopq';
    const err = await failure((await source(ads(token))).read());
    expect(err.message).toMatch(
      /\(Request had insufficient authentication scopes\.\): GOOGLE_ADS_REFRESH_TOKEN was granted without the https:\/\/www\.googleapis\.com\/auth\/spreadsheets\.readonly scope/,
    );
    expect(err.message).not.toContain(token);
  });
});

describe('the credentials', () => {
  const read = (env: Record<string, string>) => {
    const config = loadConfig({ PACING_DATA_DIR: FIXTURES, TRACKER_SHEET: SHEET_ID, ...env });
    return failure(new SheetsPlanSource(settingsOf(config), config.platforms.google).read());
  };

  it('asks for a key file or the Google Ads client when neither is set', async () => {
    const err = await read({});
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(
      /TRACKER_SHEET is set, but there is nothing to sign in .* GOOGLE_APPLICATION_CREDENTIALS .* GOOGLE_ADS_REFRESH_TOKEN/,
    );
  });

  it.each<[string, string | null, RegExp]>([
    ['a missing file', null, /names \S+missing\.json, which cannot be read \(ENOENT\)/],
    ['a file that is not JSON', 'not json', /which is not JSON: download the key again/],
    [
      'a user credential, not a service account',
      JSON.stringify({
        type: 'authorized_user',
        client_id: 'x',
        refresh_token: '1//user-refresh-token-abcdefghijklmnopqrstu',
      }),
      /is not a service-account key \(its "type" is "authorized_user", not "service_account"; it has no "client_email"; it has no "private_key"\)/,
    ],
  ])('refuses %s, naming the variable and the file', async (_name, content, message) => {
    const file = join(dir, content === null ? 'missing.json' : `bad-${Math.random()}.json`);
    if (content !== null) writeFileSync(file, content);
    const err = await read({ GOOGLE_APPLICATION_CREDENTIALS: file });
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe('GOOGLE_APPLICATION_CREDENTIALS');
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('refresh_token');
  });

  it("registers the key's private key as a secret as soon as the file is read, in the forms it may be echoed", async () => {
    await (await source({})).read();
    expect(redactText(`echo: ${key.privateKey}`)).toBe('echo: [redacted]');
    expect(redactText(`echo: ${JSON.stringify(key.privateKey)}`)).toBe('echo: "[redacted]"');
    expect(redactText(encodeURIComponent(key.privateKey))).toBe('[redacted]');
  });

  it('redacts any PEM private key by its shape, registered or not', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(redactText(`key: ${pem.trim()}.`)).toBe('key: [redacted].');
    const echoed = redactText(`{"key":${JSON.stringify(pem)}}`);
    expect(echoed).toMatch(/^\{"key":"\[redacted\](\\n)?"\}$/);
  });
});

describe('a sheet title as a range', () => {
  it.each([
    ['Plan', 'Plan'],
    ['Media plan', "'Media plan'"],
    ["Q1 '27", "'Q1 ''27'"],
    ['A1', "'A1'"],
    ['2027', "'2027'"],
  ])('%s is %s', (title, range) => {
    expect(quoteTitle(title)).toBe(range);
  });
});
