// Builds the agent from configuration: store, tracker, platforms, notifier.
import { join } from 'node:path';
import { PacingAgent } from './agent/agent.js';
import type { Notifier, PlatformAdapter, Progress } from './agent/ports.js';
import type { Config } from './config.js';
import type { Platform } from './domain/types.js';
import { explainerFor } from './llm/index.js';
import { type OutboxApp, openStore } from './open.js';
import { createPlatforms } from './platforms/index.js';
import type { Store } from './store/index.js';
import { CsvPlanSource } from './tracker/csv.js';
import { SheetsPlanSource } from './tracker/sheets/source.js';

export interface App extends OutboxApp {
  agent: PacingAgent;
}

/**
 * The app as Slack's handlers and the CLI's commands see it: the agent to ask, its reads and the settings. The
 * store stays with the wiring that delivers Slack's outbox and pages.
 */
export type AgentApp = Omit<App, 'store'>;

/** `notifier` may be built from the store (the Slack notifier queues messages in it). */
export async function createApp(
  config: Config,
  notifier: Notifier | ((store: Store) => Notifier),
  progress?: Progress,
): Promise<App> {
  const store = await openStore(config);
  let platforms: Map<Platform, PlatformAdapter>;
  try {
    platforms = createPlatforms(config, store.fixtureStatus);
  } catch (err) {
    await store.close();
    throw err;
  }
  const agent = new PacingAgent({
    store,
    tracker: config.sheet
      ? new SheetsPlanSource(config.sheet, config.platforms.google)
      : new CsvPlanSource(join(config.dataDir, 'tracker.csv')),
    platforms,
    notifier: typeof notifier === 'function' ? notifier(store) : notifier,
    clock: config.clock,
    thresholds: config.thresholds,
    guards: config.guards,
    budgets: config.budgets,
    planCurrency: config.planCurrency,
    approvalTimeoutHours: config.approvalTimeoutHours,
    checkpointRetentionDays: config.checkpointRetentionDays,
    resultsRetentionDays: config.resultsRetentionDays,
    approvers: config.approvers,
    explainer: explainerFor(config.llm),
    explanations: { timeoutMs: config.llm.timeoutMs, maxCallsPerRun: config.llm.maxCallsPerRun },
    ...(progress ? { progress } : {}),
  });
  return { config, store, agent, reads: agent.reads, close: () => store.close() };
}
