// A thin fetch client for the Google Ads API's REST interface: GAQL search with paging, and campaign status
// updates. The official libraries hard-code their hosts (and mutate over gRPC); this one takes a base URL so
// tests can run it against a local fake speaking the same wire format.
//
// Wire format (developers.google.com/google-ads/api: rest/common/search, rest/common/mutate, rest/auth,
// docs/reporting/paging, docs/get-started/handle-errors, rest/design/json-mappings):
// - POST {base}/{version}/customers/{customerId}/googleAds:search, body `{query, pageToken?}`. The answer is
//   `{results: GoogleAdsRow[], nextPageToken?, fieldMask}`; pages hold up to 10,000 rows and the last page has
//   no nextPageToken. `pageSize` must not be sent (PAGE_SIZE_NOT_SUPPORTED since v17).
// - JSON keys are lowerCamelCase (`metrics.costMicros`) while GAQL keeps snake_case; int64 values are strings.
// - POST {base}/{version}/customers/{customerId}/campaigns:mutate, body
//   `{operations: [{update: {resourceName: "customers/C/campaigns/ID", status}, updateMask: "status"}]}`; the
//   answer is `{results: [{resourceName}]}`.
// - POST {base}/{version}/customers/{customerId}/campaignBudgets:mutate, body `{operations: [{update:
//   {resourceName: "customers/C/campaignBudgets/ID", amountMicros: "<int64>"}, updateMask: "amountMicros"}],
//   validateOnly?}`; with `validateOnly: true` Google checks the request and changes nothing (answer `{}`).
//   Budget refusals come as `errorCode: {campaignBudgetError: "NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT"}` or
//   `"BUDGET_BELOW_PER_DAY_MINIMUM"` (details: `budgetPerDayMinimumErrorDetails.minimumBudgetAmountMicros`).
// - Headers: `Authorization: Bearer <access token>`, `developer-token` (optional since Google's Sept 2026
//   change; sent when configured), `login-customer-id` (the manager account, when access goes through one).
// - Errors: `{error: {code, message, status, details: [{"@type": "…GoogleAdsFailure", errors: [{errorCode:
//   {quotaError: "RESOURCE_EXHAUSTED"}, message, details: {quotaErrorDetails: {rateScope, rateName,
//   retryDelay: "40591s"}}}], requestId}]}}`. 401 UNAUTHENTICATED for a refused or expired token.
import { PlatformError } from '../../errors.js';
import { redactAndClip } from '../../redact.js';
import { limiter, type RetryPolicy, retryAfterMs, withRetry } from '../retry.js';
import { microsToMajor } from './convert.js';
import { type GoogleOAuth, networkReason, parseJson } from './oauth.js';

export interface GoogleAdsClientSettings {
  apiBaseUrl: string;
  /** "v26": part of every URL, and decides field names (see `dateFields`). */
  apiVersion: string;
  developerToken: string | null;
  loginCustomerId: string | null;
}

export interface GoogleAdsClientDeps {
  fetch: typeof fetch;
  retry: RetryPolicy;
  /** Requests in flight at once per customer account (default 2). */
  concurrencyPerAccount?: number;
  /** Abort one HTTP request after this long (default 60 s). */
  timeoutMs?: number;
}

/** The parts of a GoogleAdsRow this agent reads; every field is optional because JSON leaves unset ones out. */
export interface GoogleAdsRow {
  campaign?: {
    resourceName?: string;
    id?: string;
    /** `campaign.campaign_budget`: the budget's resource name. */
    campaignBudget?: string;
    name?: string;
    status?: string;
    startDate?: string;
    endDate?: string;
    startDateTime?: string;
    endDateTime?: string;
  };
  campaignBudget?: { resourceName?: string; amountMicros?: string; explicitlyShared?: boolean };
  customer?: { resourceName?: string; currencyCode?: string; timeZone?: string };
  metrics?: { costMicros?: string };
  /** Present when the query selects a segment: `segments.date` is "YYYY-MM-DD" in the account's time zone. */
  segments?: { date?: string };
}

interface SearchResponse {
  results?: GoogleAdsRow[];
  nextPageToken?: string;
}

interface MutateResponse {
  results?: { resourceName?: string }[];
}

