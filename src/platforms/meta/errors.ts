// Graph error classification: a failed answer (bad token, throttling, temporary, refused) as a PlatformError.
//
// Errors are a JSON body `{error: {message, type, code, error_subcode, is_transient?, fbtrace_id}}`, usually with
// HTTP 400; throttling is told by the code (4, 17, 613, 80000–80014), not reliably by HTTP 429
// (developers.facebook.com/docs/graph-api/guides/error-handling).
import { PlatformError } from '../../errors.js';
import { redactAndClip } from '../../redact.js';
import { formatDuration, retryAfterMs } from '../retry.js';
import { num } from './json.js';
import type { MetaUsage } from './usage.js';

/** Graph error codes that mean "too many calls, wait": app, user, ad account, and Business Use Case limits. */
export function isThrottleCode(code: number): boolean {
  return code === 4 || code === 17 || code === 613 || (code >= 80000 && code <= 80014);
}

/**
 * The newest Marketing API version (v27.0, released 2026-11-04): META_API_VERSION's default, and the one to
 * suggest when Meta refuses the configured one as retired. v26.0 is still served until Meta retires it.
 */
export const CURRENT_META_API_VERSION = 'v27.0';

/** Graph error code for "You are calling a deprecated version of the Ads API": the version is retired. */
export const RETIRED_VERSION_CODE = 2635;

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

/**
 * A Graph `error` object as a PlatformError: retryable when Meta throttles or says the problem is temporary.
 * `apiVersion` is the version called, named when Meta refuses it as retired.
 */
export function graphError(
  where: string,
  res: Response,
  e: Record<string, unknown>,
  usage: MetaUsage,
  apiVersion?: string,
): PlatformError {
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
  if (code === RETIRED_VERSION_CODE) {
    // Retrying cannot help, and Meta's auto-upgrade of old versions is not to be relied on: the setting must change.
    const version = apiVersion !== undefined ? `API version ${apiVersion}` : 'the configured API version';
    const suggestion =
      apiVersion === CURRENT_META_API_VERSION
        ? "a current version (see Meta's Marketing API changelog)"
        : `a current version such as ${CURRENT_META_API_VERSION}`;
    return new PlatformError(
      'meta',
      `Meta refused ${version} as retired (error #${RETIRED_VERSION_CODE}): set META_API_VERSION to ${suggestion}. Meta said: ${message}`,
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
    return new PlatformError('meta', `Meta is throttling ${where} (${codes}${trace}): ${message}.${eta}`, true, after);
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

/** A failed answer without a Graph `error` body: retryable on 5xx and 429, refused otherwise. */
export function httpError(where: string, res: Response, text: string): PlatformError {
  const snippet = redactAndClip(text, 200).replace(/\s+/g, ' ');
  if (res.status >= 500 || res.status === 429) {
    const after = res.status === 429 ? retryAfterMs(res.headers.get('retry-after')) : null;
    return new PlatformError(
      'meta',
      `Meta Graph API answered HTTP ${res.status} for ${where}: ${snippet}`,
      true,
      after,
    );
  }
  return new PlatformError('meta', `Meta Graph API refused ${where} with HTTP ${res.status}: ${snippet}`, false);
}
