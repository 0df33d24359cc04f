// Where a Graph list's next page is: `paging.next` on the client's own origin, never carrying the token.
//
// Lists come back as `{data: [...], paging: {cursors: {before, after}, next?}}` and the last page is the one
// without `paging.next`, an absolute URL which may carry `access_token`
// (developers.facebook.com/docs/graph-api/results).
import { PlatformError } from '../../errors.js';
import { isObject } from './json.js';

/**
 * The next page's URL on `base`'s origin, without access_token; null on the last page. `scrub` cleans what an
 * error quotes.
 */
export function nextPageUrl(
  paging: unknown,
  current: string,
  base: URL,
  scrub: (text: string) => string,
): string | null {
  if (!isObject(paging) || typeof paging.next !== 'string' || paging.next === '') return null;
  let next: URL;
  try {
    next = new URL(paging.next, base);
  } catch {
    next = new URL('invalid:');
  }
  if (next.origin !== base.origin) {
    // Never send the token to another host: rebuild the page from the `after` cursor instead.
    const after = isObject(paging.cursors) && typeof paging.cursors.after === 'string' ? paging.cursors.after : null;
    if (!after) {
      throw new PlatformError(
        'meta',
        `Meta's paging.next points to another host (${scrub(next.origin)}) and has no cursor to follow.`,
        false,
      );
    }
    next = new URL(current);
    next.searchParams.set('after', after);
  }
  next.searchParams.delete('access_token');
  return next.toString();
}
