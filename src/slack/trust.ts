// Who may talk to the app: only signed, fresh, first-seen requests from the workspace and app it was installed
// for. Bolt checks the signature and that it is not over 5 minutes old; this adds the replay check (on the
// signature Bolt verified), refuses timestamps over 5 minutes ahead, and checks the team and app ids.
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';

export interface Installation {
  /** SLACK_TEAM_ID, or the workspace auth.test reported for the bot token. */
  teamId: string | null;
  /** SLACK_APP_ID, or the app auth.test reported. */
  appId: string | null;
}

/** The request's signature, taken from its headers by the HTTP receiver (absent in Socket Mode). */
export const SIGNATURE_KEY = 'slackRequestSignature';
/** The request's timestamp (unix seconds), as Bolt reads it, taken with the signature. */
export const TIMESTAMP_KEY = 'slackRequestTimestamp';

/** How far a request's timestamp may lie from now, either way: Slack's window, which Bolt enforces only for the past. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * The signature Bolt verified, in one canonical form. Bolt splits the header on `=` and compares only the
 * second part with the HMAC, so `v0=<hex>=x`, `v0=<hex>=` and `v0=<hex>==v0` all pass its check: keyed on the
 * raw header, each would count as a new request and a captured one could be replayed. Null for a header Bolt
 * would not accept anyway.
 */
export function canonicalSignature(header: string): string | null {
  const [version, hash] = header.split('=');
  if (version !== 'v0' || hash === undefined || !/^[0-9a-f]{64}$/.test(hash)) return null;
  return `v0=${hash}`;
}

export function requestSignature(req: { headers: Record<string, string | string[] | undefined> }) {
  const sig = req.headers['x-slack-signature'];
  const ts = req.headers['x-slack-request-timestamp'];
  return {
    [SIGNATURE_KEY]: typeof sig === 'string' ? canonicalSignature(sig) : null,
    // Read as Bolt reads it (Number), so the time checked here is the time that was signed.
    [TIMESTAMP_KEY]: typeof ts === 'string' ? Number(ts) : null,
  };
}

interface Ids {
  team: string | null;
  app: string | null;
}

/** The workspace and app a payload says it comes from (commands, actions, views, events differ in shape). */
export function idsOf(body: unknown): Ids {
  const b = (body ?? {}) as Record<string, unknown>;
  const team = b.team as { id?: unknown } | string | null | undefined;
  const user = b.user as { team_id?: unknown } | undefined;
  const teamId =
    (typeof b.team_id === 'string' && b.team_id) ||
    (team && typeof team === 'object' && typeof team.id === 'string' && team.id) ||
    (typeof user?.team_id === 'string' && user.team_id) ||
    null;
  const appId = typeof b.api_app_id === 'string' ? b.api_app_id : null;
  return { team: teamId, app: appId };
}

/**
 * Refuses, before any listener runs, a request from another workspace or app, and an exact replay of a signed
 * request already acted on. A refused request is acknowledged (so Slack does not retry it) and changes nothing.
 */
export function trustMiddleware(installed: Installation, store: Store, log: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const { body, context, next } = args;
    const ack = (args as { ack?: (r?: unknown) => Promise<void> }).ack;
    const ids = idsOf(body);
    const refuse = async (why: string) => {
      log.warn({ team: ids.team, app: ids.app, why }, 'Slack request refused');
      await ack?.().catch(() => {});
    };
    if (installed.teamId !== null && ids.team !== installed.teamId)
      return refuse(`workspace ${ids.team ?? 'unknown'} is not the one the app was installed for`);
    if (installed.appId !== null && ids.app !== installed.appId)
      return refuse(`app ${ids.app ?? 'unknown'} is not this app`);
    const ctx = context as Record<string, unknown>;
    const signature = ctx[SIGNATURE_KEY];
    const timestamp = ctx[TIMESTAMP_KEY];
    const now = Date.now();
    // The receiver's clock, like Bolt's own check (PACING_NOW does not move Slack's clock). A request dated
    // ahead would stay "fresh" for Bolt long after the replay table has forgotten it.
    if (typeof timestamp === 'number' && !(timestamp * 1000 <= now + MAX_CLOCK_SKEW_MS))
      return refuse('its timestamp lies more than 5 minutes in the future');
    // In HTTP mode the key is always there; a signature Bolt let through but that has no canonical form is
    // not trusted to be unique.
    if (SIGNATURE_KEY in ctx && typeof signature !== 'string') return refuse('its signature is not in canonical form');
    if (typeof signature === 'string' && !(await store.seenRequests.first(signature, now)))
      return refuse('a replay of a request already acted on');
    await next();
  };
}
