// The LangGraph checkpointer over the store's connection, made once per store and only by what runs graphs:
// read commands never load LangGraph.
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import type { Store } from '../store/index.js';

const savers = new WeakMap<Store, SqliteSaver>();

export function checkpointerFor(store: Store): SqliteSaver {
  let saver = savers.get(store);
  if (!saver) {
    saver = new SqliteSaver(store.db);
    savers.set(store, saver);
  }
  return saver;
}
