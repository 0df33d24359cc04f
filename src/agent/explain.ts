// The explanation step (SPEC, Explanations): once the run has acted and before people are told, a model writes the
// analyst's note on the halts, escalations and critical rows, most at stake first, up to the cap of calls.
// Calls run a few at a time; the whole step ends at its deadline and abandons what is still out. A note is kept only
// when grounded in the row's evidence; nothing here changes a decision.
import { type ExplanationTotals, evidenceOf, questionOf, rowsToExplain } from '../domain/explanation.js';
import { ground } from '../domain/grounding.js';
import type { Escalation, ResultRow } from '../domain/records.js';
import type { AgentDeps } from './deps.js';
import { type ExplanationOutcome, noteExplanations } from './effects/index.js';
import type { Explainer, TokenUsage } from './ports.js';

/** Calls out at once: enough to finish 20 notes within the deadline, few enough not to trip a provider's rate limit. */
const CONCURRENT_CALLS = 4;
const DEFAULTS = { timeoutMs: 15_000, maxCallsPerRun: 20 };

/** Explains the rows that need it; returns the step's figures, or null when no model is configured. */
export async function explainRows(
  deps: AgentDeps,
  runId: string,
  results: readonly ResultRow[],
  opened: readonly Escalation[],
): Promise<ExplanationTotals | null> {
  const explainer = deps.explainer;
  if (!explainer) return null;
  const { timeoutMs, maxCallsPerRun } = { ...DEFAULTS, ...deps.explanations };
  const started = performance.now();
  const wanted = rowsToExplain(results, results.length);
  const stored = await deps.store.explanations.of(wanted.map((r) => r.key));
  const outcomes: ExplanationOutcome[] = [];
  const toAsk: { row: ResultRow; question: string }[] = [];
  for (const row of wanted) {
    const question = questionOf(row, explainer.model);
    const before = stored.get(row.key);
    if (before?.question === question)
      outcomes.push({ row, question, kind: 'reused', explanation: before.explanation });
    else if (toAsk.length < maxCallsPerRun) toAsk.push({ row, question });
  }
  const asked = await askAll(explainer, toAsk, timeoutMs);
  outcomes.push(...asked.outcomes);
  const totals: ExplanationTotals = {
    model: explainer.model,
    asked: asked.started,
    notAsked: toAsk.length - asked.started,
    added: 0,
    reused: 0,
    rejected: 0,
    usage: { input: 0, output: 0 },
    durationMs: 0,
  };
  for (const o of outcomes) {
    if (o.kind === 'rejected') totals.rejected++;
    else {
      totals.added++;
      if (o.kind === 'reused') totals.reused++;
      o.row.explanation = o.explanation;
    }
    totals.usage.input += o.usage?.inputTokens ?? 0;
    totals.usage.output += o.usage?.outputTokens ?? 0;
  }
  totals.durationMs = Math.round(performance.now() - started);
  await noteExplanations(deps, runId, outcomes, opened);
  return totals;
}

/**
 * Asks for each row's note, CONCURRENT_CALLS at a time, all within `timeoutMs`: at the deadline the calls still out
 * are aborted and not waited for, and rows not yet asked are not asked (no outcome: nothing to audit, and the
 * next run asks). Returns the outcomes of the calls started, and how many were.
 */
async function askAll(
  explainer: Explainer,
  queue: readonly { row: ResultRow; question: string }[],
  timeoutMs: number,
): Promise<{ outcomes: ExplanationOutcome[]; started: number }> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const late = new Promise<'late'>((resolve) =>
    deadline.signal.addEventListener('abort', () => resolve('late'), { once: true }),
  );
  const outcomes = new Map<string, ExplanationOutcome>();
  let next = 0;
  const worker = async () => {
    while (next < queue.length && !deadline.signal.aborted) {
      const item = queue[next++] as (typeof queue)[number];
      // Each call its own signal, aborted with the deadline's: the provider clients add listeners per call, and on
      // one shared signal a run of 20 calls trips Node's MaxListenersExceededWarning (read as a leak).
      const call = new AbortController();
      const stop = () => call.abort();
      deadline.signal.addEventListener('abort', stop, { once: true });
      try {
        outcomes.set(item.row.key, await askOne(explainer, item.row, item.question, call.signal, late));
      } finally {
        deadline.signal.removeEventListener('abort', stop);
      }
    }
  };
  try {
    await Promise.race([Promise.all(Array.from({ length: CONCURRENT_CALLS }, worker)), late]);
  } finally {
    clearTimeout(timer);
    deadline.abort();
  }
  const started = queue.slice(0, next);
  return {
    started: started.length,
    outcomes: started.map(
      ({ row, question }) =>
        outcomes.get(row.key) ?? {
          row,
          question,
          kind: 'rejected',
          reason: `no answer within LLM_TIMEOUT_MS (${timeoutMs} ms): the run went on without it`,
        },
    ),
  };
}

async function askOne(
  explainer: Explainer,
  row: ResultRow,
  question: string,
  signal: AbortSignal,
  late: Promise<'late'>,
): Promise<ExplanationOutcome> {
  const evidence = evidenceOf(row);
  let usage: TokenUsage | null = null;
  try {
    // Raced with the deadline too: a client that ignores its signal is abandoned all the same.
    const call = explainer.explain(evidence, signal);
    call.catch(() => {});
    const answer = await Promise.race([call, late]);
    if (answer === 'late') return { row, question, kind: 'rejected', reason: 'no answer before the deadline' };
    usage = answer.usage;
    const checked = ground(answer.answer, evidence, explainer.model);
    if (!checked.ok) return { row, question, kind: 'rejected', reason: checked.reason, usage };
    return { row, question, kind: 'added', explanation: checked.explanation, usage };
  } catch (err) {
    const known = (err as { usage?: TokenUsage }).usage;
    return {
      row,
      question,
      kind: 'rejected',
      reason: signal.aborted ? 'no answer before the deadline' : `provider error: ${describe(err)}`,
      usage: usage ?? known ?? null,
    };
  }
}

/** One line about what went wrong, never more than a sentence of the provider's body. */
function describe(err: unknown): string {
  const e = err as { status?: unknown; message?: unknown };
  const status = typeof e.status === 'number' ? `${e.status} ` : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  return `${status}${message}`.replace(/\s+/g, ' ').slice(0, 300);
}
