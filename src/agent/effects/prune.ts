// Retention of escalation threads: their checkpoints deleted once settled long enough, and audited.
import { checkpointerFor } from '../checkpointer.js';
import type { AgentDeps } from '../deps.js';

/** Deletes the checkpoints of threads settled before `before` (SqliteSaver never prunes), and audits it. */
export async function pruneThreads(deps: AgentDeps, before: string): Promise<number> {
  const done = await deps.store.escalations.prunable(before);
  for (const e of done) {
    await checkpointerFor(deps.store).deleteThread(e.threadId);
    await deps.store.escalations.markPruned(e.id);
  }
  if (done.length > 0)
    await deps.store.audit.append({
      at: deps.clock(),
      type: 'threads_pruned',
      actor: 'agent',
      details: { threads: done.length, before },
    });
  return done.length;
}
