// A local stand-in for the Google Ads API's REST interface and Google's OAuth token endpoint, speaking their
// wire format. Point the adapter's `apiBaseUrl` at `fake.url` and `oauthTokenUrl` at `fake.tokenUrl` (or use
// `fake.settings()`).
//
// Wire format, as Google documents it (developers.google.com/google-ads/api: rest/auth, rest/common/search,
// rest/common/mutate, rest/design/json-mappings, docs/reporting/paging, docs/get-started/handle-errors):
// - POST /token, form body grant_type=refresh_token&client_id&client_secret&refresh_token →
//   `{access_token, expires_in, scope, token_type: "Bearer"}`; a revoked refresh token → 400 `invalid_grant`,
//   a wrong client → 401 `invalid_client`.
// - POST /vNN/customers/{cid}/googleAds:search `{query, pageToken?}` → `{results, nextPageToken?, fieldMask}`,
//   keys lowerCamelCase, int64 as strings, fields left out when unset; GAQL keeps snake_case.
// - POST /vNN/customers/{cid}/campaigns:mutate `{operations: [{update: {resourceName, status}, updateMask}]}`
//   → `{results: [{resourceName}]}`.
// - POST /vNN/customers/{cid}/campaignBudgets:mutate `{operations: [{update: {resourceName, amountMicros},
//   updateMask: "amountMicros"}], validateOnly?}` → `{results: [{resourceName}]}` (`{}` when validateOnly, which
//   changes nothing). Refused as Google refuses them: micros not a multiple of the currency's minimum unit
//   (10,000 for cent currencies) → `campaignBudgetError: NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT`; under the
//   account's per-day minimum → `campaignBudgetError: BUDGET_BELOW_PER_DAY_MINIMUM` with
//   `details.budgetPerDayMinimumErrorDetails`. Campaigns with one `budgetId` share the budget and its amount.
// - Errors: `{error: {code, message, status, details: [{"@type": "…/vNN.errors.GoogleAdsFailure", errors:
//   [{errorCode: {quotaError: "RESOURCE_EXHAUSTED"}, message, details?}], requestId}]}}`.
// - v23 renamed campaign.start_date / end_date to start_date_time / end_date_time ("yyyy-MM-dd HH:mm:ss"); the
//   fake answers by the version in the URL and refuses the other names as Google does (UNRECOGNIZED_FIELD).
// - Dates (docs/query/date-ranges, docs/reporting/segmentation, docs/reporting/zero-metrics): `segments.date` in
//   SELECT segments the report, one row per campaign per day, `"segments": {"date": "YYYY-MM-DD"}`, and needs a
//   finite range in WHERE (`segments.date BETWEEN 'a' AND 'b'`, inclusive, or >= with <=), else QueryError
//   EXPECTED_FILTERS_ON_DATE_RANGE; rows whose selected metrics are all zero are left out of a segmented report.
//   A date condition in WHERE without segments.date in SELECT does not segment: one row per campaign, metrics
//   summed over the range, zero rows kept. Without any date condition metrics are lifetime.
// - Faults the adapter must survive: two campaigns given with one id are both listed (a paging or aggregation
//   fault upstream, in one customer or two), and `idAsNumber` sends a campaign's int64 id as a bare JSON number,
//   as a proxy that converts int64 strings does (past 2^53 JSON.parse loses its last digits).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../src/config.js';

export const FAKE_GOOGLE = {
  clientId: '123456789012-fakeclient.apps.googleusercontent.com',
  clientSecret: 'GOCSPX-fake-client-secret-4f9a2c',
  refreshToken: '1//0gFakeRefreshTokenForTests-abcdefghijklmnop',
  developerToken: 'FakeDevToken0123456789',
} as const;

export type FakeCampaignStatus = 'ENABLED' | 'PAUSED' | 'REMOVED';

export interface FakeGoogleCampaign {
  customerId: string;
  id: string;
  name: string;
  status: FakeCampaignStatus;
  /** YYYY-MM-DD; null leaves the field out. */
  startDate?: string | null;
  /** YYYY-MM-DD; null means "runs indefinitely" (left out in v23+, 2037-12-30 before). */
  endDate?: string | null;
  /** Daily budget in micros (int64 as a string); null leaves campaign_budget out. */
  budgetMicros?: string | null;
  /** The budget's id (default the campaign id followed by 0); campaigns given one id share that budget. */
  budgetId?: string;
  /** campaign_budget.explicitly_shared. */
  budgetShared?: boolean;
  /**
   * Lifetime cost in micros (what a query without a date condition answers); null leaves metrics.costMicros
   * out, as Google does for campaigns without cost. Left undefined, it is the sum of `costByDay`.
   */
  costMicros?: string | null;
  /**
   * Cost per day (YYYY-MM-DD, the account's time zone) in micros, for queries with segments.date. Days that are
   * not listed had no cost. Independent of `costMicros`, so a reused campaign can have lifetime cost from days
   * that are not listed here.
   */
  costByDay?: Record<string, string>;
  /** campaign.id as a bare JSON number instead of Google's int64 string, in every row about this campaign. */
  idAsNumber?: boolean;
}

