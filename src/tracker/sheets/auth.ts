// Access tokens for the Sheets API: a service account's (a JWT signed with its key, exchanged at the key file's
// token_uri) or the Google Ads OAuth client's (its refresh token must carry the spreadsheets.readonly scope).
//
// Wire format of the JWT grant (developers.google.com/identity/protocols/oauth2/service-account): POST to the
// token endpoint, form body `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`, the JWT
// RS256-signed with claims iss (the account's e-mail), scope, aud (Google's token endpoint), iat and exp (an hour
// at most); the answer is `{access_token, expires_in, token_type}`. A key that was deleted or does not match is
// refused with 400 `{error: "invalid_grant", error_description: "Invalid JWT Signature."}`.
//
// google-auth-library signs and caches; it is loaded on the first token only (start-up of the read commands
// stays light). Its client posts to Google's endpoint whatever the key file says, so the request is sent to
// `token_uri` instead; its own retries are off, as the caller retries.
import type { JWT } from 'google-auth-library';
import { PlatformError } from '../../errors.js';
import { type GoogleOAuth, networkReason } from '../../platforms/google/oauth.js';
import { retryAfterMs } from '../../platforms/retry.js';
import { redactText } from '../../redact.js';
import { GOOGLE_TOKEN_URL, type ServiceAccountKey } from './key-file.js';

export const SHEETS_SCOPE = 'https://www.googleapis.com/auth/spreadsheets.readonly';
export const SHEETS_PLATFORM = 'google sheets';

export interface SheetsAuth {
  accessToken(): Promise<string>;
  /** Drops a token the API refused (401), so the next call fetches a new one. */
  invalidate(token: string): void;
  /** Who reads the sheet, for messages: "the service account x@y.iam.gserviceaccount.com". */
  readonly reader: string;
  /** What to do when the sheet is not shared with the reader. */
  readonly shareAdvice: string;
  /** What to do when the token lacks the Sheets scope. */
  readonly scopeAdvice: string;
}

/** A service account's tokens, from its key file. */
export class ServiceAccountAuth implements SheetsAuth {
  readonly reader: string;
  readonly shareAdvice: string;
  readonly scopeAdvice = `the service account's token lacks the ${SHEETS_SCOPE} scope`;
  private client: Promise<JWT> | null = null;

  constructor(
    private readonly key: ServiceAccountKey,
    private readonly timeoutMs = 30_000,
  ) {
    this.reader = `the service account ${key.clientEmail}`;
    this.shareAdvice = `share the sheet with ${key.clientEmail} (Share > add the address, Viewer is enough)`;
  }

  async accessToken(): Promise<string> {
    this.client ??= this.build();
    const client = await this.client;
    try {
      const { token } = await client.getAccessToken();
      if (!token) throw this.error(`${this.key.tokenUri} answered without an access_token.`, true);
      return token;
    } catch (err) {
      // A refused or failed exchange leaves the client's state unknown: the next attempt starts afresh.
      this.client = null;
      throw err instanceof PlatformError ? err : this.fromGaxios(err);
    }
  }

  invalidate(): void {
    this.client = null;
  }

  private async build(): Promise<JWT> {
    const { JWT } = await import('google-auth-library');
    const client = new JWT({
      email: this.key.clientEmail,
      key: this.key.privateKey,
      ...(this.key.privateKeyId ? { keyId: this.key.privateKeyId } : {}),
      scopes: [SHEETS_SCOPE],
      transporterOptions: { retry: false, retryConfig: { retry: 0 }, timeout: this.timeoutMs },
    });
    const tokenUri = this.key.tokenUri;
    if (tokenUri !== GOOGLE_TOKEN_URL) {
      client.transporter.interceptors.request.add({
        resolved: async (options) => {
          if (String(options.url) === GOOGLE_TOKEN_URL) options.url = new URL(tokenUri);
          return options;
        },
      });
    }
    return client;
  }

  /** A failed token exchange (a GaxiosError, or the network's) as a PlatformError that says what to do. */
  private fromGaxios(err: unknown): PlatformError {
    const response = (err as { response?: { status?: number; data?: unknown; headers?: unknown } }).response;
    if (!response || typeof response.status !== 'number') {
      return this.error(`cannot reach the token endpoint ${this.key.tokenUri} (${networkReason(err)}).`, true);
    }
    const data = (typeof response.data === 'object' && response.data !== null ? response.data : {}) as {
      error?: unknown;
      error_description?: unknown;
    };
    const code = typeof data.error === 'string' ? data.error : null;
    const description = typeof data.error_description === 'string' ? data.error_description : null;
    const said = code ? `${code}${description ? `: ${description}` : ''}` : `HTTP ${response.status}`;
    if (code === 'invalid_grant' || code === 'invalid_client' || code === 'unauthorized_client') {
      return this.error(
        `Google refused the service account's key (${said}): the key in GOOGLE_APPLICATION_CREDENTIALS was deleted, disabled or altered, or the account ${this.key.clientEmail} no longer exists. Create a new JSON key for it and point GOOGLE_APPLICATION_CREDENTIALS at the file.`,
        false,
      );
    }
    const status = response.status;
    if (status === 429 || status >= 500) {
      const headers = response.headers;
      const retryAfter =
        headers instanceof Headers
          ? headers.get('retry-after')
          : ((headers as Record<string, string>)?.['retry-after'] ?? null);
      return this.error(`the token endpoint failed (${said}).`, true, retryAfterMs(retryAfter));
    }
    return this.error(`the token endpoint refused the token request (${said}).`, false);
  }

  private error(message: string, retryable: boolean, retryAfter: number | null = null): PlatformError {
    return new PlatformError(
      SHEETS_PLATFORM,
      redactText(`Signing in as ${this.reader} failed: ${message}`),
      retryable,
      retryAfter,
    );
  }
}

/** The Google Ads OAuth client's tokens: the sheet is read as the Google account that granted its refresh token. */
export class AdsClientAuth implements SheetsAuth {
  readonly reader = 'the Google account of GOOGLE_ADS_REFRESH_TOKEN';
  readonly shareAdvice = 'share the sheet with the Google account that created GOOGLE_ADS_REFRESH_TOKEN';
  readonly scopeAdvice =
    `GOOGLE_ADS_REFRESH_TOKEN was granted without the ${SHEETS_SCOPE} scope: create it again asking for that scope too (see "Plans in Google Sheets" in README.md), or use a service account (GOOGLE_APPLICATION_CREDENTIALS)`;

  constructor(private readonly oauth: GoogleOAuth) {}

  accessToken(): Promise<string> {
    return this.oauth.accessToken();
  }

  invalidate(token: string): void {
    this.oauth.invalidate(token);
  }
}
