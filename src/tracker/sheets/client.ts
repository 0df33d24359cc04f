// A thin client of the Sheets API v4: a spreadsheet's sheet titles and one range's values, with retries.
//
// Wire format (developers.google.com/sheets/api/reference/rest/v4): GET {base}/v4/spreadsheets/{id}?fields=…
// → `{sheets: [{properties: {sheetId, title, index}}]}`; GET {base}/v4/spreadsheets/{id}/values/{range}
// ?valueRenderOption=UNFORMATTED_VALUE&dateTimeRenderOption=FORMATTED_STRING → `{range, majorDimension, values?}`
// (numbers as JSON numbers, dates as the cell shows them, empty trailing cells and rows left out). Errors are
// `{error: {code, message, status}}`: 400 INVALID_ARGUMENT "Unable to parse range: …", 401 UNAUTHENTICATED,
// 403 PERMISSION_DENIED (not shared, the API not enabled, or a token without the scope), 404 NOT_FOUND,
// 429 RESOURCE_EXHAUSTED (per-minute read quota), 5xx.
import { PlatformError } from '../../errors.js';
import { networkReason, parseJson } from '../../platforms/google/oauth.js';
import { DEFAULT_RETRY, type RetryPolicy, retryAfterMs, withRetry } from '../../platforms/retry.js';
import { redactText } from '../../redact.js';
import type { SheetValues } from '../sheet-grid.js';
import { SHEETS_PLATFORM, type SheetsAuth } from './auth.js';

/**
 * Sheets' read quota is counted per minute: the waits grow from 2 s to 16 s (about 30 s in all, or what
 * Retry-After asks) before the run gives up, where the platforms' default would give up within 8 s.
 */
export const SHEETS_RETRY: RetryPolicy = { ...DEFAULT_RETRY, baseDelayMs: 2_000 };

export interface SheetTab {
  sheetId: number;
  title: string;
  index: number;
}

export interface SheetsClientOptions {
  apiUrl: string;
  auth: SheetsAuth;
  fetch?: typeof fetch;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

/** What a refused request was for, so its message can say what to fix. */
type Asking = { spreadsheetId: string; range: string | null };

export class SheetsClient {
  private readonly fetch: typeof fetch;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(private readonly options: SheetsClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.retry = options.retry ?? SHEETS_RETRY;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** The spreadsheet's sheets (tabs), in their order. */
  async tabs(spreadsheetId: string): Promise<SheetTab[]> {
    const path = `/v4/spreadsheets/${encodeURIComponent(spreadsheetId)}?fields=sheets.properties(sheetId%2Ctitle%2Cindex)`;
    const body = (await this.get(path, { spreadsheetId, range: null })) as {
      sheets?: { properties?: Partial<SheetTab> }[];
    };
    return (body.sheets ?? [])
      .map((s) => s.properties ?? {})
      .filter((p): p is SheetTab => typeof p.title === 'string' && typeof p.sheetId === 'number')
      .map((p) => ({ sheetId: p.sheetId, title: p.title, index: typeof p.index === 'number' ? p.index : 0 }))
      .sort((a, b) => a.index - b.index);
  }

  /** One range's values, unformatted (numbers as numbers), dates as the sheet shows them. */
  async values(spreadsheetId: string, range: string): Promise<SheetValues> {
    const query = 'valueRenderOption=UNFORMATTED_VALUE&dateTimeRenderOption=FORMATTED_STRING&majorDimension=ROWS';
    const path = `/v4/spreadsheets/${encodeURIComponent(spreadsheetId)}/values/${encodeURIComponent(range)}?${query}`;
    const body = (await this.get(path, { spreadsheetId, range })) as { range?: unknown; values?: unknown };
    if (body.values !== undefined && !(Array.isArray(body.values) && body.values.every(Array.isArray))) {
      throw this.error('the Sheets API answered values that are not rows of cells.', false);
    }
    return { range: typeof body.range === 'string' ? body.range : range, values: (body.values as unknown[][]) ?? [] };
  }

  private get(path: string, asking: Asking): Promise<unknown> {
    return withRetry(() => this.attempt(path, asking), this.retry);
  }

  private async attempt(path: string, asking: Asking): Promise<unknown> {
    const token = await this.options.auth.accessToken();
    let res: Response;
    try {
      res = await this.fetch(`${this.options.apiUrl}${path}`, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw this.error(
        `cannot reach the Sheets API at ${this.options.apiUrl} (${networkReason(err)}).`,
        true,
        null,
        token,
      );
    }
    const text = await res.text().catch(() => '');
    const json = parseJson(text);
    if (res.ok) {
      if (json === null || typeof json !== 'object')
        throw this.error(`the Sheets API answered HTTP ${res.status} with a body that is not JSON.`, true, null, token);
      return json;
    }
    throw this.refusal(res, json, asking, token);
  }

  /** A failed request as a PlatformError: retryable for 401 (a fresh token), 429 and 5xx; what to do otherwise. */
  private refusal(res: Response, json: unknown, asking: Asking, token: string): PlatformError {
    const error = (json as { error?: { message?: unknown; status?: unknown } } | null)?.error;
    const said = typeof error?.message === 'string' ? error.message : `HTTP ${res.status}`;
    const status = typeof error?.status === 'string' ? error.status : '';
    const auth = this.options.auth;
    const sheet = `spreadsheet ${asking.spreadsheetId}`;
    if (res.status === 401) {
      auth.invalidate(token);
      return this.error(`the Sheets API refused the access token (${said}).`, true, null, token);
    }
    if (res.status === 429 || res.status >= 500)
      return this.error(`the Sheets API failed (${said}).`, true, retryAfterMs(res.headers.get('retry-after')), token);
    if (res.status === 404)
      return this.error(
        `there is no ${sheet} (${said}): check TRACKER_SHEET (the id is the part of the sheet's URL after /d/).`,
        false,
        null,
        token,
      );
    if (res.status === 403) {
      if (/scope/i.test(said) || status === 'ACCESS_TOKEN_SCOPE_INSUFFICIENT')
        return this.error(
          `the Sheets API refused to read ${sheet} (${said}): ${auth.scopeAdvice}.`,
          false,
          null,
          token,
        );
      if (/has not been used|is disabled|SERVICE_DISABLED/i.test(said))
        return this.error(
          `the Sheets API is not enabled for the Google Cloud project of ${auth.reader} (${said}): enable "Google Sheets API" in that project.`,
          false,
          null,
          token,
        );
      return this.error(`${auth.reader} may not read ${sheet} (${said}): ${auth.shareAdvice}.`, false, null, token);
    }
    if (res.status === 400 && asking.range !== null && /parse range/i.test(said))
      return this.error(
        `${sheet} has no range ${JSON.stringify(asking.range)} (${said}): set TRACKER_SHEET_RANGE to a sheet's name as its tab shows it, such as Plan, or a range such as Plan!A1:M500.`,
        false,
        null,
        token,
      );
    return this.error(`the Sheets API refused the request (${said}).`, false, null, token);
  }

  private error(message: string, retryable: boolean, retryAfter: number | null = null, token?: string): PlatformError {
    const text = `Reading the plan from Google Sheets failed: ${message}`;
    const scrubbed = token && token.length >= 4 ? text.split(token).join('[redacted]') : text;
    return new PlatformError(SHEETS_PLATFORM, redactText(scrubbed), retryable, retryAfter);
  }
}
