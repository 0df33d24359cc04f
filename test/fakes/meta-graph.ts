// A local stand-in for Meta's Graph API (Marketing API), speaking its wire format, for the live Meta adapter's tests.
// Point the adapter's META_GRAPH_API_BASE_URL at `fake.url`.
//
// Wire format, as Meta documents it (developers.facebook.com/docs/graph-api/results, …/guides/error-handling,
// …/graph-api/overview/rate-limiting, …/marketing-api/insights, …/marketing-api/currencies):
// - `GET /{version}/act_{id}?fields=currency,timezone_name` → `{currency, timezone_name, id: "act_{id}"}`.
// - `GET /{version}/act_{id}/campaigns` and `/act_{id}/insights` → `{data: [...], paging: {cursors: {before, after},
//   next?}}`; `next` is an absolute URL carrying the query (and `access_token`, as Meta's links do); no `next` on the
//   last page. Fields that are not set (a campaign without a daily budget) are left out of the object.
// - Insights numbers are strings (`"spend": "1234.56"`); a campaign that did not deliver has no row at all.
// - Insights periods: `date_preset=maximum` (lifetime), or `time_range={"since":"YYYY-MM-DD","until":"YYYY-MM-DD"}`
//   (a JSON object in the query, as Meta's SDKs send it; both days included) with `time_increment=1` (one row per
//   campaign per day, `date_start` = `date_stop` = the day) or `all_days` (one row per campaign for the range).
//   Days without delivery have no row. Every row carries `date_start` and `date_stop`.
// - `POST /{version}/{campaign_id}` with form field `status` → `{success: true}`; `GET /{campaign_id}?fields=status`.
// - `POST /{version}/{campaign_id}` with `daily_budget=<minor units>` → `{success: true}`, read back with
//   `GET /{campaign_id}?fields=daily_budget`. Refused: an amount that is not whole minor units (#100); a campaign
//   whose budgets are on its ad sets (no Advantage campaign budget: #100, subcode 1885621, "Budget Conflict", the
//   answer Meta gives for a budget on both levels); a campaign with a lifetime budget (#100). Campaigns carry
//   `account_id` (digits), as Meta's campaign node does.
// - Errors: `{error: {message, type, code, error_subcode?, is_transient?, fbtrace_id}}`, HTTP 400 (500 for code 1/2).
// - Usage headers: `X-App-Usage`, `X-Ad-Account-Usage`, `X-Business-Use-Case-Usage` (JSON strings).
// - A retired API version (`retiredVersions`) answers every call with error #2635, "You are calling a deprecated
//   version of the Ads API", HTTP 400 (developers.facebook.com/docs/marketing-api/overview/versioning).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_META_TOKEN = 'fake-meta-system-user-token-0123456789';

export type MetaStatus = 'ACTIVE' | 'PAUSED' | 'DELETED' | 'ARCHIVED';

export interface FakeMetaCampaign {
  id: string;
  name: string;
  /** Meta's four, or any other string to stand for a value Meta might add. */
  status: MetaStatus | (string & {});
  /** Defaults to `status`. */
  effective_status?: string;
  /** Meta's time format, e.g. "2026-11-01T00:00:00-0700". */
  start_time?: string;
  stop_time?: string;
  /** Minor units, as Meta sends them ("5000" = 50.00 EUR, "5000" = 5000 JPY). */
  daily_budget?: string;
  lifetime_budget?: string;
  /**
   * Lifetime spend as Meta's string, for date_preset=maximum; undefined = the campaign did not deliver (no insights
   * row). Defaults to the sum of `spendByDay` when that is given.
   */
  spend?: string;
  /** Spend per day (YYYY-MM-DD in the account's time zone → Meta's string), for time_range; days left out had none. */
  spendByDay?: Record<string, string>;
}

export interface FakeMetaAccount {
  /** Digits, without act_. */
  id: string;
  currency: string;
  timezone_name: string;
  name?: string;
  campaigns: FakeMetaCampaign[];
}

export interface UsageSpec {
  app?: { call_count?: number; total_cputime?: number; total_time?: number };
  adAccount?: { acc_id_util_pct?: number; reset_time_duration?: number; ads_api_access_tier?: string };
  /** One Business Use Case entry, keyed by the request's ad account id (or `businessId` for campaign calls). */
  buc?: {
    type?: string;
    call_count?: number;
    total_cputime?: number;
    total_time?: number;
    estimated_time_to_regain_access?: number;
  };
}