/** One GoogleAdsError, flattened. */
export interface GoogleAdsErrorItem {
  /** "quotaError: RESOURCE_EXHAUSTED". */
  code: string | null;
  kind: string | null;
  value: string | null;
  message: string | null;
  retryDelayMs: number | null;
  /** The smallest daily budget Google accepts, with BUDGET_BELOW_PER_DAY_MINIMUM (int64 micros). */
  minimumMicros: string | null;
}

export interface ParsedGoogleError {
  code: number | null;
  status: string | null;
  message: string | null;
  errors: GoogleAdsErrorItem[];
  requestId: string | null;
}

const PLATFORM = 'google';

/** GAQL field names for a campaign's flight, which changed in v23. */
export function dateFields(apiVersion: string): {
  start: string;
  end: string;
  startKey: 'startDate' | 'startDateTime';
  endKey: 'endDate' | 'endDateTime';
} {
  const major = Number(/^v(\d+)/.exec(apiVersion)?.[1] ?? Number.NaN);
  // v23 replaced campaign.start_date / end_date ("YYYY-MM-DD") with start_date_time / end_date_time
  // ("yyyy-MM-dd HH:mm:ss", customer time zone) — v22→v23 diff of resources/campaign.proto.
  return Number.isFinite(major) && major < 23
    ? { start: 'campaign.start_date', end: 'campaign.end_date', startKey: 'startDate', endKey: 'endDate' }
    : {
        start: 'campaign.start_date_time',
        end: 'campaign.end_date_time',
        startKey: 'startDateTime',
        endKey: 'endDateTime',
      };
}

/** "1234567890" → "123-456-7890", the way Google Ads shows customer ids. */
export function formatCustomerId(id: string): string {
  return /^\d{10}$/.test(id) ? `${id.slice(0, 3)}-${id.slice(3, 6)}-${id.slice(6)}` : id;
}

export class GoogleAdsClient {
  private readonly limiters = new Map<string, <T>(task: () => Promise<T>) => Promise<T>>();
  private readonly base: string;

  constructor(
    private readonly settings: GoogleAdsClientSettings,
    private readonly oauth: GoogleOAuth,
    private readonly deps: GoogleAdsClientDeps,
  ) {
    this.base = `${settings.apiBaseUrl.replace(/\/+$/, '')}/${settings.apiVersion}`;
  }

  /** Runs a GAQL query and follows nextPageToken to the last page. */
  async search(customerId: string, query: string, what = 'reading campaigns'): Promise<GoogleAdsRow[]> {
    const rows: GoogleAdsRow[] = [];
    const seen = new Set<string>();
    let pageToken: string | undefined;
    do {
      const body: Record<string, string> = pageToken === undefined ? { query } : { query, pageToken };
      const page = (await this.call(customerId, what, 'googleAds:search', body)) as SearchResponse;
      if (page.results !== undefined && !Array.isArray(page.results)) {
        throw this.error(
          `Google Ads ${what} for customer ${formatCustomerId(customerId)}: the answer's "results" is not a list.`,
          false,
        );
      }
      rows.push(...(page.results ?? []));
      pageToken = typeof page.nextPageToken === 'string' && page.nextPageToken !== '' ? page.nextPageToken : undefined;
      if (pageToken !== undefined) {
        if (seen.has(pageToken)) {
          throw this.error(
            `Google Ads ${what} for customer ${formatCustomerId(customerId)}: the same page token came back twice; stopped paging.`,
            false,
          );
        }
        seen.add(pageToken);
      }
    } while (pageToken !== undefined);
    return rows;
  }

  /**
   * Sets one campaign's status. Setting a status is idempotent, so retrying after a 5xx or a quota wait is
   * safe. Returns the resource name Google confirmed; callers still read the status back to verify.
   */
  async mutateCampaignStatus(customerId: string, campaignId: string, status: 'PAUSED' | 'ENABLED'): Promise<string> {
    const resourceName = `customers/${customerId}/campaigns/${campaignId}`;
    const what = `${status === 'PAUSED' ? 'pausing' : 'enabling'} campaign ${campaignId}`;
    const body = { operations: [{ update: { resourceName, status }, updateMask: 'status' }] };
    const res = (await this.call(customerId, what, 'campaigns:mutate', body)) as MutateResponse;
    const confirmed = res.results?.[0]?.resourceName;
    if (typeof confirmed !== 'string' || confirmed === '') {
      throw this.error(
        `Google Ads ${what} for customer ${formatCustomerId(customerId)}: the answer confirmed no campaign.`,
        false,
      );
    }
    return confirmed;
  }

