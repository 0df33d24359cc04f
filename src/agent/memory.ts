// What the store remembers that the policy needs: open questions and what people decided recently.
import { resumeDecision } from '../domain/intents.js';
import type { HumanDecision, Memory } from '../domain/policy.js';
import type { Platform } from '../domain/types.js';
import type { AgentDeps } from './deps.js';

export async function loadMemory(
  deps: AgentDeps,
  now: string,
  humanDecisionHours: number,
  complete: ReadonlySet<Platform>,
): Promise<Memory> {
  const since = new Date(Date.parse(now) - humanDecisionHours * 3_600_000).toISOString();
  const decisions = new Map<string, HumanDecision>();
  const keep = (key: string, d: HumanDecision) => {
    const known = decisions.get(key);
    if (!known || known.at <= d.at) decisions.set(key, d);
  };
  for (const { key, decision } of await deps.store.escalations.decisionsSince(since)) keep(key, decision);
  for (const e of await deps.store.audit.resumesSince(since)) {
    const resume = resumeDecision(e);
    if (resume) for (const key of resume.keys) keep(key, resume.decision);
  }
  return { open: await deps.store.escalations.openQuestions(), decisions, complete };
}
