// The run's quiet events: what it looked at and did not need to change, written together.
import type { NewAuditEvent } from '../../domain/records.js';
import type { AgentDeps } from '../deps.js';

/** Records events that say what the run did not need to change (written together: thousands a run). */
export async function record(deps: AgentDeps, events: NewAuditEvent[]): Promise<void> {
  if (events.length) await deps.store.audit.appendAll(events);
}
