// What the explanation step leaves behind: the notes kept (for reuse, and in the questions this run opened), and
// an audit event for every note written or dropped (not for one reused), with the model and its token counts, never
// the prompt.
import type { Explanation } from '../../domain/explanation.js';
import type { Escalation, NewAuditEvent, ResultRow } from '../../domain/records.js';
import { redactText } from '../../redact.js';
import type { AgentDeps } from '../deps.js';
import type { TokenUsage } from '../ports.js';

export type ExplanationOutcome = { row: ResultRow; question: string; usage?: TokenUsage | null } & (
  | { kind: 'added' | 'reused'; explanation: Explanation }
  | { kind: 'rejected'; reason: string }
);

export async function noteExplanations(
  deps: AgentDeps,
  runId: string,
  outcomes: readonly ExplanationOutcome[],
  opened: readonly Escalation[],
): Promise<void> {
  const at = deps.clock();
  const model = deps.explainer?.model ?? null;
  const kept = outcomes.flatMap((o) => (o.kind === 'rejected' ? [] : [{ ...o, explanation: o.explanation }]));
  const asked = new Map(opened.filter((e) => e.batch === null).map((e) => [e.key, e.id]));
  // A reused note was audited when it was written: auditing it again each run (480 events a day for 20 notes on
  // an hourly schedule) tells nothing new. The run's summary counts the reused ones.
  const events: NewAuditEvent[] = outcomes
    .filter((o) => o.kind !== 'reused')
    .map((o) => ({
      at,
      runId,
      type: o.kind === 'rejected' ? 'explanation_rejected' : 'explanation_added',
      actor: 'agent',
      campaignId: o.row.campaignId,
      platform: o.row.platform,
      platformCampaignId: o.row.platformCampaignId,
      details: {
        model,
        ...(o.kind === 'rejected' ? { reason: redactText(o.reason) } : { reused: o.kind === 'reused' }),
        // Token counts, under a name the audit's redaction of credential-like keys leaves alone.
        usage: { input: o.usage?.inputTokens ?? null, output: o.usage?.outputTokens ?? null },
      },
    }));
  await deps.store.transaction(async (tx) => {
    await tx.explanations.save(
      runId,
      at,
      kept
        .filter((o) => o.kind === 'added')
        .map((o) => ({ key: o.row.key, question: o.question, explanation: o.explanation })),
    );
    await tx.explanations.attach(
      kept.flatMap((o) => {
        const escalationId = asked.get(o.row.key);
        return escalationId ? [{ escalationId, explanation: o.explanation }] : [];
      }),
    );
    if (events.length) await tx.audit.appendAll(events);
  });
}
