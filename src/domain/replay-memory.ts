// What the store remembered when a past run decided (the policy's Memory at that time), rebuilt from the
// escalations and the people's resumes on record: the questions open then and the decisions people had taken
// within HUMAN_DECISION_HOURS before it. Pure. The same rules as agent/memory.ts, read as of an earlier time.
import { resumeDecision } from './intents.js';
import type { HumanDecision, Memory, OpenQuestion } from './policy.js';
import type { AuditEvent, Escalation } from './records.js';

const HOUR_MS = 3_600_000;

/** Escalations sorted once, for a replay that rebuilds the memory of many runs from them. */
export class EscalationHistory {
  /** Oldest first (ties by id). */
  readonly byAge: readonly Escalation[];
  /** Decided ones, in the order they were decided. */
  readonly byDecision: readonly Escalation[];
  constructor(escalations: readonly Escalation[]) {
    this.byAge = [...escalations].sort((a, b) => cmp(a.createdAt, b.createdAt) || cmp(a.id, b.id));
    this.byDecision = this.byAge
      .filter((e) => e.decidedAt !== null)
      .sort((a, b) => cmp(a.decidedAt ?? '', b.decidedAt ?? ''));
  }
}

/** What a run that started at `at` knew; its own questions (opened by `runId`) were not open yet. */
export function memoryAt(
  at: string,
  runId: string,
  escalations: readonly Escalation[] | EscalationHistory,
  resumes: readonly AuditEvent[],
  humanDecisionHours: number,
): Memory {
  const since = new Date(Date.parse(at) - humanDecisionHours * HOUR_MS).toISOString();
  const history = escalations instanceof EscalationHistory ? escalations : new EscalationHistory(escalations);
  const byAge = history.byAge;

  const open = new Map<string, OpenQuestion>();
  for (const e of byAge) {
    // A question the run closed itself was decided at its start or after: it was open when the run decided.
    if (e.runId === runId || e.createdAt > at || (e.decidedAt !== null && e.decidedAt < at)) continue;
    const q: OpenQuestion = {
      id: e.id,
      proposedAction: e.proposedAction,
      createdAt: e.createdAt,
      batch: e.batch !== null,
      kind: e.batch?.kind ?? null,
    };
    if (e.batch === null) open.set(e.key, q);
    else for (const m of e.batch.members) if (!m.dropped && !open.has(m.key)) open.set(m.key, q);
  }

  const decisions = new Map<string, HumanDecision>();
  const keep = (key: string, d: HumanDecision) => {
    const known = decisions.get(key);
    if (!known || known.at <= d.at) decisions.set(key, d);
  };
  const answered = history.byDecision.filter(
    (e) =>
      (e.status === 'approved' || e.status === 'overridden') &&
      e.decidedAt !== null &&
      e.decidedAt > since &&
      e.decidedAt < at,
  );
  for (const e of answered) {
    const decision = (figures: { variancePct: number | null; actualSpend: number | null }): HumanDecision => ({
      kind: e.status === 'approved' ? 'approved' : 'rejected',
      actor: e.decidedBy ?? 'unknown',
      at: e.decidedAt as string,
      proposedAction: e.proposedAction,
      escalationId: e.id,
      variancePct: figures.variancePct ?? null,
      actualSpend: figures.actualSpend ?? null,
    });
    if (e.batch === null) keep(e.key, decision(e.snapshot));
    else for (const m of e.batch.members) keep(m.key, decision(m));
  }
  for (const r of resumes) {
    if (r.type !== 'campaign_resumed' || r.actor === 'agent' || r.at <= since || r.at >= at) continue;
    const resume = resumeDecision(r);
    if (resume) for (const key of resume.keys) keep(key, resume.decision);
  }
  // Which platforms were read completely matters only for closing questions, which a replay never does.
  return { open, decisions, complete: new Set() };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
