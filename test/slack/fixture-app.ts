// A real store and agent over a temporary copy of the bundled fixtures, for the Slack view, dispatcher,
// notifier and digest tests. Several apps may share one database (as processes do), each with its own "now".
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogLevel, WebClient } from '@slack/web-api';
import type { Notifier } from '../../src/agent/ports.js';
import { loadConfig } from '../../src/config.js';
import type { Store } from '../../src/store/index.js';
import { type App, createApp } from '../../src/wiring.js';
import { FIXTURES, NOW } from '../fakes/pacing-cli.js';
import { FAKE_SLACK } from '../fakes/slack-api.js';

export { NOW };

/** Slack users allowed to decide in these tests. */
export const APPROVERS = ['U0APPROVER1', 'U0REJECTER1'];

/** ISO time `hours` after the scenario's "now". */
export const later = (hours: number, from = NOW): string =>
  new Date(Date.parse(from) + hours * 3_600_000).toISOString();

export interface FixtureWorld {
  dir: string;
  db: string;
  /** Opens an app on the shared database; closed by cleanup(). APPROVERS may decide from Slack. */
  open(notifier: Notifier | ((store: Store) => Notifier), now?: string): Promise<App>;
  cleanup(): Promise<void>;
}

/** `env` adds or overrides settings (e.g. BUDGET_ACTIONS) for every app the world opens. */
export function fixtureWorld(extra: Record<string, string> = {}): FixtureWorld {
  const dir = mkdtempSync(join(tmpdir(), 'pacing-slack-unit-'));
  const dataDir = join(dir, 'data');
  cpSync(FIXTURES, dataDir, { recursive: true });
  const db = join(dir, 'p.db');
  const apps: App[] = [];
  return {
    dir,
    db,
    async open(notifier, now = NOW) {
      // The bundled scenario's pause and alert questions, as the Slack tests count them: budget questions off.
      const settings = {
        PACING_DATA_DIR: dataDir,
        PACING_DB: db,
        PACING_NOW: now,
        PACING_APPROVERS: APPROVERS.join(','),
        BUDGET_ACTIONS: 'off',
        ...extra,
      };
      const app = await createApp(loadConfig(settings), notifier);
      apps.push(app);
      return app;
    },
    async cleanup() {
      for (const a of apps.splice(0)) {
        try {
          await a.close();
        } catch {
          // already closed
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Like serve's webClient(): no client-side retries, rate limits rejected so the outbox decides. */
export const fastClient = (url: string): WebClient =>
  new WebClient(FAKE_SLACK.token, {
    slackApiUrl: url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 5_000,
    logLevel: LogLevel.ERROR,
  });

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
