// Who may talk to the app: only signed, fresh, first-seen requests from the workspace and app it was installed
// for. Bolt checks the signature and its 5-minute window; this adds the replay check and the team and app ids.
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

export function requestSignature(req: { headers: Record<string, string | string[] | undefined> }) {
  const sig = req.headers['x-slack-signature'];
  return { [SIGNATURE_KEY]: typeof sig === 'string' ? sig : null };
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
    const signature = (context as Record<string, unknown>)[SIGNATURE_KEY];
    if (typeof signature === 'string' && !store.seenRequests.first(signature, Date.now()))
      return refuse('a replay of a request already acted on');
    await next();
  };
}