/** A Graph error body to answer with. `regainMinutes` adds a throttled X-Business-Use-Case-Usage header. */
export interface GraphErrorSpec {
  code: number;
  subcode?: number;
  message?: string;
  type?: string;
  isTransient?: boolean;
  /** HTTP status (default 400, or 500 for codes 1 and 2). */
  status?: number;
  regainMinutes?: number;
  headers?: Record<string, string>;
}

/** `'down'` drops the connection without an answer; `{http: 503}` answers a bare status with a text body. */
export type FailureSpec =
  | { graphError: GraphErrorSpec }
  | { http: number; body?: string; headers?: Record<string, string> }
  | 'down';

/** Canned failures with Meta's own wording. */
export const metaFailures = {
  throttle(code: 4 | 17 | 613 | number, regainMinutes?: number): FailureSpec {
    const messages: Record<number, [string, number | undefined]> = {
      4: ['(#4) Application request limit reached', 1504022],
      17: ['(#17) User request limit reached', 2446079],
      613: ['(#613) Calls to this api have exceeded the rate limit.', 1487742],
    };
    const [message, subcode] = messages[code] ?? [
      `(#${code}) There have been too many calls to this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.`,
      2446079,
    ];
    return {
      graphError: {
        code,
        message,
        type: 'OAuthException',
        isTransient: true,
        ...(subcode !== undefined ? { subcode } : {}),
        ...(regainMinutes !== undefined ? { regainMinutes } : {}),
      },
    };
  },
  tokenExpired(): FailureSpec {
    return {
      graphError: {
        code: 190,
        subcode: 463,
        type: 'OAuthException',
        message:
          'Error validating access token: Session has expired on Tuesday, 17-Nov-26 01:00:00 PST. The current time is Friday, 20-Nov-26 09:00:00 PST.',
      },
    };
  },
  serverError(): FailureSpec {
    return {
      graphError: {
        code: 2,
        status: 500,
        isTransient: true,
        type: 'OAuthException',
        message: 'An unexpected error has occurred. Please retry your request later.',
      },
    };
  },
  permission(): FailureSpec {
    return {
      graphError: {
        code: 200,
        type: 'OAuthException',
        message: '(#200) Ad account owner has NOT grant ads_management or ads_read permission',
      },
    };
  },
  down: 'down' as FailureSpec,
  /** What Meta answers a call to a retired Marketing API version (e.g. v24.0 after 2026-11-10). */
  retiredVersion(latest = 'v27.0'): FailureSpec {
    return { graphError: retiredVersionError(latest) };
  },
};

/** Meta's error for a call to a retired Marketing API version, naming the latest one. */
export function retiredVersionError(latest = 'v27.0'): GraphErrorSpec {
  return {
    code: 2635,
    type: 'OAuthException',
    message: `(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version: ${latest}.`,
  };
}

export interface RecordedRequest {
  method: string;
  /** Path after the version, e.g. `act_111/insights` or `120001`. */
  path: string;
  version: string;
  /** The request target exactly as received (path and query). */
  target: string;
  query: Record<string, string>;
  /** Form fields of a POST. */
  form: Record<string, string>;
  /** Where the token came from. */
  auth: 'header' | 'query' | 'both' | 'none';
  /** Whether the token presented was the accepted one. */
  tokenOk: boolean;
  status: number;
  at: number;
}

export interface FakeMetaGraphOptions {
  accounts: FakeMetaAccount[];
  token?: string;
  /** Largest page the fake sends, whatever `limit` asks (default 25, Meta's usual default). */
  pageSize?: number;
  /** Usage headers sent with every answer (none by default). */
  usage?: UsageSpec;
  /** Key of the BUC header for calls not on an ad account. */
  businessId?: string;
  /** API versions (e.g. `['v24.0']`) that Meta has retired: every call to one answers error #2635. None by default. */
  retiredVersions?: string[];
}

