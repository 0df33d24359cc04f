// The LangGraph checkpointer over the store's database (SQLite's connection, or PostgreSQL's pool), made once per
// store and only by what runs graphs: read commands never load LangGraph.
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import type { Store } from '../store/index.js';

const savers = new WeakMap<Store, BaseCheckpointSaver>();

export function checkpointerFor(store: Store): BaseCheckpointSaver {
  let saver = savers.get(store);
  if (!saver) {
    saver = store.postgres ? store.postgres.checkpointer() : new SqliteSaver(store.db);
    savers.set(store, saver);
  }
  return saver;
}
