// App Home: rebuilt from the store each time a user opens it, and after a decision taken from it.
import type { App as Bolt } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log.js';
import { runMode } from '../platforms/index.js';
import type { AgentApp } from '../wiring.js';
import { modeNote } from './views/blocks.js';
import { homeView } from './views/home.js';

/** Publishes `user`'s Home tab as the store has it now, with an optional line about what they just did. */
export async function publishHome(
  client: WebClient,
  app: AgentApp,
  user: string,
  notice: string | null = null,
): Promise<void> {
  await client.views.publish({
    user_id: user,
    view: homeView({
      latest: await app.reads.latest(),
      pending: await app.reads.pending(),
      canDecide: app.agent.mayDecide(user, 'slack'),
      now: app.config.clock(),
      notice,
      note: modeNote(runMode(app.config.platforms)),
    }),
  });
}

export function registerHome(bolt: Bolt, app: AgentApp, log: Logger): void {
  bolt.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    try {
      await publishHome(client, app, event.user);
    } catch (err) {
      log.warn({ err }, 'could not publish App Home');
    }
  });
}