export interface FakeGoogleCustomer {
  id: string;
  currencyCode: string;
  /** customer.time_zone, an IANA zone (Google's default for a new account is the advertiser's). */
  timeZone?: string;
  /** The smallest daily budget Google takes in this account, in micros (default: one minimum currency unit). */
  minDailyBudgetMicros?: string;
}

export type GoogleFailure =
  /** 429 RESOURCE_EXHAUSTED with quotaErrorDetails.retryDelay (default "40591s"). */
  | { type: 'quota'; retryDelay?: string }
  /** 429 RESOURCE_TEMPORARILY_EXHAUSTED, optionally with a retryDelay. */
  | { type: 'temporarily_exhausted'; retryDelay?: string }
  /** 500 INTERNAL. */
  | { type: 'internal' }
  /** 403 PERMISSION_DENIED, authorizationError USER_PERMISSION_DENIED. */
  | { type: 'permission_denied' }
  /** 401 UNAUTHENTICATED, whatever the token. */
  | { type: 'unauthenticated' }
  /** A mutate answered 200 with the resource name, but the status is left as it was. */
  | { type: 'mutate_noop' }
  /** The connection is dropped without an answer. */
  | { type: 'reset' }
  /** Any answer; `body` may be built from the request's bearer token. */
  | { type: 'raw'; status: number; body: unknown | ((ctx: { token: string | null }) => unknown) };

export interface FailureRule {
  on: 'search' | 'mutate' | 'token';
  /** Only requests for this customer; any customer when left out. */
  customerId?: string;
  /** How many matching requests fail (default 1; Infinity for all). */
  times?: number;
  failure: GoogleFailure;
}

export interface RecordedGoogleRequest {
  kind: 'token' | 'search' | 'mutate' | 'other';
  method: string;
  path: string;
  /** "v26" for API calls. */
  version: string | null;
  customerId: string | null;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** JSON body, or the form fields of a token request. */
  body: unknown;
  /** The HTTP status answered (0 when the connection was dropped). */
  status: number;
  at: number;
}

export interface FakeGoogleAdsOptions {
  /** Two entries with one id are both listed, each with its own figures (see the faults above). */
  campaigns?: FakeGoogleCampaign[];
  /** Defaults to every customer the campaigns name, in EUR. */
  customers?: FakeGoogleCustomer[];
  /** Rows per search page (Google: 10,000). */
  pageSize?: number;
  /** Lifetime of issued access tokens (Google: 3600 s). */
  tokenTtlSeconds?: number;
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  /** When set, every API call must carry `login-customer-id` with this manager id, or gets USER_PERMISSION_DENIED. */
  managerId?: string | null;
}

export interface FakeGoogleAds {
  /** Base URL of the API (use as apiBaseUrl). */
  url: string;
  tokenUrl: string;
  requests: RecordedGoogleRequest[];
  /** Every access token handed out, in order. */
  issuedTokens: string[];
  /** The first campaign with this id. */
  campaign(id: string): FakeGoogleCampaign | undefined;
  /** Sets the status of every campaign with this id. */
  setStatus(id: string, status: FakeCampaignStatus): void;
  fail(rule: FailureRule): void;
  /** Marks every access token issued so far as expired: the next API call with one gets 401. */
  expireTokens(): void;
  /** The refresh token stops working: the token endpoint answers 400 invalid_grant. */
  revokeRefreshToken(): void;
  /** Closes the listener: later connections are refused. */
  goDown(): Promise<void>;
  /** Adapter settings pointing at this fake. */
  settings(overrides?: Partial<Config['platforms']['google']>): Config['platforms']['google'];
  close(): Promise<void>;
}

const ADWORDS_SCOPE = 'https://www.googleapis.com/auth/adwords';
const PERMISSION_MESSAGE =
  "User doesn't have permission to access customer. Note: If you're accessing a client customer, the manager's customer id must be set in the 'login-customer-id' header. See https://developers.google.com/google-ads/api/docs/concepts/call-structure#cid";

interface TokenState {
  expiresAt: number;
  expired: boolean;
}

interface Rule extends FailureRule {
  left: number;
}

