// A thin fetch client for Meta's Graph API (Marketing API), written for the pacing agent's few calls.
//
// Wire format it relies on (developers.facebook.com/docs/graph-api/results): `GET /{version}/{node-or-edge}?fields=…`
// and form POSTs to a node; lists and their paging are in paging.ts, error bodies in errors.ts, usage headers in
// usage.ts.
//
// The token goes only in the `Authorization: Bearer` header, never in a URL this client builds; a `paging.next`
// URL is followed with its `access_token` parameter removed, and only on the configured origin. Everything this
// client records or throws is scrubbed of the token.
import { asPacingError, PlatformError } from '../../errors.js';
import { redactAndClip, redactText } from '../../redact.js';
import { DEFAULT_RETRY, limiter, type RetryPolicy, withRetry } from '../retry.js';
import { graphError, httpError } from './errors.js';
import { isObject } from './json.js';
import { nextPageUrl } from './paging.js';
import { DEFAULT_SLOW_DOWN, type MetaUsage, parseUsage, type SlowDown, sentUsage, slowDownsFor } from './usage.js';

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
  /** e.g. v27.0. */
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
      const next = nextPageUrl(body.paging, url, this.base, (text) => this.scrub(text));
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
      withRetry((attempt) => this.attempt(method, url, path, scope, attempt, body), this.policy, {
        platform: 'meta',
        operation: method === 'POST' ? 'write' : 'read',
      }),
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
      record.error = this.scrub(asPacingError(err).message);
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
    if (sentUsage(usage)) record.usagePct = usage.maxPct;

    let parsed: unknown;
    try {
      parsed = text === '' ? null : (JSON.parse(text) as unknown);
    } catch {
      parsed = undefined;
    }
    const error = isObject(parsed) && isObject(parsed.error) ? parsed.error : null;
    if (error) throw graphError(where, res, error, usage, this.opts.apiVersion);
    if (!res.ok) throw httpError(where, res, text);
    if (parsed === undefined) {
      throw new PlatformError(
        'meta',
        `Meta Graph API answered ${where} with something other than JSON: ${redactAndClip(text, 120)}`,
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
    if (sentUsage(usage)) this.lastUsage = usage;
    const { account, app } = slowDownsFor(usage, this.slowDown);
    if (scope === GLOBAL) {
      this.delays.set(GLOBAL, Math.max(account, app));
    } else {
      this.delays.set(scope, account);
      this.delays.set(GLOBAL, app);
    }
  }
}