  /**
   * Sets one campaign budget's daily amount. Setting an amount is idempotent, so a retry after a 5xx or a quota
   * wait is safe. `what` names the campaign and amount for errors. With `validateOnly` Google only checks it.
   */
  async mutateCampaignBudget(
    customerId: string,
    resourceName: string,
    amountMicros: string,
    what: string,
    validateOnly = false,
  ): Promise<void> {
    const body = {
      operations: [{ update: { resourceName, amountMicros }, updateMask: 'amountMicros' }],
      ...(validateOnly ? { validateOnly: true } : {}),
    };
    const res = (await this.call(customerId, what, 'campaignBudgets:mutate', body)) as MutateResponse;
    if (validateOnly) return;
    if (res.results?.[0]?.resourceName !== resourceName) {
      throw this.error(
        `Google Ads ${what} for customer ${formatCustomerId(customerId)}: the answer did not confirm budget ${resourceName}.`,
        false,
      );
    }
  }

  private async call(customerId: string, what: string, method: string, body: unknown): Promise<unknown> {
    const limit = this.limiterFor(customerId);
    // The limiter holds a slot per attempt, not across backoff sleeps.
    return withRetry(() => limit(() => this.once(customerId, what, method, body)), this.deps.retry, {
      platform: PLATFORM,
      operation: method.endsWith(':mutate') ? 'write' : 'read',
    });
  }

  private async once(customerId: string, what: string, method: string, body: unknown): Promise<unknown> {
    const url = `${this.base}/customers/${customerId}/${method}`;
    const where = `Google Ads ${what} for customer ${formatCustomerId(customerId)}`;
    let refreshed = false;
    for (;;) {
      const token = await this.oauth.accessToken();
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json',
      };
      if (this.settings.developerToken) headers['developer-token'] = this.settings.developerToken;
      if (this.settings.loginCustomerId) headers['login-customer-id'] = this.settings.loginCustomerId;
      let res: Response;
      try {
        res = await this.deps.fetch(url, {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.deps.timeoutMs ?? 60_000),
        });
      } catch (err) {
        throw this.error(`${where} failed: cannot reach ${this.settings.apiBaseUrl} (${networkReason(err)}).`, true);
      }
      const text = await res.text().catch(() => '');
      if (res.ok) {
        const json = parseJson(text);
        if (json === null || typeof json !== 'object') {
          throw this.error(`${where}: HTTP ${res.status} with a body that is not JSON.`, true);
        }
        return json;
      }
      // An expired or revoked access token: refresh once and try again; a second 401 is reported.
      if (res.status === 401 && !refreshed) {
        this.oauth.invalidate(token);
        refreshed = true;
        continue;
      }
      throw this.classify(where, res, text);
    }
  }

  private classify(where: string, res: Response, text: string): PlatformError {
    const parsed = parseGoogleError(text);
    const first = parsed.errors[0];
    const said = first
      ? `${first.code ?? parsed.status ?? 'error'}${first.message ? ` — ${first.message}` : ''}`
      : `${parsed.status ?? 'error'}${parsed.message ? ` — ${parsed.message}` : ''}`;
    const requestId = parsed.requestId ? ` (request-id ${parsed.requestId})` : '';
    const base = `${where} failed: HTTP ${res.status}, ${said}${requestId}.`;
    const values = new Set(parsed.errors.map((e) => e.value));
    const delay =
      parsed.errors.find((e) => e.retryDelayMs !== null)?.retryDelayMs ?? retryAfterMs(res.headers.get('retry-after'));

    // Too many requests in a short time: back off and try again, honouring Google's delay when it gives one.
    if (values.has('RESOURCE_TEMPORARILY_EXHAUSTED')) return this.error(base, true, delay);
    // Quota exhausted (often the daily operations quota): retryable only after Google's retryDelay, which
    // withRetry turns into "give up for this run" when it is longer than the run can wait.
    if (values.has('RESOURCE_EXHAUSTED') || res.status === 429) return this.error(base, true, delay);
    // Another change to the same account raced this one: Google documents it as safe to retry.
    if (values.has('CONCURRENT_MODIFICATION')) return this.error(base, true, delay);
    if (res.status >= 500) return this.error(base, true, delay);
    if (res.status === 401) {
      return this.error(
        `${base} The access token was refused even after a refresh: check that the OAuth client and refresh token were created for the https://www.googleapis.com/auth/adwords scope.`,
        false,
      );
    }
    // Budget amounts Google will not take: say which rule, so a person can pick an amount it accepts.
    if (values.has('NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT')) {
      return this.error(`${base} The amount must be a whole number of the currency's smallest unit.`, false);
    }
    if (values.has('BUDGET_BELOW_PER_DAY_MINIMUM')) {
      const min = parsed.errors.find((e) => e.minimumMicros !== null)?.minimumMicros;
      const floor = min ? ` Google's minimum for this campaign is ${microsToMajor(min)} a day.` : '';
      return this.error(`${base} The daily budget is below Google's minimum.${floor}`, false);
    }
    if (values.has('USER_PERMISSION_DENIED')) {
      const hint = this.settings.loginCustomerId
        ? `check that the signed-in Google user reaches this account through manager ${formatCustomerId(this.settings.loginCustomerId)} (GOOGLE_ADS_LOGIN_CUSTOMER_ID).`
        : "if the account is reached through a manager account, set GOOGLE_ADS_LOGIN_CUSTOMER_ID to the manager's id.";
      return this.error(`${base} ${hint[0]?.toUpperCase()}${hint.slice(1)}`, false);
    }
    // 400, 403, 404 and the rest: Google refused the request itself; repeating it cannot help.
    return this.error(base, false);
  }

  private error(message: string, retryable: boolean, retryAfter: number | null = null): PlatformError {
    return new PlatformError(PLATFORM, this.oauth.scrub(message), retryable, retryAfter);
  }

  private limiterFor(customerId: string) {
    let limit = this.limiters.get(customerId);
    if (!limit) {
      limit = limiter(this.deps.concurrencyPerAccount ?? 2);
      this.limiters.set(customerId, limit);
    }
    return limit;
  }
}

