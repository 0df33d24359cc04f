// A thin fetch client for Meta's Graph API (Marketing API), written for the pacing agent's few calls.
//
// Wire format it relies on (developers.facebook.com/docs/graph-api/results, …/guides/error-handling,
// …/graph-api/overview/rate-limiting, …/marketing-api/overview/rate-limiting):
// - `GET /{version}/{node-or-edge}?fields=…`; lists come back as `{data: [...], paging: {cursors: {before, after},
//   next?}}` and the last page is the one without `paging.next` (an absolute URL, which may carry `access_token`).
// - Errors are a JSON body `{error: {message, type, code, error_subcode, is_transient?, fbtrace_id}}`, usually
//   with HTTP 400; throttling is told by the code (4, 17, 613, 80000–80014), not reliably by HTTP 429.
// - Usage arrives in JSON headers: `X-App-Usage` {call_count, total_cputime, total_time} (percent),
//   `X-Ad-Account-Usage` {acc_id_util_pct, reset_time_duration (s), ads_api_access_tier} and
//   `X-Business-Use-Case-Usage` {"<object id>": [{type, call_count, total_cputime, total_time,
//   estimated_time_to_regain_access (minutes)}]}.
//
// The token goes only in the `Authorization: Bearer` header, never in a URL this client builds; a `paging.next`
// URL is followed with its `access_token` parameter removed, and only on the configured origin. Everything this
// client records or throws is scrubbed of the token.
import { PlatformError } from '../../errors.js';
import { redactText } from '../../redact.js';
import { DEFAULT_RETRY, formatDuration, limiter, type RetryPolicy, retryAfterMs, withRetry } from '../retry.js';

/** Graph error codes that mean "too many calls, wait": app, user, ad account, and Business Use Case limits. */
export function isThrottleCode(code: number): boolean {
  return code === 4 || code === 17 || code === 613 || (code >= 80000 && code <= 80014);
}

/** Subcodes Meta documents for code 190, in words. */
const TOKEN_SUBCODES: Record<number, string> = {
  458: 'the app is not installed for the user',
  459: 'the user is checkpointed',
  460: 'the password was changed',
  463: 'the token has expired',
  464: 'the user is unconfirmed',
  467: 'the token is invalid',
  492: 'the session is invalid',
};

export interface AppUsage {
  call_count: number;
  total_cputime: number;
  total_time: number;
}

export interface AdAccountUsage {
  acc_id_util_pct: number;
  /** Seconds until the ad account's rate-limit score is back to 0. */
  reset_time_duration: number | null;
  ads_api_access_tier: string | null;
}

export interface BusinessUseCaseUsage {
  /** The business object the figures are for (ad account id, business id, …). */
  objectId: string;
  type: string;
  call_count: number;
  total_cputime: number;
  total_time: number;
  /** Minutes until calls are allowed again; 0 when not throttled. */
  estimated_time_to_regain_access: number;
}

/** What one answer's usage headers said. */
export interface MetaUsage {
  app: AppUsage | null;
  adAccount: AdAccountUsage | null;
  businessUseCase: BusinessUseCaseUsage[];
  /** The highest percentage among all the figures (0 when no header was sent). */
  maxPct: number;
  /** The longest `estimated_time_to_regain_access`, in ms, when one is above 0. */
  regainAccessMs: number | null;
}

/** How calls slow down before Meta's limit: from `fromPct` on, a wait from `minMs` rising linearly to `maxMs` at 100 %. */
export interface SlowDown {
  fromPct: number;
  minMs: number;
  maxMs: number;
}

export const DEFAULT_SLOW_DOWN: SlowDown = { fromPct: 75, minMs: 5_000, maxMs: 60_000 };

/** The wait before the next call for a usage percentage: 0 below `fromPct`, then proportional up to `maxMs`. */
export function slowDownMs(pct: number, s: SlowDown = DEFAULT_SLOW_DOWN): number {
  if (!(pct >= s.fromPct)) return 0;
  if (pct >= 100) return s.maxMs;
  return Math.round(s.minMs + ((pct - s.fromPct) / (100 - s.fromPct)) * (s.maxMs - s.minMs));
}

const num = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : null;
};