export interface FakeMetaGraph {
  /** For META_GRAPH_API_BASE_URL: `http://127.0.0.1:PORT`. */
  url: string;
  token: string;
  requests: RecordedRequest[];
  /** The fake's state of a campaign (changes with POSTs). */
  campaign(id: string): FakeMetaCampaign | undefined;
  /** Queue a failure for the next `times` requests matching `match`: a path such as `act_111/insights`,
   *  `POST 120001`, `GET 120001`, or `*`. FIFO per match key. */
  failNext(match: string, spec: FailureSpec, times?: number): void;
  setUsage(usage: UsageSpec | undefined): void;
  /** POSTs to this campaign answer success but change nothing. */
  ignoreWritesTo(campaignId: string): void;
  requestsTo(path: string, method?: string): RecordedRequest[];
  close(): Promise<void>;
}

const encodeCursor = (i: number) => Buffer.from(`idx:${i}`).toString('base64');
const decodeCursor = (c: string): number | null => {
  const m = /^idx:(\d+)$/.exec(Buffer.from(c, 'base64').toString('utf8'));
  return m ? Number(m[1]) : null;
};

/** Exact decimal sum of Meta money strings (in millionths), written back as Meta writes them ("12.5", "0"). */
export function sumMoney(amounts: string[]): string {
  let micros = 0n;
  for (const a of amounts) {
    const [whole = '0', frac = ''] = a.split('.');
    micros += BigInt(whole) * 1_000_000n + BigInt(frac.padEnd(6, '0').slice(0, 6));
  }
  const frac = (micros % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return `${micros / 1_000_000n}${frac ? `.${frac}` : ''}`;
}

const isDay = (v: unknown): v is string =>
  typeof v === 'string' &&
  /^\d{4}-\d{2}-\d{2}$/.test(v) &&
  !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) &&
  new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v;

const DATE_PRESETS = new Set([
  'today',
  'yesterday',
  'this_month',
  'last_month',
  'this_quarter',
  'maximum',
  'data_maximum',
  'last_3d',
  'last_7d',
  'last_14d',
  'last_28d',
  'last_30d',
  'last_90d',
  'last_week_mon_sun',
  'last_week_sun_sat',
  'last_quarter',
  'last_year',
  'this_week_mon_today',
  'this_week_sun_today',
  'this_year',
]);

