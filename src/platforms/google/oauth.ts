// Google OAuth 2.0 access tokens from a stored refresh token (the "installed app" / web flow's offline grant).
//
// Wire format (Google Ads API "Authorization and HTTP headers" guide, REST): POST to the token endpoint with an
// `application/x-www-form-urlencoded` body `grant_type=refresh_token&client_id=…&client_secret=…&refresh_token=…`;
// the answer is JSON `{access_token, expires_in (seconds, normally 3600), token_type: "Bearer", scope}`.
// A refused grant is HTTP 400 `{error: "invalid_grant", error_description: "Token has been expired or revoked."}`
// (RFC 6749 §5.2); a wrong client id or secret is 401 `{error: "invalid_client" | "unauthorized_client"}`.
import { PlatformError } from '../../errors.js';
import { redactText } from '../../redact.js';
import { retryAfterMs } from '../retry.js';

export interface OAuthSettings {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  tokenUrl: string;
}

export interface OAuthDeps {
  fetch: typeof fetch;
  /**
   * Milliseconds, for the token cache only. Real elapsed time, never PACING_NOW: a pinned "now" would keep an
   * expired token forever.
   */
  now?: () => number;
  /** Refresh this long before the token's stated expiry (default 60 s). */
  refreshMarginMs?: number;
  /** Abort a token request after this long (default 30 s). */
  timeoutMs?: number;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

const PLATFORM = 'google';

export class GoogleOAuth {
  private cached: CachedToken | null = null;
  private inflight: Promise<string> | null = null;
  private readonly now: () => number;
  private readonly marginMs: number;
  private readonly timeoutMs: number;
  /** Every access token handed out, so that none of them can leak into a message. */
  private readonly issued = new Set<string>();

  constructor(
    private readonly settings: OAuthSettings,
    private readonly deps: OAuthDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.marginMs = deps.refreshMarginMs ?? 60_000;
    this.timeoutMs = deps.timeoutMs ?? 30_000;
  }

  /** A valid access token: the cached one unless it expires within the margin; concurrent callers share one refresh. */
  async accessToken(): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() < cached.expiresAt - this.marginMs) return cached.value;
    if (!this.inflight) {
      this.inflight = this.refresh().finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  /** Drops the cached token (after a 401) so the next call refreshes; only when it is still the one that failed. */
  invalidate(token?: string): void {
    if (token === undefined || this.cached?.value === token) this.cached = null;
  }

  /** Replaces every secret this client knows (and token-shaped strings) with "[redacted]". */
  scrub(text: string): string {
    let out = text;
    for (const secret of [this.settings.refreshToken, this.settings.clientSecret, ...this.issued]) {
      if (secret.length >= 4) out = out.split(secret).join('[redacted]');
    }
    return redactText(out);
  }

  private async refresh(): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: this.settings.clientId,
      client_secret: this.settings.clientSecret,
      refresh_token: this.settings.refreshToken,
    });
    let res: Response;
    try {
      res = await this.deps.fetch(this.settings.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw this.error(
        `cannot reach Google's OAuth token endpoint ${this.settings.tokenUrl} (${networkReason(err)}).`,
        true,
      );
    }
    const text = await res.text().catch(() => '');
    const json = parseJson(text) as {
      access_token?: unknown;
      expires_in?: unknown;
      error?: unknown;
      error_description?: unknown;
    } | null;
    if (res.ok) {
      const token = typeof json?.access_token === 'string' ? json.access_token : '';
      if (!token)
        throw this.error(`Google's OAuth token endpoint answered HTTP ${res.status} without an access_token.`, true);
      const seconds = Number(json?.expires_in);
      this.issued.add(token);
      this.cached = {
        value: token,
        expiresAt: this.now() + (Number.isFinite(seconds) && seconds > 0 ? seconds : 3600) * 1000,
      };
      return token;
    }
    const code = typeof json?.error === 'string' ? json.error : null;
    const description = typeof json?.error_description === 'string' ? json.error_description : null;
    const said = code ? `${code}${description ? `: ${description}` : ''}` : `HTTP ${res.status}`;
    if (code === 'invalid_grant') {
      throw this.error(
        `Google refused the refresh token (${said}). It has expired or been revoked: re-create GOOGLE_ADS_REFRESH_TOKEN (see "Live platforms" in README.md).`,
        false,
      );
    }
    if (code === 'invalid_client' || code === 'unauthorized_client') {
      throw this.error(
        `Google refused the OAuth client (${said}): check GOOGLE_ADS_CLIENT_ID and GOOGLE_ADS_CLIENT_SECRET.`,
        false,
      );
    }
    if (res.status === 429 || res.status >= 500) {
      throw this.error(
        `Google's OAuth token endpoint failed (${said}).`,
        true,
        retryAfterMs(res.headers.get('retry-after')),
      );
    }
    throw this.error(`Google's OAuth token endpoint refused the token request (${said}).`, false);
  }

  private error(message: string, retryable: boolean, retryAfter: number | null = null): PlatformError {
    return new PlatformError(PLATFORM, this.scrub(`Google Ads sign-in failed: ${message}`), retryable, retryAfter);
  }
}

/** Why a fetch threw, in a few words: the system error code when there is one (ECONNREFUSED, ENOTFOUND, …). */
export function networkReason(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    if (cause && typeof cause.code === 'string') return cause.code;
    if (cause && typeof cause.message === 'string') return cause.message;
    return err.message;
  }
  return String(err);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