export async function startFakeGoogleAds(opts: FakeGoogleAdsOptions = {}): Promise<FakeGoogleAds> {
  const clientId = opts.clientId ?? FAKE_GOOGLE.clientId;
  const clientSecret = opts.clientSecret ?? FAKE_GOOGLE.clientSecret;
  const refreshToken = opts.refreshToken ?? FAKE_GOOGLE.refreshToken;
  const pageSize = opts.pageSize ?? 10_000;
  const ttl = opts.tokenTtlSeconds ?? 3600;
  const managerId = opts.managerId ?? null;
  // A list, not a map by id: a duplicated id is a fault the fake must be able to send.
  const campaigns: FakeGoogleCampaign[] = (opts.campaigns ?? []).map((c) => ({ ...c }));
  const customers = new Map<string, FakeGoogleCustomer>();
  for (const c of opts.customers ??
    [...new Set(campaigns.map((c) => c.customerId))].map((id) => ({ id, currencyCode: 'EUR' }))) {
    customers.set(c.id, c);
  }
  const tokens = new Map<string, TokenState>();
  const issuedTokens: string[] = [];
  const requests: RecordedGoogleRequest[] = [];
  const rules: Rule[] = [];
  let refreshRevoked = false;
  let down = false;

  const takeFailure = (on: FailureRule['on'], customerId: string | null): GoogleFailure | null => {
    for (const rule of rules) {
      if (rule.on !== on || rule.left <= 0) continue;
      if (rule.customerId !== undefined && rule.customerId !== customerId) continue;
      rule.left--;
      return rule.failure;
    }
    return null;
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, { error: { code: 500, message: String(err), status: 'INTERNAL' } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] as string;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    const record: RecordedGoogleRequest = {
      kind: 'other',
      method: req.method ?? 'GET',
      path,
      version: null,
      customerId: null,
      headers,
      body: null,
      status: 0,
      at: Date.now(),
    };
    requests.push(record);
    const answer = (status: number, body: unknown) => {
      record.status = status;
      send(res, status, body);
    };
    const fail = (canned: [number, unknown] | 'reset') => {
      if (canned === 'reset') {
        record.status = 0;
        req.socket.destroy();
        return;
      }
      answer(...canned);
    };

    if (path === '/token') {
      record.kind = 'token';
      const form = Object.fromEntries(new URLSearchParams(raw));
      record.body = form;
      const failure = takeFailure('token', null);
      if (failure) return fail(failureAnswer(failure, 'v26', null));
      if (req.method !== 'POST') return answer(405, { error: 'invalid_request', error_description: 'POST required' });
      if (form.grant_type !== 'refresh_token') {
        return answer(400, {
          error: 'unsupported_grant_type',
          error_description: `Invalid grant_type: ${form.grant_type ?? ''}`,
        });
      }
      if (form.client_id !== clientId || form.client_secret !== clientSecret) {
        return answer(401, { error: 'invalid_client', error_description: 'Unauthorized' });
      }
      if (form.refresh_token !== refreshToken || refreshRevoked) {
        return answer(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      }
      const token = `ya29.fake-${randomBytes(18).toString('base64url')}`;
      tokens.set(token, { expiresAt: Date.now() + ttl * 1000, expired: false });
      issuedTokens.push(token);
      return answer(200, { access_token: token, expires_in: ttl, scope: ADWORDS_SCOPE, token_type: 'Bearer' });
    }

    const m = /^\/(v\d+)\/customers\/([^/]+)\/(googleAds:search|campaigns:mutate|campaignBudgets:mutate)$/.exec(path);
    if (!m) return answer(404, { error: { code: 404, message: `Method not found: ${path}`, status: 'NOT_FOUND' } });
    const version = m[1] as string;
    const customerId = m[2] as string;
    record.version = version;
    record.customerId = customerId;
    record.kind = m[3] === 'googleAds:search' ? 'search' : 'mutate';
    let body: Record<string, unknown> | null = null;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      body = null;
    }
    record.body = body;
    if (req.method !== 'POST')
      return answer(405, { error: { code: 405, message: 'POST required', status: 'UNIMPLEMENTED' } });

    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1] ?? null;
    const failure = takeFailure(record.kind, customerId);
    if (failure && failure.type !== 'mutate_noop') return fail(failureAnswer(failure, version, bearer));

    const state = bearer ? tokens.get(bearer) : undefined;
    if (!state || state.expired || Date.now() >= state.expiresAt) return answer(401, unauthenticated());
    if (!customers.has(customerId) || (managerId !== null && headers['login-customer-id'] !== managerId)) {
      return answer(403, permissionDenied(version));
    }
    if (!body || typeof body !== 'object')
      return answer(
        400,
        adsError(version, 400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.', [
          { errorCode: { requestError: 'INVALID_INPUT' }, message: 'The request body is not JSON.' },
        ]),
      );

    if (record.kind === 'search') return answer(...search(version, customerId, body));
    if (m[3] === 'campaignBudgets:mutate') {
      return answer(...mutateBudgets(version, customerId, body, failure?.type === 'mutate_noop'));
    }
    return answer(...mutate(version, customerId, body, failure?.type === 'mutate_noop'));
  }

  /** The canned answer for a failure, or 'reset' to drop the connection. */
  function failureAnswer(failure: GoogleFailure, version: string, bearer: string | null): [number, unknown] | 'reset' {
    switch (failure.type) {
      case 'quota': {
        const delay = failure.retryDelay ?? '40591s';
        const seconds = Number.parseFloat(delay);
        return [
          429,
          adsError(version, 429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).', [
            {
              errorCode: { quotaError: 'RESOURCE_EXHAUSTED' },
              message: `Too many requests. Retry in ${seconds} seconds.`,
              details: {
                quotaErrorDetails: {
                  rateScope: 'DEVELOPER',
                  rateName: 'Number of operations for basic access',
                  retryDelay: delay,
                },
              },
            },
          ]),
        ];
      }
      case 'temporarily_exhausted':
        return [
          429,
          adsError(version, 429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).', [
            {
              errorCode: { quotaError: 'RESOURCE_TEMPORARILY_EXHAUSTED' },
              message: 'Too many requests in a short amount of time.',
              ...(failure.retryDelay
                ? {
                    details: {
                      quotaErrorDetails: {
                        rateScope: 'ACCOUNT',
                        rateName: 'Requests per account',
                        retryDelay: failure.retryDelay,
                      },
                    },
                  }
                : {}),
            },
          ]),
        ];
      case 'internal':
        return [
          500,
          adsError(version, 500, 'INTERNAL', 'Internal error encountered.', [
            { errorCode: { internalError: 'INTERNAL_ERROR' }, message: 'An internal error has occurred.' },
          ]),
        ];
      case 'permission_denied':
        return [403, permissionDenied(version)];
      case 'unauthenticated':
        return [401, unauthenticated()];
      case 'reset':
        return 'reset';
      case 'raw':
        return [
          failure.status,
          typeof failure.body === 'function'
            ? (failure.body as (ctx: { token: string | null }) => unknown)({ token: bearer })
            : failure.body,
        ];
      case 'mutate_noop':
        return [
          500,
          {
            error: { code: 500, message: 'mutate_noop applies to mutates only', status: 'INTERNAL' },
          },
        ];
    }
  }

  function search(version: string, customerId: string, body: Record<string, unknown>): [number, unknown] {
    const query = body.query;
    if (typeof query !== 'string' || !query.trim()) {
      return [
        400,
        adsError(version, 400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', [
          { errorCode: { queryError: 'QUERY_NOT_SET' }, message: 'Query is empty.' },
        ]),
      ];
    }
    if ('pageSize' in body) {
      return [
        400,
        adsError(version, 400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', [
          {
            errorCode: { requestError: 'PAGE_SIZE_NOT_SUPPORTED' },
            message: 'Setting the page size is not supported.',
          },
        ]),
      ];
    }
    const parsed = parseGaql(query, version);
    if ('error' in parsed) {
      return [
        400,
        adsError(version, 400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', [
          { errorCode: { queryError: parsed.code }, message: parsed.error },
        ]),
      ];
    }
    const matching = campaigns.filter((c) => c.customerId === customerId && parsed.where.every((cond) => cond(c)));
    // Stable: copies of one id keep the order they were given in.
    matching.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
    const segmented = parsed.fields.includes('segments.date');
    const dates = parsed.dates;
    if (segmented && (dates.min === null || dates.max === null)) {
      return [
        400,
        adsError(version, 400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', [
          {
            errorCode: { queryError: 'EXPECTED_FILTERS_ON_DATE_RANGE' },
            message: 'Missing filters on date related fields.',
          },
        ]),
      ];
    }
    const filtered = dates.min !== null || dates.max !== null;
    const inRange = (day: string) =>
      (dates.min === null || day >= dates.min) && (dates.max === null || day <= dates.max);
    const daysOf = (c: FakeGoogleCampaign) =>
      Object.entries(c.costByDay ?? {})
        .filter(([day]) => inRange(day))
        .sort(([a], [b]) => (a < b ? -1 : 1));
    let all: FakeRow[];
    if (segmented) {
      // One row per campaign per day; a day whose selected metrics are all zero is left out.
      all = matching.flatMap((c) =>
        daysOf(c)
          .filter(([, micros]) => BigInt(micros) !== 0n)
          .map(([day, micros]) => ({ c, date: day, cost: micros })),
      );
    } else if (filtered) {
      // Filtered on dates but not segmented: one row per campaign, cost summed over the range, zero rows kept.
      all = matching.map((c) => {
        const sum = daysOf(c).reduce((acc, [, micros]) => acc + BigInt(micros), 0n);
        return { c, date: null, cost: sum === 0n ? null : String(sum) };
      });
    } else {
      all = matching.map((c) => ({ c, date: null, cost: lifetimeCost(c) }));
    }
    const rows = parsed.limit === null ? all : all.slice(0, parsed.limit);
    let offset = 0;
    if (typeof body.pageToken === 'string' && body.pageToken !== '') {
      const decoded = decodePageToken(body.pageToken);
      if (!decoded || decoded.query !== query) {
        return [
          400,
          adsError(version, 400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', [
            { errorCode: { requestError: 'INVALID_PAGE_TOKEN' }, message: 'Page token is invalid.' },
          ]),
        ];
      }
      offset = decoded.offset;
    }
    const page = rows.slice(offset, offset + pageSize);
    const customer = customers.get(customerId) as FakeGoogleCustomer;
    const out: Record<string, unknown> = {
      results: page.map((r) => buildRow(r, customer, parsed.fields, version)),
      fieldMask: parsed.fields.map(camelPath).join(','),
    };
    if (offset + pageSize < rows.length) out.nextPageToken = encodePageToken(query, offset + pageSize);
    return [200, out];
  }

  function mutate(
    version: string,
    customerId: string,
    body: Record<string, unknown>,
    noop: boolean,
  ): [number, unknown] {
    const ops = body.operations;
    const bad = (code: Record<string, string>, message: string): [number, unknown] => [
      400,
      adsError(version, 400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', [
        { errorCode: code, message },
      ]),
    ];
    if (!Array.isArray(ops) || ops.length === 0)
      return bad({ requestError: 'EMPTY_OPERATIONS' }, 'No operations in the request.');
    const changes: [FakeGoogleCampaign[], FakeCampaignStatus][] = [];
    const results: { resourceName: string }[] = [];
    for (const op of ops as Record<string, unknown>[]) {
      const update = op?.update as { resourceName?: unknown; status?: unknown } | undefined;
      if (!update)
        return bad({ requestError: 'BAD_RESOURCE_ID' }, 'Only update operations are supported by this fake.');
      const mask = typeof op.updateMask === 'string' ? op.updateMask.split(',').map((s) => s.trim()) : [];
      if (!mask.includes('status'))
        return bad({ fieldMaskError: 'FIELD_NOT_FOUND' }, 'The update mask does not name "status".');
      const name = typeof update.resourceName === 'string' ? update.resourceName : '';
      const rm = /^customers\/(\d+)\/campaigns\/(\d+)$/.exec(name);
      if (!rm || rm[1] !== customerId)
        return bad({ requestError: 'RESOURCE_NAME_MALFORMED' }, `Resource name '${name}' is malformed.`);
      // One resource: every listed copy of it changes together.
      const copies = campaigns.filter((c) => c.id === rm[2] && c.customerId === customerId && c.status !== 'REMOVED');
      if (copies.length === 0) {
        return bad({ mutateError: 'RESOURCE_NOT_FOUND' }, 'The requested resource was not found.');
      }
      if (update.status !== 'ENABLED' && update.status !== 'PAUSED') {
        return bad({ campaignError: 'INVALID_STATUS' }, `Status ${JSON.stringify(update.status)} cannot be set.`);
      }
      changes.push([copies, update.status]);
      results.push({ resourceName: name });
    }
    // Operations are all-or-nothing: apply only once every one is valid.
    if (!noop) for (const [copies, status] of changes) for (const c of copies) c.status = status;
    return [200, { results }];
  }

  function mutateBudgets(
    version: string,
    customerId: string,
    body: Record<string, unknown>,
    noop: boolean,
  ): [number, unknown] {
    const ops = body.operations;
    const bad = (code: Record<string, string>, message: string, details?: unknown): [number, unknown] => [
      400,
      adsError(version, 400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', [
        { errorCode: code, message, ...(details ? { details } : {}) },
      ]),
    ];
    if (!Array.isArray(ops) || ops.length === 0)
      return bad({ requestError: 'EMPTY_OPERATIONS' }, 'No operations in the request.');
    const customer = customers.get(customerId) as FakeGoogleCustomer;
    const digits = Math.min(
      6,
      new Intl.NumberFormat('en', { style: 'currency', currency: customer.currencyCode }).resolvedOptions()
        .maximumFractionDigits ?? 2,
    );
    const unit = 10n ** BigInt(6 - digits);
    const minimum = BigInt(customer.minDailyBudgetMicros ?? unit);
    const changes: [FakeGoogleCampaign[], string][] = [];
    const results: { resourceName: string }[] = [];
    for (const op of ops as Record<string, unknown>[]) {
      const update = op?.update as { resourceName?: unknown; amountMicros?: unknown } | undefined;
      if (!update)
        return bad({ requestError: 'BAD_RESOURCE_ID' }, 'Only update operations are supported by this fake.');
      const mask = typeof op.updateMask === 'string' ? op.updateMask.split(',').map((f) => f.trim()) : [];
      if (!mask.includes('amountMicros'))
        return bad({ fieldMaskError: 'FIELD_NOT_FOUND' }, 'The update mask does not name "amountMicros".');
      const name = typeof update.resourceName === 'string' ? update.resourceName : '';
      const rm = /^customers\/(\d+)\/campaignBudgets\/(\d+)$/.exec(name);
      if (!rm || rm[1] !== customerId)
        return bad({ requestError: 'RESOURCE_NAME_MALFORMED' }, `Resource name '${name}' is malformed.`);
      const users = campaigns.filter(
        (c) => c.customerId === customerId && c.budgetMicros != null && (c.budgetId ?? `${c.id}0`) === rm[2],
      );
      if (users.length === 0)
        return bad({ mutateError: 'RESOURCE_NOT_FOUND' }, 'The requested resource was not found.');
      // int64 in proto JSON: a decimal string (a bare number is accepted too, as Google's parser does).
      const raw = typeof update.amountMicros === 'number' ? String(update.amountMicros) : update.amountMicros;
      if (typeof raw !== 'string' || !/^-?\d+$/.test(raw))
        return bad({ requestError: 'INVALID_INPUT' }, `Invalid value for amount_micros: ${JSON.stringify(raw)}.`);
      const micros = BigInt(raw);
      if (micros < 0n) return bad({ campaignBudgetError: 'NEGATIVE_MONEY_AMOUNT' }, 'The budget amount is negative.');
      if (micros % unit !== 0n)
        return bad(
          { campaignBudgetError: 'NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT' },
          'Budget amount must be a multiple of the minimum currency unit.',
        );
      if (micros < minimum)
        return bad(
          { campaignBudgetError: 'BUDGET_BELOW_PER_DAY_MINIMUM' },
          'The budget is below the per-day minimum.',
          {
            budgetPerDayMinimumErrorDetails: {
              currencyCode: customer.currencyCode,
              budgetAmountMicros: raw,
              minimumBudgetAmountMicros: String(minimum),
            },
          },
        );
      changes.push([users, raw]);
      results.push({ resourceName: name });
    }
    if (body.validateOnly === true) return [200, {}];
    // All-or-nothing, like campaigns:mutate: applied only once every operation is valid.
    if (!noop) for (const [users, micros] of changes) for (const c of users) c.budgetMicros = micros;
    return [200, { results }];
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const close = () =>
    new Promise<void>((resolve) => {
      if (down) return resolve();
      down = true;
      server.close(() => resolve());
      server.closeAllConnections();
    });

  return {
    url,
    tokenUrl: `${url}/token`,
    requests,
    issuedTokens,
    campaign: (id) => campaigns.find((c) => c.id === id),
    setStatus(id, status) {
      const copies = campaigns.filter((c) => c.id === id);
      if (copies.length === 0) throw new Error(`fake Google Ads has no campaign ${id}`);
      for (const c of copies) c.status = status;
    },
    fail(rule) {
      rules.push({ ...rule, left: rule.times ?? 1 });
    },
    expireTokens() {
      for (const state of tokens.values()) state.expired = true;
    },
    revokeRefreshToken() {
      refreshRevoked = true;
    },
    goDown: close,
    settings(overrides = {}) {
      return {
        customerIds: [...customers.keys()],
        developerToken: FAKE_GOOGLE.developerToken,
        loginCustomerId: managerId,
        clientId,
        clientSecret,
        refreshToken,
        apiBaseUrl: url,
        apiVersion: 'v26',
        oauthTokenUrl: `${url}/token`,
        ...overrides,
      };
    },
    close,
  };
}

