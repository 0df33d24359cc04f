// The Bolt app: HTTP (signed requests at /slack/events) or Socket Mode, with our handlers registered.
import { App as Bolt, type CustomRoute, HTTPReceiver } from '@slack/bolt';
import type { Logger } from '../log.js';
import type { App } from '../wiring.js';
import { registerActions } from './actions.js';
import { type RunStarter, registerCommands } from './commands.js';
import { registerHome } from './home.js';
import { slackLogger } from './slack-logger.js';
import { type Installation, requestSignature, trustMiddleware } from './trust.js';

export interface BoltSettings {
  token: string;
  signingSecret: string | null;
  appToken: string | null;
  apiUrl: string | null;
  botId: string | undefined;
  botUserId: string | undefined;
  /** Requests from any other workspace or app are refused. */
  installed: Installation;
  /** Unsigned routes served beside /slack/events in HTTP mode (health and metrics). */
  routes?: CustomRoute[];
}

export function createBolt(
  settings: BoltSettings,
  app: App,
  log: Logger,
  startRun: RunStarter,
  kick: () => void,
  /** Registers work a click started, so that shutdown waits for it. */
  track: <T>(work: Promise<T>) => Promise<T> = (w) => w,
): Bolt {
  const socketMode = settings.appToken !== null;
  // Shared by Bolt with its WebClient.
  const logger = slackLogger(log, 'bolt');
  const bolt = new Bolt({
    token: settings.token,
    ...(socketMode
      ? { socketMode: true, appToken: settings.appToken as string }
      : {
          // Our own receiver: it hands each request's signature to the replay check, and serves the health
          // and metrics routes, which Slack does not sign.
          receiver: new HTTPReceiver({
            signingSecret: settings.signingSecret as string,
            processBeforeResponse: false,
            logger,
            customPropertiesExtractor: requestSignature,
            customRoutes: settings.routes ?? [],
          }),
        }),
    // We verify the token ourselves at start-up, with a clear message, instead of an unhandled rejection.
    tokenVerificationEnabled: false,
    // No conversation state is kept in Slack's process memory (decisions live in the database): Bolt's
    // in-memory conversation store would only add a lookup before every acknowledgement.
    convoStore: false,
    ...(settings.botId ? { botId: settings.botId } : {}),
    ...(settings.botUserId ? { botUserId: settings.botUserId } : {}),
    processBeforeResponse: false,
    logger,
    clientOptions: {
      ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
      // Interactive replies are worth a couple of quick retries, not the default half hour.
      retryConfig: { retries: 2, factor: 2, minTimeout: 300, maxTimeout: 2_000 },
      timeout: 10_000,
    },
  });
  bolt.use(trustMiddleware(settings.installed, app.store, log));
  registerCommands(bolt, app, startRun, log);
  registerActions(bolt, app, log, kick, track);
  registerHome(bolt, app, log);
  bolt.error(async (err) => {
    log.error({ err: { message: err.message, code: (err as { code?: string }).code } }, 'Slack handler failed');
  });
  return bolt;
}
