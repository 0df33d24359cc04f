// The one path to the notifier: whatever is told, a failure is audited, never thrown.
import type { AuditEvent, Escalation, ResultRow } from '../../domain/records.js';
import type { AgentDeps } from '../deps.js';
import { message, where } from './audit-fields.js';

/** Who a notification was about, for the audit event that records its failure. */
type About = Pick<AuditEvent, 'runId' | 'campaignId' | 'platform' | 'platformCampaignId'> & {
  escalationId?: string | null;
};

export const aboutRow = (row: ResultRow): About => ({ ...where(row), escalationId: row.escalationId });
export const aboutEscalation = (e: Escalation, runId: string | null = e.runId): About => ({
  ...where(e),
  runId,
  escalationId: e.id,
});

/**
 * The one way the agent talks to the notifier: a failure never changes what happened to a campaign or stops a
 * run or a decision; it is audited as `notification_failed`, once for each thing the message was about (the
 * Slack notifier only queues, so this is a last line of defence). Returns whether it went out.
 */
export async function tell(
  deps: AgentDeps,
  about: readonly About[],
  send: () => Promise<void> | undefined,
): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (err) {
    const at = deps.clock();
    await deps.store.audit.appendAll(
      about.map(({ escalationId, ...place }) => ({
        at,
        type: 'notification_failed' as const,
        actor: 'agent',
        ...place,
        details: { ...(escalationId ? { escalationId } : {}), error: message(err) },
      })),
    );
    return false;
  }
}

/** Tells the notifier about one row on its own (an approved escalation's alert). */
export async function notify(deps: AgentDeps, row: ResultRow): Promise<void> {
  await tell(deps, [aboutRow(row)], () => deps.notifier.alert(row));
}

/**
 * Like `notify`, at most once for `key` (a decision carried out again after a crash does not alert twice): the
 * key is recorded once the notifier was told, or its failure audited.
 */
export async function notifyOnce(deps: AgentDeps, key: string, row: ResultRow): Promise<void> {
  if (await deps.store.effects.done(key)) return;
  await notify(deps, row);
  await deps.store.effects.record(key, deps.clock());
}