// ---- GAQL, just enough: SELECT fields FROM campaign [WHERE cond AND …] [ORDER BY …] [LIMIT n] ----

type Condition = (c: FakeGoogleCampaign) => boolean;

/** Inclusive bounds on segments.date from WHERE; null where there is none. */
interface DateBounds {
  min: string | null;
  max: string | null;
}

/** One result row: a campaign, and the day it is for when the query is segmented by segments.date. */
interface FakeRow {
  c: FakeGoogleCampaign;
  date: string | null;
  /** metrics.cost_micros for this row; null leaves it out. */
  cost: string | null;
}

/** Lifetime cost: `costMicros` when given (null: none), else the sum of `costByDay`. */
function lifetimeCost(c: FakeGoogleCampaign): string | null {
  if (c.costMicros !== undefined) return c.costMicros;
  if (!c.costByDay) return null;
  const sum = Object.values(c.costByDay).reduce((acc, micros) => acc + BigInt(micros), 0n);
  return sum === 0n ? null : String(sum);
}

const COMMON_FIELDS = new Set([
  'campaign.id',
  'campaign.name',
  'campaign.status',
  'campaign.resource_name',
  'campaign.campaign_budget',
  'campaign_budget.amount_micros',
  'campaign_budget.explicitly_shared',
  'customer.currency_code',
  'customer.id',
  'customer.time_zone',
  'metrics.cost_micros',
  'segments.date',
]);

