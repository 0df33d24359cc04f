// What PACING_DB names: a PostgreSQL URL or a SQLite file. Kept apart from the PostgreSQL adapter so that reading
// the configuration does not load the `pg` driver.
import { redactText } from '../redact.js';

/** Whether PACING_DB names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(value);
}

/** The URL without its credentials, for messages: `postgres://[redacted]@db:5432/pacing`. */
export function describeUrl(url: string): string {
  return redactText(url);
}

/** The user name of a URL (as written, and decoded), or null without one. */
export function urlUser(url: string): string | null {
  const userinfo = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)@/.exec(url)?.[1];
  if (!userinfo) return null;
  const colon = userinfo.indexOf(':');
  return colon < 0 ? userinfo : userinfo.slice(0, colon);
}
