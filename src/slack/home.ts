// App Home: rebuilt from the store each time a user opens it.
import type { App as Bolt } from '@slack/bolt';
import type { Logger } from '../log.js';
import type { App } from '../wiring.js';
import { homeView } from './views/home.js';

export function registerHome(bolt: Bolt, app: App, log: Logger): void {
  bolt.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    try {
      await client.views.publish({ user_id: event.user, view: homeView(app.agent.latest(), app.agent.pending()) });
    } catch (err) {
      log.warn({ err }, 'could not publish App Home');
    }
  });
}
