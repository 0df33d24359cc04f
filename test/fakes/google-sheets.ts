// A local stand-in for the Google Sheets API v4 and Google's OAuth token endpoint, speaking their wire format and
// refusing what Google refuses. Start it with spreadsheets; make a service-account key with `serviceAccountKey`.
//
// Wire format (developers.google.com/sheets/api/reference/rest/v4, identity/protocols/oauth2/service-account):
// - POST /token, form `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`: the JWT's RS256
//   signature is checked with the key's public half, `aud` must be Google's token endpoint and exp - iat at most
//   an hour, else 400 `invalid_grant` ("Invalid JWT Signature.", "Invalid JWT: …"); an unknown `iss` is
//   `invalid_grant` "Invalid grant: account not found". `grant_type=refresh_token` with client id and secret, as
//   the Google Ads client signs in. → `{access_token: "ya29.…", expires_in, token_type: "Bearer"}`.
// - GET /v4/spreadsheets/{id} → `{spreadsheetId, properties, sheets: [{properties: {sheetId, title, index}}]}`.
// - GET /v4/spreadsheets/{id}/values/{range}: `range` in A1 notation (a sheet's title, quoted with '' when it
//   must be, optionally `!A1:M22`; cells alone mean the first sheet); an unknown sheet is 400 INVALID_ARGUMENT
//   "Unable to parse range: …". Values are rendered as asked: FORMATTED_VALUE (the default) gives strings as the
//   cell shows them ("22,800"), UNFORMATTED_VALUE numbers as numbers and dates as serial numbers unless
//   `dateTimeRenderOption=FORMATTED_STRING`. Empty trailing cells and rows are left out.
// - Without a bearer token or with an unknown or expired one: 401 UNAUTHENTICATED; a token without a Sheets or
//   Drive scope: 403 "Request had insufficient authentication scopes."; a spreadsheet not shared with the token's
//   account: 403 "The caller does not have permission"; an unknown id: 404 "Requested entity was not found.".
import { generateKeyPairSync, type KeyObject, randomBytes, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';

export const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const SHEETS_SCOPES = [
  'https://www.googleapis.com/auth/spreadsheets',
  'https://www.googleapis.com/auth/spreadsheets.readonly',
  'https://www.googleapis.com/auth/drive',
  'https://www.googleapis.com/auth/drive.readonly',
];

/** A cell as entered: text, a number, a checkbox, a date (shown as `shown`, default YYYY-MM-DD), or empty. */
export type FakeCell = string | number | boolean | { date: string; shown?: string } | null;

export interface FakeSheet {
  title: string;
  sheetId?: number;
  rows: FakeCell[][];
}

export interface FakeSpreadsheet {
  id: string;
  sheets: FakeSheet[];
  /** The accounts (service-account e-mails, or a refresh token's account) it is shared with. */
  sharedWith: string[];
}

/** A Google account's refresh token for the OAuth client, and the scopes it was granted. */
export interface FakeRefreshToken {
  token: string;
  account: string;
  scopes: string[];
}

export interface FailureRule {
  on: 'token' | 'spreadsheet' | 'values';
  times?: number;
  status: number;
  /** Default: Google's error body for the status. `body` may be built from the request's bearer token. */
  body?: Record<string, unknown> | ((ctx: { token: string | null }) => unknown);
  retryAfter?: string;
}

export interface RecordedSheetsRequest {
  kind: 'token' | 'spreadsheet' | 'values' | 'other';
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  /** The token request's form fields. */
  form: Record<string, string> | null;
  status: number;
}

export interface FakeSheetsOptions {
  spreadsheets?: FakeSpreadsheet[];
  /** OAuth client (the Google Ads one) accepted at /token. */
  client?: { id: string; secret: string };
  refreshTokens?: FakeRefreshToken[];
  tokenTtlSeconds?: number;
}

export interface FakeSheets {
  url: string;
  tokenUrl: string;
  requests: RecordedSheetsRequest[];
  issuedTokens: string[];
  /** The public half of each service account's key, by e-mail: the fake checks JWT signatures with it. */
  addServiceAccount(email: string, publicKey: KeyObject): void;
  fail(rule: FailureRule): void;
  /** Makes every token issued so far expire. */
  expireTokens(): void;
  close(): Promise<void>;
}

interface TokenState {
  account: string;
  scopes: string[];
  expiresAt: number;
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

const apiError = (code: number, message: string) => ({
  error: { code, message, status: STATUS_NAMES[code] ?? 'UNKNOWN' },
});

export async function startFakeSheets(opts: FakeSheetsOptions = {}): Promise<FakeSheets> {
  const spreadsheets = new Map((opts.spreadsheets ?? []).map((s) => [s.id, s]));
  const accounts = new Map<string, KeyObject>();
  const tokens = new Map<string, TokenState>();
  const issuedTokens: string[] = [];
  const requests: RecordedSheetsRequest[] = [];
  const rules: (FailureRule & { left: number })[] = [];
  const ttl = opts.tokenTtlSeconds ?? 3600;

  const server = createServer((req, res) => {
    void handle(req, res).catch((err) => send(res, 500, apiError(500, String(err))));
  });

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
    res.end(JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await new Promise<string>((resolve) => {
      let b = '';
      req.setEncoding('utf8').on('data', (d: string) => {
        b += d;
      });
      req.on('end', () => resolve(b));
    });
    const url = new URL(req.url ?? '/', 'http://fake');
    const authorization = req.headers.authorization ?? null;
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? null;
    const m = /^\/v4\/spreadsheets\/([^/]+)(?:\/values\/(.+))?$/.exec(url.pathname);
    const kind: RecordedSheetsRequest['kind'] =
      url.pathname === '/token' ? 'token' : m ? (m[2] === undefined ? 'spreadsheet' : 'values') : 'other';
    const record: RecordedSheetsRequest = {
      kind,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization,
      form: kind === 'token' ? Object.fromEntries(new URLSearchParams(raw)) : null,
      status: 0,
    };
    requests.push(record);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      send(res, status, body, headers);
    };
    const rule = rules.find((r) => r.on === kind && r.left > 0);
    if (rule) {
      rule.left--;
      const body =
        typeof rule.body === 'function' ? rule.body({ token }) : (rule.body ?? apiError(rule.status, 'fault'));
      return reply(rule.status, body, rule.retryAfter ? { 'retry-after': rule.retryAfter } : {});
    }
    if (kind === 'token' && req.method === 'POST') return reply(...grant(record.form ?? {}));
    if (kind === 'other' || !m || req.method !== 'GET') return reply(404, apiError(404, 'Not Found'));

    const state = token === null ? undefined : tokens.get(token);
    if (token === null)
      return reply(
        401,
        apiError(401, 'Request is missing required authentication credential. Expected OAuth 2 access token.'),
      );
    if (!state || state.expiresAt < Date.now())
      return reply(
        401,
        apiError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.'),
      );
    if (!state.scopes.some((s) => SHEETS_SCOPES.includes(s)))
      return reply(403, apiError(403, 'Request had insufficient authentication scopes.'));
    const book = spreadsheets.get(decodeURIComponent(m[1] as string));
    if (!book) return reply(404, apiError(404, 'Requested entity was not found.'));
    if (!book.sharedWith.includes(state.account))
      return reply(403, apiError(403, 'The caller does not have permission'));
    if (kind === 'spreadsheet') {
      return reply(200, {
        spreadsheetId: book.id,
        properties: { title: `Plan ${book.id}` },
        sheets: book.sheets.map((s, index) => ({
          properties: { sheetId: s.sheetId ?? index, title: s.title, index, sheetType: 'GRID' },
        })),
      });
    }
    const range = decodeURIComponent(m[2] as string);
    const found = resolveRange(book, range);
    if (!found) return reply(400, apiError(400, `Unable to parse range: ${range}`));
    const render = url.searchParams.get('valueRenderOption') ?? 'FORMATTED_VALUE';
    const dates = url.searchParams.get('dateTimeRenderOption') ?? 'SERIAL_NUMBER';
    const values = trim(
      found.sheet.rows
        .slice(found.top - 1, found.bottom)
        .map((r) => r.slice(found.left - 1, found.right).map((c) => renderCell(c, render, dates))),
    );
    return reply(200, {
      range: `${quote(found.sheet.title)}!${column(found.left)}${found.top}:${column(found.right)}${found.bottom}`,
      majorDimension: 'ROWS',
      ...(values.length > 0 ? { values } : {}),
    });
  }

  function grant(form: Record<string, string>): [number, unknown] {
    if (form.grant_type === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const checked = checkAssertion(form.assertion ?? '', accounts);
      if ('error' in checked) return [400, { error: 'invalid_grant', error_description: checked.error }];
      return [200, issue(checked.account, checked.scopes)];
    }
    if (form.grant_type === 'refresh_token') {
      if (form.client_id !== opts.client?.id || form.client_secret !== opts.client?.secret)
        return [401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' }];
      const refresh = opts.refreshTokens?.find((t) => t.token === form.refresh_token);
      if (!refresh) return [400, { error: 'invalid_grant', error_description: 'Bad Request' }];
      return [200, issue(refresh.account, refresh.scopes)];
    }
    return [400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' }];
  }

  function issue(account: string, scopes: string[]) {
    const token = `ya29.fake-${randomBytes(12).toString('hex')}`;
    tokens.set(token, { account, scopes, expiresAt: Date.now() + ttl * 1000 });
    issuedTokens.push(token);
    return { access_token: token, expires_in: ttl, token_type: 'Bearer', scope: scopes.join(' ') };
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tokenUrl: `${url}/token`,
    requests,
    issuedTokens,
    addServiceAccount: (email, key) => accounts.set(email, key),
    fail: (rule) => rules.push({ ...rule, left: rule.times ?? 1 }),
    expireTokens: () => {
      for (const t of tokens.values()) t.expiresAt = 0;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Checks a JWT-bearer assertion as Google does: signature, known issuer, audience, lifetime. */
function checkAssertion(
  assertion: string,
  accounts: ReadonlyMap<string, KeyObject>,
): { account: string; scopes: string[] } | { error: string } {
  const parts = assertion.split('.');
  if (parts.length !== 3) return { error: 'Invalid JWT: the assertion is not a JWT' };
  const [head, body, signature] = parts as [string, string, string];
  let header: { alg?: string };
  let claims: { iss?: string; scope?: string; aud?: string; iat?: number; exp?: number };
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { error: 'Invalid JWT: the assertion cannot be decoded' };
  }
  const key = accounts.get(claims.iss ?? '');
  if (!key) return { error: 'Invalid grant: account not found' };
  if (header.alg !== 'RS256') return { error: 'Invalid JWT Signature.' };
  if (!verify('RSA-SHA256', Buffer.from(`${head}.${body}`), key, Buffer.from(signature, 'base64url')))
    return { error: 'Invalid JWT Signature.' };
  if (claims.aud !== GOOGLE_TOKEN_AUDIENCE) return { error: `Invalid JWT: aud must be ${GOOGLE_TOKEN_AUDIENCE}` };
  const now = Date.now() / 1000;
  const { iat, exp } = claims;
  if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > 3600 || exp < now || iat > now + 300)
    return {
      error:
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
    };
  return { account: claims.iss as string, scopes: (claims.scope ?? '').split(' ').filter(Boolean) };
}

/** A sheet and the cells a range covers (1-based, inclusive), or null when Sheets could not parse it. */
function resolveRange(book: FakeSpreadsheet, range: string) {
  const bang = range.lastIndexOf('!');
  let title = bang < 0 ? range : range.slice(0, bang);
  const cells = bang < 0 ? null : range.slice(bang + 1);
  if (/^'.*'$/.test(title)) title = title.slice(1, -1).replaceAll("''", "'");
  let sheet = book.sheets.find((s) => s.title === title);
  let area = cells;
  if (!sheet && bang < 0 && /^[A-Z]+\d*(:[A-Z]+\d*)?$/.test(range)) {
    sheet = book.sheets[0];
    area = range;
  }
  if (!sheet) return null;
  const height = Math.max(1000, sheet.rows.length);
  const width = Math.max(26, ...sheet.rows.map((r) => r.length));
  if (area === null) return { sheet, top: 1, left: 1, bottom: height, right: width };
  const a1 = /^\$?([A-Z]+)?\$?(\d+)?(?::\$?([A-Z]+)?\$?(\d+)?)?$/.exec(area);
  if (!a1 || (a1[1] === undefined && a1[2] === undefined)) return null;
  const [, col1, row1, col2, row2] = a1;
  const span = area.includes(':');
  return {
    sheet,
    top: row1 ? Number(row1) : 1,
    left: col1 ? columnNumber(col1) : 1,
    bottom: span ? (row2 ? Number(row2) : height) : row1 ? Number(row1) : height,
    right: span ? (col2 ? columnNumber(col2) : width) : col1 ? columnNumber(col1) : width,
  };
}

function renderCell(cell: FakeCell | undefined, render: string, dates: string): unknown {
  if (cell === null || cell === undefined || cell === '') return '';
  if (typeof cell === 'object') {
    const shown = cell.shown ?? cell.date;
    if (render === 'FORMATTED_VALUE' || dates === 'FORMATTED_STRING') return shown;
    return (Date.parse(`${cell.date}T00:00:00Z`) - Date.parse('1899-12-30T00:00:00Z')) / 86_400_000;
  }
  if (render === 'FORMATTED_VALUE') {
    if (typeof cell === 'number') return cell.toLocaleString('en-US', { maximumFractionDigits: 2 });
    if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  }
  return cell;
}

/** Sheets leaves out empty cells at a row's end and empty rows at the end. */
function trim(rows: unknown[][]): unknown[][] {
  const out = rows.map((r) => {
    let end = r.length;
    while (end > 0 && r[end - 1] === '') end--;
    return r.slice(0, end);
  });
  while (out.length > 0 && (out.at(-1) as unknown[]).length === 0) out.pop();
  return out;
}

const column = (n: number): string =>
  (n <= 26 ? '' : column(Math.floor((n - 1) / 26))) + String.fromCharCode(65 + ((n - 1) % 26));
const columnNumber = (letters: string): number => [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
const quote = (title: string) => (/^[A-Za-z0-9_]+$/.test(title) ? title : `'${title.replaceAll("'", "''")}'`);

/**
 * A new service account for the fake: an RSA key made now (never committed), its public half given to the fake,
 * and a key file as Google's console writes it (with `token_uri` at the fake) written to `file`.
 */
export function serviceAccountKey(
  fake: Pick<FakeSheets, 'addServiceAccount' | 'tokenUrl'>,
  file: string,
  email = 'pacing-reader@pacing-test.iam.gserviceaccount.com',
): { email: string; privateKey: string; file: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  fake.addServiceAccount(email, publicKey);
  writeFileSync(
    file,
    JSON.stringify({
      type: 'service_account',
      project_id: 'pacing-test',
      private_key_id: randomBytes(20).toString('hex'),
      private_key: pem,
      client_email: email,
      client_id: '1234567890',
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: fake.tokenUrl,
    }),
  );
  return { email, privateKey: pem, file };
}

const MONEY_COLUMNS = new Set(['target_spend', 'budget']);
const DATE_COLUMNS = new Set(['start_date', 'end_date']);

/**
 * A tracker CSV typed into a sheet as a planner would: money and short ids as numbers, dates as date cells,
 * everything else as text, empty cells empty.
 */
export function sheetRowsFromCsv(csv: string): FakeCell[][] {
  const lines = parse(csv, { relax_column_count: true }) as string[][];
  const header = (lines[0] ?? []).map((h) => h.trim().toLowerCase());
  return lines.map((cells, i) =>
    cells.map((v, c): FakeCell => {
      const column = header[c] ?? '';
      if (i === 0) return v;
      if (v === '') return null;
      if (MONEY_COLUMNS.has(column) && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
      if (column === 'platform_campaign_id' && /^\d{1,15}$/.test(v)) return Number(v);
      if (DATE_COLUMNS.has(column) && /^\d{4}-\d{2}-\d{2}$/.test(v)) return { date: v };
      return v;
    }),
  );
}