/** Reads Google's error body; tolerates bodies that are not JSON (a proxy's HTML page, an empty body). */
export function parseGoogleError(text: string): ParsedGoogleError {
  const json = parseJson(text) as { error?: Record<string, unknown> } | null;
  const err = json && typeof json === 'object' && json.error && typeof json.error === 'object' ? json.error : null;
  const out: ParsedGoogleError = {
    code: typeof err?.code === 'number' ? err.code : null,
    status: typeof err?.status === 'string' ? err.status : null,
    message: typeof err?.message === 'string' ? err.message : text.trim() ? redactAndClip(text.trim(), 200) : null,
    errors: [],
    requestId: null,
  };
  const details = Array.isArray(err?.details) ? (err.details as unknown[]) : [];
  for (const detail of details) {
    if (!detail || typeof detail !== 'object') continue;
    const d = detail as { errors?: unknown; requestId?: unknown };
    if (typeof d.requestId === 'string') out.requestId = d.requestId;
    if (!Array.isArray(d.errors)) continue;
    for (const e of d.errors as Record<string, unknown>[]) {
      const codeObj = e?.errorCode && typeof e.errorCode === 'object' ? (e.errorCode as Record<string, unknown>) : {};
      const [kind, value] = Object.entries(codeObj)[0] ?? [null, null];
      const extra = e?.details as
        | {
            quotaErrorDetails?: { retryDelay?: unknown };
            budgetPerDayMinimumErrorDetails?: { minimumBudgetAmountMicros?: unknown };
          }
        | undefined;
      const quota = extra?.quotaErrorDetails;
      const minimum = extra?.budgetPerDayMinimumErrorDetails?.minimumBudgetAmountMicros;
      out.errors.push({
        code: kind ? `${kind}: ${String(value)}` : null,
        kind: kind ?? null,
        value: value === null || value === undefined ? null : String(value),
        message: typeof e?.message === 'string' ? e.message : null,
        retryDelayMs: parseDuration(quota?.retryDelay),
        minimumMicros: typeof minimum === 'string' && /^\d+$/.test(minimum) ? minimum : null,
      });
    }
  }
  return out;
}

/** A protobuf Duration in JSON ("40591s", "1.5s"), or `{seconds, nanos}`, in milliseconds. */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)s\s*$/.exec(value);
    return m ? Math.round(Number(m[1]) * 1000) : null;
  }
  if (value && typeof value === 'object') {
    const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
    const s = Number(seconds ?? 0);
    const n = Number(nanos ?? 0);
    return Number.isFinite(s) && Number.isFinite(n) ? Math.round(s * 1000 + n / 1e6) : null;
  }
  return null;
}