function versionFields(version: string): Set<string> {
  const major = Number(version.slice(1));
  const dates =
    major >= 23 ? ['campaign.start_date_time', 'campaign.end_date_time'] : ['campaign.start_date', 'campaign.end_date'];
  return new Set([...COMMON_FIELDS, ...dates]);
}

export function parseGaql(
  query: string,
  version: string,
): { fields: string[]; where: Condition[]; dates: DateBounds; limit: number | null } | { error: string; code: string } {
  const m =
    /^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+.+?)?(?:\s+LIMIT\s+(\d+))?\s*$/is.exec(
      query,
    );
  if (!m)
    return {
      error: `Error in query: unexpected input ${JSON.stringify(query.slice(0, 40))}.`,
      code: 'UNEXPECTED_INPUT',
    };
  if ((m[2] as string).toLowerCase() !== 'campaign')
    return { error: `This fake only serves FROM campaign, not ${m[2]}.`, code: 'INVALID_RESOURCE_NAME' };
  const known = versionFields(version);
  const fields = (m[1] as string).split(',').map((f) => f.trim());
  for (const f of fields) {
    if (!known.has(f)) return { error: `Unrecognized field in the query: '${f}'.`, code: 'UNRECOGNIZED_FIELD' };
  }
  const where: Condition[] = [];
  const dates: DateBounds = { min: null, max: null };
  const tighten = (op: string, day: string) => {
    if (op === '>=' || op === '=' || op === '>') {
      const from = op === '>' ? nextDay(day) : day;
      if (dates.min === null || from > dates.min) dates.min = from;
    }
    if (op === '<=' || op === '=' || op === '<') {
      const to = op === '<' ? previousDay(day) : day;
      if (dates.max === null || to < dates.max) dates.max = to;
    }
  };
  // The AND inside "BETWEEN a AND b" is not a conjunction: set it apart before splitting on AND.
  const text = (m[3] ?? '').replace(/\bBETWEEN\s+('[^']*'|"[^"]*"|\S+)\s+AND\s+/gi, 'BETWEEN $1 \u0001 ');
  for (const part of text ? text.split(/\s+AND\s+/i) : []) {
    const d = /^\s*segments\.date\s*(BETWEEN|>=|<=|=|>|<)\s*(.+?)\s*$/i.exec(part);
    if (d) {
      const op = (d[1] as string).toUpperCase();
      const values = op === 'BETWEEN' ? (d[2] as string).split('\u0001') : [d[2] as string];
      if (op === 'BETWEEN' && values.length !== 2)
        return { error: 'Expected AND between values with BETWEEN operator.', code: 'EXPECTED_AND' };
      const days = values.map(parseDate);
      if (days.some((day) => day === null))
        return {
          error: `Error in query: invalid date in ${JSON.stringify(part.trim())}.`,
          code: 'INVALID_DATE_FORMAT',
        };
      if (op === 'BETWEEN') {
        tighten('>=', days[0] as string);
        tighten('<=', days[1] as string);
      } else tighten(op, days[0] as string);
      continue;
    }
    const c = /^\s*(campaign\.id|campaign\.status|campaign\.name)\s*(=|!=|NOT IN|IN)\s*(.+?)\s*$/i.exec(part);
    if (!c)
      return {
        error: `Error in query: cannot filter on ${JSON.stringify(part.trim())} in this fake.`,
        code: 'UNEXPECTED_INPUT',
      };
    const field = (c[1] as string).toLowerCase();
    const op = (c[2] as string).toUpperCase();
    const values = parseValues(c[3] as string);
    if (!values)
      return { error: `Error in query: bad value ${JSON.stringify(c[3])}.`, code: 'BAD_VALUE_IN_WHERE_CLAUSE' };
    const get = (x: FakeGoogleCampaign) =>
      field === 'campaign.id' ? x.id : field === 'campaign.status' ? x.status : x.name;
    if (op === '=' || op === 'IN') where.push((x) => values.includes(get(x)));
    else where.push((x) => !values.includes(get(x)));
  }
  return { fields, where, dates, limit: m[4] ? Number(m[4]) : null };
}