export async function startFakeMetaGraph(opts: FakeMetaGraphOptions): Promise<FakeMetaGraph> {
  const token = opts.token ?? FAKE_META_TOKEN;
  const pageSize = opts.pageSize ?? 25;
  const businessId = opts.businessId ?? '900000000000001';
  let usage = opts.usage;
  const retiredVersions = new Set(opts.retiredVersions ?? []);
  const accounts = new Map(
    opts.accounts.map((a) => [
      a.id,
      {
        ...a,
        campaigns: a.campaigns.map((c) => ({
          ...c,
          ...(c.spendByDay ? { spendByDay: { ...c.spendByDay } } : {}),
          ...(c.spend === undefined && c.spendByDay ? { spend: sumMoney(Object.values(c.spendByDay)) } : {}),
        })),
      },
    ]),
  );
  const campaigns = new Map<string, { account: string; c: FakeMetaCampaign }>();
  for (const a of accounts.values()) for (const c of a.campaigns) campaigns.set(c.id, { account: a.id, c });
  const requests: RecordedRequest[] = [];
  const failures = new Map<string, FailureSpec[]>();
  const ignoredWrites = new Set<string>();
  let origin = '';

  const trace = () =>
    randomBytes(8)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, 'x')
      .slice(0, 11);

  function usageHeaders(accountId: string | null, extra?: { regainMinutes?: number }): Record<string, string> {
    const h: Record<string, string> = {};
    if (usage?.app) h['x-app-usage'] = JSON.stringify({ call_count: 0, total_cputime: 0, total_time: 0, ...usage.app });
    if (usage?.adAccount && accountId) {
      h['x-ad-account-usage'] = JSON.stringify({
        acc_id_util_pct: 0,
        reset_time_duration: 0,
        ads_api_access_tier: 'standard_access',
        ...usage.adAccount,
      });
    }
    const buc =
      extra?.regainMinutes !== undefined
        ? {
            type: 'ads_management',
            call_count: 100,
            total_cputime: 30,
            total_time: 30,
            ...usage?.buc,
            estimated_time_to_regain_access: extra.regainMinutes,
          }
        : usage?.buc
          ? {
              type: 'ads_management',
              call_count: 0,
              total_cputime: 0,
              total_time: 0,
              estimated_time_to_regain_access: 0,
              ...usage.buc,
            }
          : null;
    if (buc)
      h['x-business-use-case-usage'] = JSON.stringify({
        [accountId ?? businessId]: [{ ...buc, ads_api_access_tier: 'standard_access' }],
      });
    return h;
  }

  function graphError(
    spec: GraphErrorSpec,
    accountId: string | null,
  ): { status: number; headers: Record<string, string>; body: unknown } {
    const error: Record<string, unknown> = {
      message: spec.message ?? `(#${spec.code}) Error`,
      type: spec.type ?? 'OAuthException',
      code: spec.code,
    };
    if (spec.subcode !== undefined) error.error_subcode = spec.subcode;
    if (spec.isTransient !== undefined) error.is_transient = spec.isTransient;
    error.fbtrace_id = trace();
    const status = spec.status ?? (spec.code === 1 || spec.code === 2 ? 500 : 400);
    const headers = {
      ...usageHeaders(accountId, spec.regainMinutes !== undefined ? { regainMinutes: spec.regainMinutes } : undefined),
      ...spec.headers,
    };
    return { status, headers, body: { error } };
  }

  const notFound = (id: string, method: string) =>
    graphError(
      {
        code: 100,
        subcode: 33,
        type: 'GraphMethodException',
        message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      },
      null,
    );

  function pick(obj: Record<string, unknown>, fields: string | undefined, always: string[]): Record<string, unknown> {
    const wanted = fields
      ? fields
          .split(',')
          .map((f) => f.trim())
          .filter(Boolean)
      : always;
    const out: Record<string, unknown> = {};
    for (const f of new Set([...always, ...wanted])) if (obj[f] !== undefined) out[f] = obj[f];
    return out;
  }

  function page(items: unknown[], query: Record<string, string>, path: string, version: string) {
    const limit = Math.max(1, Math.min(Number(query.limit) || pageSize, pageSize));
    const start = query.after ? decodeCursor(query.after) : 0;
    if (start === null)
      return graphError({ code: 100, type: 'OAuthException', message: '(#100) Invalid cursor' }, null);
    const slice = items.slice(start, start + limit);
    const end = start + slice.length;
    const body: { data: unknown[]; paging?: Record<string, unknown> } = { data: slice };
    if (slice.length > 0) body.paging = { cursors: { before: encodeCursor(start), after: encodeCursor(end) } };
    if (body.paging && end < items.length) {
      const next = new URL(`${origin}/${version}/${path}`);
      for (const [k, v] of Object.entries(query))
        if (k !== 'after' && k !== 'access_token') next.searchParams.set(k, v);
      // Meta's paging links carry the access token.
      next.searchParams.set('access_token', token);
      next.searchParams.set('limit', String(limit));
      next.searchParams.set('after', encodeCursor(end));
      body.paging.next = next.toString();
    }
    return { status: 200, headers: {}, body };
  }

  function route(
    method: string,
    path: string,
    version: string,
    query: Record<string, string>,
    form: Record<string, string>,
  ) {
    const acct = /^act_(\d+)(?:\/(campaigns|insights))?$/.exec(path);
    if (acct) {
      const id = acct[1] as string;
      const edge = acct[2];
      const account = accounts.get(id);
      if (!account) return { accountId: null, answer: notFound(`act_${id}`, method) };
      if (method !== 'GET')
        return { accountId: id, answer: graphError({ code: 100, message: 'Unsupported post request.' }, id) };
      if (!edge) {
        const node = {
          id: `act_${id}`,
          account_id: id,
          name: account.name ?? `Account ${id}`,
          currency: account.currency,
          timezone_name: account.timezone_name,
        };
        return { accountId: id, answer: { status: 200, headers: {}, body: pick(node, query.fields, ['id']) } };
      }
      if (edge === 'campaigns') {
        const items = account.campaigns.map((c) =>
          pick(
            {
              ...c,
              effective_status: c.effective_status ?? c.status,
              spend: undefined,
              spendByDay: undefined,
            } as Record<string, unknown>,
            query.fields,
            ['id'],
          ),
        );
        return { accountId: id, answer: page(items, query, path, version) };
      }
      // insights
      if (query.time_range === undefined && query.date_preset !== undefined && !DATE_PRESETS.has(query.date_preset)) {
        return {
          accountId: id,
          answer: graphError(
            {
              code: 100,
              message: `(#100) date_preset must be one of the following values: ${[...DATE_PRESETS].join(', ')}`,
            },
            id,
          ),
        };
      }
      if (query.level !== 'campaign') {
        return {
          accountId: id,
          answer: graphError({ code: 100, message: '(#100) this fake only serves level=campaign insights' }, id),
        };
      }
      const row = (c: FakeMetaCampaign, spend: string, dateStart: string, dateStop: string) =>
        pick(
          {
            account_id: id,
            campaign_id: c.id,
            campaign_name: c.name,
            spend,
            date_start: dateStart,
            date_stop: dateStop,
          },
          query.fields,
          ['date_start', 'date_stop'],
        );
      if (query.time_range !== undefined) {
        const bad = (message: string) => ({ accountId: id, answer: graphError({ code: 100, message }, id) });
        let range: unknown;
        try {
          range = JSON.parse(query.time_range);
        } catch {
          range = null;
        }
        const r = range as { since?: unknown; until?: unknown } | null;
        if (typeof r !== 'object' || r === null || !isDay(r.since) || !isDay(r.until)) {
          return bad(
            `(#100) time_range must be an object {'since':YYYY-MM-DD,'until':YYYY-MM-DD}, got ${query.time_range}`,
          );
        }
        const { since, until } = r as { since: string; until: string };
        if (since > until) return bad('(#100) time_range: since must not be after until');
        const increment = query.time_increment ?? 'all_days';
        if (increment !== '1' && increment !== 'all_days') {
          return bad(`(#100) this fake only serves time_increment=1 or all_days, not ${increment}`);
        }
        const inRange = (c: FakeMetaCampaign) =>
          Object.entries(c.spendByDay ?? {})
            .filter(([day]) => day >= since && day <= until)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        const rows =
          increment === '1'
            ? // Meta lists a day's rows together, days in order.
              account.campaigns
                .flatMap((c) => inRange(c).map(([day, spend]) => ({ c, day, spend })))
                .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))
                .map(({ c, day, spend }) => row(c, spend, day, day))
            : account.campaigns
                .filter((c) => inRange(c).length > 0)
                .map((c) => row(c, sumMoney(inRange(c).map(([, s]) => s)), since, until));
        return { accountId: id, answer: page(rows, query, path, version) };
      }
      const rows = account.campaigns
        .filter((c) => c.spend !== undefined)
        .map((c) => row(c, c.spend as string, c.start_time?.slice(0, 10) ?? '2026-01-01', '2026-11-20'));
      return { accountId: id, answer: page(rows, query, path, version) };
    }
    const node = /^(\d+)$/.exec(path);
    if (node) {
      const id = node[1] as string;
      const entry = campaigns.get(id);
      if (!entry) return { accountId: null, answer: notFound(id, method) };
      if (method === 'GET') {
        const c = entry.c;
        return {
          accountId: entry.account,
          answer: {
            status: 200,
            headers: {},
            body: pick(
              {
                ...c,
                account_id: entry.account,
                effective_status: c.effective_status ?? c.status,
                spend: undefined,
                spendByDay: undefined,
              } as Record<string, unknown>,
              query.fields,
              ['id'],
            ),
          },
        };
      }
      const status = form.status;
      if (status !== undefined && !['ACTIVE', 'PAUSED', 'DELETED', 'ARCHIVED'].includes(status)) {
        return {
          accountId: entry.account,
          answer: graphError(
            { code: 100, message: `(#100) Param status must be one of {ACTIVE, PAUSED, DELETED, ARCHIVED}` },
            entry.account,
          ),
        };
      }
      const budget = form.daily_budget;
      if (budget !== undefined) {
        const refuse = (spec: GraphErrorSpec) => ({
          accountId: entry.account,
          answer: graphError(spec, entry.account),
        });
        if (!/^\d+$/.test(budget) || budget === '0') {
          return refuse({
            code: 100,
            type: 'OAuthException',
            message: `(#100) Param daily_budget must be a positive integer in the currency's minor units; got "${budget}"`,
          });
        }
        if (entry.c.lifetime_budget && entry.c.lifetime_budget !== '0') {
          return refuse({
            code: 100,
            type: 'OAuthException',
            message: '(#100) Invalid parameter: a campaign with a lifetime budget cannot be given a daily budget',
          });
        }
        if (!entry.c.daily_budget || entry.c.daily_budget === '0') {
          return refuse({
            code: 100,
            subcode: 1885621,
            type: 'OAuthException',
            message:
              'Invalid parameter. Budget Conflict: You cannot set a campaign budget because the ad sets of this campaign already have budgets.',
          });
        }
        if (!ignoredWrites.has(id)) entry.c.daily_budget = budget;
      }
      if (status !== undefined && !ignoredWrites.has(id)) {
        entry.c.status = status as MetaStatus;
        entry.c.effective_status = status;
      }
      return { accountId: entry.account, answer: { status: 200, headers: {}, body: { success: true } } };
    }
    return {
      accountId: null,
      answer: graphError({ code: 2500, type: 'OAuthException', message: `Unknown path components: /${path}` }, null),
    };
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  function takeFailure(method: string, path: string): FailureSpec | undefined {
    for (const key of [`${method} ${path}`, path, '*']) {
      const q = failures.get(key);
      if (q?.length) return q.shift();
    }
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const method = req.method ?? 'GET';
    const raw = method === 'POST' ? await readBody(req) : '';
    const form = Object.fromEntries(new URLSearchParams(raw));
    const query = Object.fromEntries(url.searchParams);
    const m = /^\/(v\d+\.\d+)\/(.+)$/.exec(url.pathname);
    const version = m?.[1] ?? '';
    const path = m?.[2] ?? url.pathname.replace(/^\//, '');
    const auth = req.headers.authorization;
    const headerToken = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    const queryToken = url.searchParams.get('access_token') ?? form.access_token ?? undefined;
    const presented = headerToken ?? queryToken;
    const record: RecordedRequest = {
      method,
      path,
      version,
      target: req.url ?? '',
      query,
      form,
      auth: headerToken && queryToken ? 'both' : headerToken ? 'header' : queryToken ? 'query' : 'none',
      tokenOk: presented === token,
      status: 0,
      at: Date.now(),
    };
    requests.push(record);

    const failure = takeFailure(method, path);
    if (failure === 'down') {
      record.status = 0;
      req.socket.destroy();
      return;
    }
    let answer: { status: number; headers: Record<string, string>; body: unknown };
    let accountId: string | null = /^act_(\d+)/.exec(path)?.[1] ?? campaigns.get(path)?.account ?? null;
    if (failure && 'http' in failure) {
      answer = {
        status: failure.http,
        headers: failure.headers ?? {},
        body: failure.body ?? `fake meta: HTTP ${failure.http}`,
      };
    } else if (failure) {
      answer = graphError(failure.graphError, accountId);
    } else if (!m) {
      answer = graphError(
        { code: 2500, message: 'An active access token must be used to query information about the current user.' },
        null,
      );
    } else if (retiredVersions.has(version)) {
      answer = graphError(retiredVersionError(), accountId);
    } else if (!presented) {
      answer = graphError({ code: 104, message: 'An access token is required to request this resource.' }, null);
    } else if (presented !== token) {
      answer = graphError({ code: 190, message: 'Invalid OAuth access token - Cannot parse access token' }, null);
    } else {
      const routed = route(method, path, version, query, form);
      accountId = routed.accountId;
      answer = routed.answer;
    }
    const headers = { ...usageHeaders(accountId), ...answer.headers };
    record.status = answer.status;
    const isText = typeof answer.body === 'string';
    res.writeHead(answer.status, {
      'content-type': isText ? 'text/plain' : 'application/json; charset=UTF-8',
      ...headers,
    });
    res.end(isText ? (answer.body as string) : JSON.stringify(answer.body));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake meta crashed: ${String(err)}`);
      } else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: origin,
    token,
    requests,
    campaign: (id) => campaigns.get(id)?.c,
    failNext(match, spec, times = 1) {
      const q = failures.get(match) ?? [];
      for (let i = 0; i < times; i++) q.push(spec);
      failures.set(match, q);
    },
    setUsage(u) {
      usage = u;
    },
    ignoreWritesTo(id) {
      ignoredWrites.add(id);
    },
    requestsTo(path, method) {
      return requests.filter((r) => r.path === path && (method === undefined || r.method === method));
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
