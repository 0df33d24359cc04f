// Builds the agent from configuration: store, tracker, platforms, notifier.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PacingAgent } from './agent/agent.js';
import type { Notifier, PlatformAdapter, Progress } from './agent/ports.js';
import type { Config } from './config.js';
import type { Platform } from './domain/types.js';
import { DataError } from './errors.js';
import { createPlatforms } from './platforms/index.js';
import { Store } from './store/index.js';
import { CsvPlanSource } from './tracker/csv.js';

export interface App {
  config: Config;
  store: Store;
  agent: PacingAgent;
  close(): void;
}

/** `notifier` may be built from the store (the Slack notifier queues messages in it). */
export function createApp(config: Config, notifier: Notifier | ((store: Store) => Notifier), progress?: Progress): App {
  if (!existsSync(config.dataDir) || !statSync(config.dataDir).isDirectory()) {
    throw new DataError(
      `PACING_DATA_DIR ${config.dataDir} is not a readable folder.`,
      config.dataDir,
      null,
      'data_unreadable',
    );
  }
  const store = Store.open(config.dbPath);
  let platforms: Map<Platform, PlatformAdapter>;
  try {
    platforms = createPlatforms(config, store.fixtureStatus);
  } catch (err) {
    store.close();
    throw err;
  }
  const agent = new PacingAgent({
    store,
    tracker: new CsvPlanSource(join(config.dataDir, 'tracker.csv')),
    platforms,
    notifier: typeof notifier === 'function' ? notifier(store) : notifier,
    clock: config.clock,
    thresholds: config.thresholds,
    guards: config.guards,
    planCurrency: config.planCurrency,
    approvalTimeoutHours: config.approvalTimeoutHours,
    checkpointRetentionDays: config.checkpointRetentionDays,
    resultsRetentionDays: config.resultsRetentionDays,
    approvers: config.approvers,
    ...(progress ? { progress } : {}),
  });
  return { config, store, agent, close: () => store.close() };
}