/** A quoted date, 'YYYY-MM-DD' or 'YYYYMMDD' (both are accepted by GAQL), as YYYY-MM-DD; null otherwise. */
function parseDate(value: string): string | null {
  const q = /^\s*(?:'([^']*)'|"([^"]*)")\s*$/.exec(value);
  const raw = q ? (q[1] ?? q[2] ?? '') : '';
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(raw);
  if (!m) return null;
  const day = `${m[1]}-${m[2]}-${m[3]}`;
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day ? day : null;
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

function previousDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

function parseValues(text: string): string[] | null {
  const t = text.trim();
  const list = /^\((.*)\)$/.exec(t);
  const items = list ? (list[1] as string).split(',') : [t];
  const out: string[] = [];
  for (const item of items) {
    const v = item.trim();
    const quoted = /^'(.*)'$/.exec(v) ?? /^"(.*)"$/.exec(v);
    if (quoted) out.push(quoted[1] as string);
    else if (/^\d+$/.test(v) || /^[A-Z_]+$/.test(v)) out.push(v);
    else return null;
  }
  return out;
}

function buildRow(
  r: FakeRow,
  customer: FakeGoogleCustomer,
  fields: string[],
  version: string,
): Record<string, unknown> {
  const { c } = r;
  const row: Record<string, Record<string, unknown>> = {};
  const budgetId = c.budgetId ?? `${c.id}0`;
  const part = (resource: string): Record<string, unknown> => {
    if (!row[resource]) {
      row[resource] =
        resource === 'campaign'
          ? { resourceName: `customers/${c.customerId}/campaigns/${c.id}` }
          : resource === 'campaignBudget'
            ? { resourceName: `customers/${c.customerId}/campaignBudgets/${budgetId}` }
            : resource === 'customer'
              ? { resourceName: `customers/${customer.id}` }
              : {};
    }
    return row[resource] as Record<string, unknown>;
  };
  const preV23 = Number(version.slice(1)) < 23;
  for (const f of fields) {
    switch (f) {
      case 'campaign.id':
        part('campaign').id = c.idAsNumber ? jsonNumber(c.id) : c.id;
        break;
      case 'campaign.name':
        part('campaign').name = c.name;
        break;
      case 'campaign.status':
        part('campaign').status = c.status;
        break;
      case 'campaign.resource_name':
        part('campaign');
        break;
      case 'campaign.start_date':
        if (c.startDate) part('campaign').startDate = c.startDate;
        break;
      case 'campaign.end_date':
        part('campaign').endDate = c.endDate ?? (preV23 ? '2037-12-30' : undefined);
        break;
      case 'campaign.start_date_time':
        if (c.startDate) part('campaign').startDateTime = `${c.startDate} 00:00:00`;
        break;
      case 'campaign.end_date_time':
        if (c.endDate) part('campaign').endDateTime = `${c.endDate} 23:59:59`;
        break;
      case 'campaign_budget.amount_micros':
        if (c.budgetMicros != null) part('campaignBudget').amountMicros = c.budgetMicros;
        break;
      case 'campaign.campaign_budget':
        if (c.budgetMicros != null)
          part('campaign').campaignBudget = `customers/${c.customerId}/campaignBudgets/${budgetId}`;
        break;
      case 'campaign_budget.explicitly_shared':
        // An optional bool: written when the campaign has a budget, false included.
        if (c.budgetMicros != null) part('campaignBudget').explicitlyShared = c.budgetShared === true;
        break;
      case 'customer.currency_code':
        part('customer').currencyCode = customer.currencyCode;
        break;
      case 'customer.id':
        part('customer').id = customer.id;
        break;
      case 'customer.time_zone':
        part('customer').timeZone = customer.timeZone ?? 'Europe/Berlin';
        break;
      case 'metrics.cost_micros':
        if (r.cost != null) part('metrics').costMicros = r.cost;
        else part('metrics');
        break;
      case 'segments.date':
        if (r.date !== null) part('segments').date = r.date;
        break;
    }
  }
  return row;
}