function jsonHeader(headers: Headers, name: string): unknown {
  const raw = headers.get(name);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads the three usage headers; a missing or malformed header counts as absent. */
export function parseUsage(headers: Headers): MetaUsage {
  const appRaw = jsonHeader(headers, 'x-app-usage');
  const app: AppUsage | null = isObject(appRaw)
    ? {
        call_count: num(appRaw.call_count) ?? 0,
        total_cputime: num(appRaw.total_cputime) ?? 0,
        total_time: num(appRaw.total_time) ?? 0,
      }
    : null;
  const accRaw = jsonHeader(headers, 'x-ad-account-usage');
  const adAccount: AdAccountUsage | null = isObject(accRaw)
    ? {
        acc_id_util_pct: num(accRaw.acc_id_util_pct) ?? 0,
        reset_time_duration: num(accRaw.reset_time_duration),
        ads_api_access_tier: typeof accRaw.ads_api_access_tier === 'string' ? accRaw.ads_api_access_tier : null,
      }
    : null;
  const bucRaw = jsonHeader(headers, 'x-business-use-case-usage');
  const businessUseCase: BusinessUseCaseUsage[] = [];
  if (isObject(bucRaw)) {
    for (const [objectId, entries] of Object.entries(bucRaw)) {
      if (!Array.isArray(entries)) continue;
      for (const e of entries) {
        if (!isObject(e)) continue;
        businessUseCase.push({
          objectId,
          type: typeof e.type === 'string' ? e.type : 'unknown',
          call_count: num(e.call_count) ?? 0,
          total_cputime: num(e.total_cputime) ?? 0,
          total_time: num(e.total_time) ?? 0,
          estimated_time_to_regain_access: num(e.estimated_time_to_regain_access) ?? 0,
        });
      }
    }
  }
  const pcts = [
    ...(app ? [app.call_count, app.total_cputime, app.total_time] : []),
    ...(adAccount ? [adAccount.acc_id_util_pct] : []),
    ...businessUseCase.flatMap((b) => [b.call_count, b.total_cputime, b.total_time]),
  ];
  const regainMinutes = Math.max(0, ...businessUseCase.map((b) => b.estimated_time_to_regain_access));
  return {
    app,
    adAccount,
    businessUseCase,
    maxPct: Math.max(0, ...pcts),
    regainAccessMs: regainMinutes > 0 ? regainMinutes * 60_000 : null,
  };
}

/** One call as the client records it: no token, no query beyond what is safe to show. */
export interface MetaCallRecord {
  method: 'GET' | 'POST';
  /** The node or edge, e.g. `act_123/insights` or `120001`. */
  path: string;
  /** The URL called, with any `access_token` parameter removed and secrets redacted. */
  url: string;
  attempt: number;
  /** HTTP status, or null when no answer came. */
  status: number | null;
  /** How long the client waited before this call because usage was high. */
  waitedMs: number;
  /** The highest usage percentage in the answer's headers, when it sent any. */
  usagePct: number | null;
  /** The error the call ended in, scrubbed. */
  error: string | null;
}

export interface MetaClientOptions {
  accessToken: string;
  /** e.g. https://graph.facebook.com (no trailing slash needed). */
  apiBaseUrl: string;
  /** e.g. v24.0. */
  apiVersion: string;
  fetch?: typeof fetch | undefined;
  retry?: RetryPolicy | undefined;
  /** Calls at once per ad account (default 2). */
  concurrency?: number | undefined;
  slowDown?: SlowDown | undefined;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number | undefined;
  /** Pages followed for one list before giving up (default 500). */
  maxPages?: number | undefined;
  /** Told about every call, after `calls` is updated. */
  onCall?: ((call: MetaCallRecord) => void) | undefined;
}

type Params = Record<string, string>;

/** Calls not tied to an ad account (a campaign by id) share this scope. */
const GLOBAL = '*';
const MAX_RECORDED_CALLS = 500;

export class MetaGraphClient {
  /** The most recent calls (up to 500), oldest first. */
  readonly calls: MetaCallRecord[] = [];
  /** The usage headers of the most recent answer that had any. */
  lastUsage: MetaUsage | null = null;
  readonly policy: RetryPolicy;
  private readonly base: URL;
  private readonly fetchImpl: typeof fetch;
  private readonly slowDown: SlowDown;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly maxPages: number;
  /** Wait before the next call, per ad account (and GLOBAL for app-wide usage). */
  private readonly delays = new Map<string, number>();
  private readonly limiters = new Map<string, ReturnType<typeof limiter>>();

  constructor(private readonly opts: MetaClientOptions) {
    this.base = new URL(`${opts.apiBaseUrl.replace(/\/+$/, '')}/${opts.apiVersion}/`);
    this.fetchImpl = opts.fetch ?? globalThis.fetch;
    this.policy = opts.retry ?? DEFAULT_RETRY;
    this.slowDown = opts.slowDown ?? DEFAULT_SLOW_DOWN;
    this.concurrency = opts.concurrency ?? 2;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.maxPages = opts.maxPages ?? 500;
  }

  /**
   * The wait the next call for this ad account would take because usage was at or above the slow-down
   * threshold in the last answer: the larger of the account's own figure and the app-wide one.
   */
  delayBeforeNextCall(accountId?: string): number {
    return Math.max(this.delays.get(accountId ?? GLOBAL) ?? 0, this.delays.get(GLOBAL) ?? 0);
  }

  /** GET one node, e.g. `act_123` with `{fields: 'currency,timezone_name'}`. */
  get(path: string, params: Params = {}, accountId?: string): Promise<unknown> {
    return this.send('GET', this.url(path, params), path, accountId);
  }

  /** GET every page of an edge, following `paging.next`, and return all `data` items. */
  async getAll(path: string, params: Params = {}, accountId?: string): Promise<unknown[]> {
    const out: unknown[] = [];
    const seen = new Set<string>();
    let url = this.url(path, params);
    for (let page = 1; ; page++) {
      const body = await this.send('GET', url, path, accountId);
      if (!isObject(body) || !Array.isArray(body.data)) {
        throw new PlatformError('meta', `Meta answered GET ${path} (page ${page}) without a "data" list.`, false);
      }
      out.push(...body.data);
      const next = this.nextUrl(body.paging, url);
      if (!next) return out;
      if (seen.has(next)) {
        throw new PlatformError(
          'meta',
          `Meta's paging for GET ${path} points back to a page already read (page ${page}).`,
          false,
        );
      }
      if (page >= this.maxPages) {
        throw new PlatformError('meta', `GET ${path} has more than ${this.maxPages} pages; stopped reading.`, false);
      }
      seen.add(next);
      url = next;
    }
  }

  /** POST form fields to a node, e.g. `120001` with `{status: 'PAUSED'}`. */
  post(path: string, form: Params, accountId?: string): Promise<unknown> {
    return this.send('POST', this.url(path, {}), path, accountId, new URLSearchParams(form).toString());
  }

  /** Removes the token (by value and by shape) and any access_token parameter from text. */
  scrub(text: string): string {
    let out = text.replace(/([?&]access_token=)[^&\s"']*/gi, '$1[redacted]');
    const token = this.opts.accessToken;
    if (token.length >= 4) out = out.split(token).join('[redacted]');
    return redactText(out);
  }

  private url(path: string, params: Params): string {
    const u = new URL(path.replace(/^\/+/, ''), this.base);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return u.toString();
  }

  /** The next page's URL on our own origin, without access_token; null on the last page. */
  private nextUrl(paging: unknown, current: string): string | null {
    if (!isObject(paging) || typeof paging.next !== 'string' || paging.next === '') return null;
    let next: URL;
    try {
      next = new URL(paging.next, this.base);
    } catch {
      next = new URL('invalid:');
    }
    if (next.origin !== this.base.origin) {
      // Never send the token to another host: rebuild the page from the `after` cursor instead.
      const after = isObject(paging.cursors) && typeof paging.cursors.after === 'string' ? paging.cursors.after : null;
      if (!after) {
        throw new PlatformError(
          'meta',
          `Meta's paging.next points to another host (${this.scrub(next.origin)}) and has no cursor to follow.`,
          false,
        );
      }
      next = new URL(current);
      next.searchParams.set('after', after);
    }
    next.searchParams.delete('access_token');
    return next.toString();
  }

  private limiterFor(scope: string) {
    let l = this.limiters.get(scope);
    if (!l) {
      l = limiter(this.concurrency);
      this.limiters.set(scope, l);
    }
    return l;
  }

  private send(
    method: 'GET' | 'POST',
    url: string,
    path: string,
    accountId: string | undefined,
    body?: string,
  ): Promise<unknown> {
    const scope = accountId ?? GLOBAL;
    return this.limiterFor(scope)(() =>
      withRetry((attempt) => this.attempt(method, url, path, scope, attempt, body), this.policy),
    );
  }

  private async attempt(
    method: 'GET' | 'POST',
    url: string,
    path: string,
    scope: string,
    attempt: number,
    body?: string,
  ): Promise<unknown> {
    const record: MetaCallRecord = {
      method,
      path,
      url: this.scrub(url),
      attempt,
      status: null,
      waitedMs: 0,
      usagePct: null,
      error: null,
    };
    try {
      const wait = this.delayBeforeNextCall(scope === GLOBAL ? undefined : scope);
      if (wait > 0) {
        record.waitedMs = wait;
        await this.policy.sleep(wait);
      }
      return await this.exchange(method, url, path, scope, body, record);
    } catch (err) {
      record.error = this.scrub(err instanceof Error ? err.message : String(err));
      if (err instanceof PlatformError) {
        throw new PlatformError(err.platform, this.scrub(err.message), err.retryable, err.retryAfterMs);
      }
      throw new PlatformError('meta', record.error, false);
    } finally {
      this.calls.push(record);
      if (this.calls.length > MAX_RECORDED_CALLS) this.calls.shift();
      this.opts.onCall?.(record);
    }
  }

  private async exchange(
    method: 'GET' | 'POST',
    url: string,
    path: string,
    scope: string,
    body: string | undefined,
    record: MetaCallRecord,
  ): Promise<unknown> {
    const where = `${method} ${path}`;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.opts.accessToken}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(body !== undefined ? { body } : {}),
      });
      text = await res.text();
    } catch (err) {
      const cause =
        err instanceof Error
          ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}`
          : String(err);
      throw new PlatformError('meta', `Meta Graph API could not be reached for ${where}: ${cause}`, true);
    }
    record.status = res.status;
    const usage = parseUsage(res.headers);
    this.noteUsage(scope, usage);
    if (usage.app || usage.adAccount || usage.businessUseCase.length > 0) record.usagePct = usage.maxPct;

    let parsed: unknown;
    try {
      parsed = text === '' ? null : (JSON.parse(text) as unknown);
    } catch {
      parsed = undefined;
    }
    const error = isObject(parsed) && isObject(parsed.error) ? parsed.error : null;
    if (error) throw this.graphError(where, res, error, usage);
    if (!res.ok) {
      const snippet = text.slice(0, 200).replace(/\s+/g, ' ');
      if (res.status >= 500 || res.status === 429) {
        const after = res.status === 429 ? retryAfterMs(res.headers.get('retry-after')) : null;
        throw new PlatformError(
          'meta',
          `Meta Graph API answered HTTP ${res.status} for ${where}: ${snippet}`,
          true,
          after,
        );
      }
      throw new PlatformError('meta', `Meta Graph API refused ${where} with HTTP ${res.status}: ${snippet}`, false);
    }
    if (parsed === undefined) {
      throw new PlatformError(
        'meta',
        `Meta Graph API answered ${where} with something other than JSON: ${text.slice(0, 120)}`,
        true,
      );
    }
    return parsed;
  }

  /**
   * Remembers how long to wait before the next call: an ad account's calls from its own figures
   * (X-Ad-Account-Usage, X-Business-Use-Case-Usage), every call from the app-wide X-App-Usage.
   */
  private noteUsage(scope: string, usage: MetaUsage): void {
    if (usage.app || usage.adAccount || usage.businessUseCase.length > 0) this.lastUsage = usage;
    const accountPct = Math.max(
      0,
      ...(usage.adAccount ? [usage.adAccount.acc_id_util_pct] : []),
      ...usage.businessUseCase.flatMap((b) => [b.call_count, b.total_cputime, b.total_time]),
    );
    const appPct = usage.app ? Math.max(usage.app.call_count, usage.app.total_cputime, usage.app.total_time) : 0;
    const account = slowDownMs(accountPct, this.slowDown);
    const app = slowDownMs(appPct, this.slowDown);
    if (scope === GLOBAL) {
      this.delays.set(GLOBAL, Math.max(account, app));
    } else {
      this.delays.set(scope, account);
      this.delays.set(GLOBAL, app);
    }
  }

  private graphError(where: string, res: Response, e: Record<string, unknown>, usage: MetaUsage): PlatformError {
    const code = num(e.code) ?? 0;
    const subcode = num(e.error_subcode);
    const message = typeof e.message === 'string' ? e.message : 'no message';
    const userMsg = typeof e.error_user_msg === 'string' && e.error_user_msg !== message ? ` ${e.error_user_msg}` : '';
    const trace = typeof e.fbtrace_id === 'string' ? `, fbtrace_id ${e.fbtrace_id}` : '';
    const codes = `code ${code}${subcode !== null ? `/subcode ${subcode}` : ''}`;

    if (code === 190 || code === 102) {
      const why = subcode !== null && TOKEN_SUBCODES[subcode] ? `: ${TOKEN_SUBCODES[subcode]}` : '';
      return new PlatformError(
        'meta',
        `META_ACCESS_TOKEN has expired or is invalid (${codes}${why}): create a new system-user token in Meta Business Settings and set META_ACCESS_TOKEN. Meta said: ${message}`,
        false,
      );
    }
    if (isThrottleCode(code)) {
      const reset = usage.adAccount?.reset_time_duration;
      const after =
        usage.regainAccessMs ??
        (reset && reset > 0 ? reset * 1000 : null) ??
        retryAfterMs(res.headers.get('retry-after'));
      const eta = after !== null ? ` Meta estimates access is back in ${formatDuration(after)}.` : '';
      return new PlatformError(
        'meta',
        `Meta is throttling ${where} (${codes}${trace}): ${message}.${eta}`,
        true,
        after,
      );
    }
    const transient = e.is_transient === true || code === 1 || code === 2 || res.status >= 500;
    if (transient) {
      return new PlatformError(
        'meta',
        `Meta had a temporary problem with ${where} (${codes}${trace}): ${message}${userMsg}`,
        true,
      );
    }
    return new PlatformError('meta', `Meta refused ${where} (${codes}${trace}): ${message}${userMsg}`, false);
  }
}
