// Opening the data folder and the database, for every command; the read commands stop here (no agent, no
// platforms, no LangGraph: they answer from the database within a few tens of milliseconds).
import { existsSync, statSync } from 'node:fs';
import { Reads } from './agent/reads.js';
import type { Config } from './config.js';
import { DataError } from './errors.js';
import { Store } from './store/index.js';

/** What a read command needs: the settings and the agent's state as data (read-only: no store). */
export interface ReadApp {
  config: Config;
  reads: Reads;
  close(): Promise<void>;
}

/**
 * What queues Slack messages needs besides: the store that holds the outbox (the Slack notifier, the digest and
 * the dispatcher that delivers them). Nothing reads the agent's state through it: that is `reads`.
 */
export interface OutboxApp extends ReadApp {
  store: Store;
}

/** Checks the data folder (a missing one is named) and opens the database, migrating it if needed. */
export async function openStore(config: Config): Promise<Store> {
  if (!existsSync(config.dataDir) || !statSync(config.dataDir).isDirectory()) {
    throw new DataError(
      `PACING_DATA_DIR ${config.dataDir} is not a readable folder.`,
      config.dataDir,
      null,
      'data_unreadable',
    );
  }
  return Store.open(config.dbPath, config.dbPassword);
}

export async function openReader(config: Config): Promise<ReadApp> {
  const store = await openStore(config);
  return { config, reads: new Reads(store), close: () => store.close() };
}

export async function openOutbox(config: Config): Promise<OutboxApp> {
  const store = await openStore(config);
  return { config, store, reads: new Reads(store), close: () => store.close() };
}

/**
 * A reader over the database opened for reading only: nothing is migrated, caught up or written (a replay leaves
 * the file as it found it). Null when there is no database yet.
 */
export async function openReadOnlyReader(config: Config): Promise<ReadApp | null> {
  const store = await Store.openReadOnly(config.dbPath, config.dbPassword);
  return store ? { config, reads: new Reads(store), close: () => store.close() } : null;
}