function camelPath(field: string): string {
  return field
    .split('.')
    .map((p) => p.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase()))
    .join('.');
}

function encodePageToken(query: string, offset: number): string {
  return Buffer.from(JSON.stringify({ query, offset })).toString('base64url');
}

function decodePageToken(token: string): { query: string; offset: number } | null {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { query?: unknown; offset?: unknown };
    return typeof v.query === 'string' && typeof v.offset === 'number' ? { query: v.query, offset: v.offset } : null;
  } catch {
    return null;
  }
}

function adsError(
  version: string,
  code: number,
  status: string,
  message: string,
  errors: { errorCode: Record<string, string>; message: string; details?: unknown }[],
): unknown {
  return {
    error: {
      code,
      message,
      status,
      details: [
        {
          '@type': `type.googleapis.com/google.ads.googleads.${version}.errors.GoogleAdsFailure`,
          errors,
          requestId: randomBytes(16).toString('base64url').slice(0, 22),
        },
      ],
    },
  };
}

function permissionDenied(version: string): unknown {
  return adsError(version, 403, 'PERMISSION_DENIED', 'The caller does not have permission', [
    { errorCode: { authorizationError: 'USER_PERMISSION_DENIED' }, message: PERMISSION_MESSAGE },
  ]);
}

function unauthenticated(): unknown {
  return {
    error: {
      code: 401,
      message:
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
      status: 'UNAUTHENTICATED',
    },
  };
}

/** Marks digits to be written as a bare JSON number (JSON.stringify cannot write one past 2^53 exactly). */
const jsonNumber = (digits: string): string => `\u0000json-number:${digits}\u0000`;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body).replace(/"\\u0000json-number:(\d+)\\u0000"/g, '$1');
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
