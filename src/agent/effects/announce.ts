// What people are told unasked: a run's new alerts, and an escalation's question, its changes and its end.
import { announced, noticeOf } from '../../domain/notice.js';
import type { Escalation, EscalationClosed, ResultRow } from '../../domain/records.js';
import { runFigures } from '../../domain/run-counts.js';
import type { AgentDeps } from '../deps.js';
import { aboutEscalation, aboutRow, tell } from './tell.js';

/**
 * Tells people what a run found that is new (SPEC, No alert fatigue): each alert row gets its `notice` against
 * what was last posted about its campaign; only new and changed ones go out, together; what is back on plan is
 * forgotten, so a return is news again. Returns the rows that went out.
 */
export async function announce(
  deps: AgentDeps,
  runId: string,
  candidates: readonly ResultRow[],
  results: readonly ResultRow[],
  opened?: ReadonlySet<string>,
): Promise<ResultRow[]> {
  const last = await deps.store.announcements.all();
  const posts: ResultRow[] = [];
  for (const row of candidates) {
    row.notice = noticeOf(last.get(row.key), row);
    if (row.notice !== 'repeat') posts.push(row);
  }
  const resolved = results.filter((r) => r.severity === 'healthy' && last.has(r.key)).map((r) => r.key);
  if (posts.length)
    await tell(deps, posts.map(aboutRow), () => deps.notifier.runAlerts(runId, posts, runFigures(results, opened)));
  await deps.store.announcements.update(
    runId,
    deps.clock(),
    posts.map((r) => ({ key: r.key, state: announced(r) })),
    resolved,
  );
  return posts;
}

/**
 * Tells people an open batch now holds other campaigns (new ones joined, or some came back on plan), so the
 * question they answer is the one approving carries out.
 */
export async function batchChanged(deps: AgentDeps, runId: string, e: Escalation): Promise<void> {
  await tell(deps, [aboutEscalation(e, runId)], () => deps.notifier.escalationUpdated?.(e));
}

/**
 * Puts an escalation's question to the approvers. With `key`, once: the key is recorded only when it went out,
 * so a question whose announcement failed (audited) still counts as unannounced; `serve` asks it again when it
 * starts (`PacingAgent.announceUnposted`).
 */
export async function announceEscalation(deps: AgentDeps, e: Escalation, key?: string): Promise<void> {
  if (key && (await deps.store.effects.done(key))) return;
  const sent = await tell(deps, [aboutEscalation(e)], () => deps.notifier.escalationOpened(e));
  if (key && sent) await deps.store.effects.record(key, deps.clock());
}

/** Tells people how an escalation ended (its message shows the outcome); with `key`, at most once. */
export async function closeNotice(deps: AgentDeps, closed: EscalationClosed, key?: string): Promise<void> {
  if (key && (await deps.store.effects.done(key))) return;
  await tell(deps, [aboutEscalation(closed.escalation, null)], () => deps.notifier.escalationClosed(closed));
  if (key) await deps.store.effects.record(key, deps.clock());
}
