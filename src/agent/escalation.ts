// One LangGraph thread per escalation: announce, wait at an interrupt for a human, then carry out the decision.

import { Annotation, Command, END, interrupt, START, StateGraph } from '@langchain/langgraph';
import { campaignTitle } from '../domain/lookup.js';
import type { Decision, Escalation, EscalationClosed } from '../domain/records.js';
import { PacingError } from '../errors.js';
import { announcementOrder } from './announce-order.js';
import { carryOutBudget } from './budget-decisions.js';
import { checkpointerFor } from './checkpointer.js';
import type { AgentDeps } from './deps.js';
import {
  announceEscalation,
  approvedAlert,
  claimThreads,
  closeNotice,
  notifyOnce,
  pauseCampaign,
  settle,
  unpausable,
} from './effects/index.js';

export interface DecisionInput {
  decision: Decision;
  actor: string;
  at: string;
  note: string | null;
}

const EscalationState = Annotation.Root({
  escalationId: Annotation<string>(),
  decision: Annotation<DecisionInput | null>(),
  outcome: Annotation<{ status: 'done' | 'failed'; detail: string } | null>(),
});

export const threadConfig = (threadId: string) => ({ configurable: { thread_id: threadId } });

/**
 * Side effects live in their own nodes, never before the interrupt in the same node (a resumed node runs
 * again from its top), and each is keyed in the effect log so that a re-run after a crash does not repeat it.
 * The thread only orders them: every change is made by effects/.
 */
export function buildEscalationGraph(deps: AgentDeps) {
  const { store } = deps;
  const load = async (id: string): Promise<Escalation> => {
    const e = await store.escalations.get(id);
    if (!e) throw new PacingError('not_found', `Escalation ${id} is not in the database.`);
    return e;
  };

  const order = announcementOrder(deps);
  const announce = async (s: typeof EscalationState.State) => {
    const e = await load(s.escalationId);
    // Threads started together (startEscalations) queue their questions in the order they were opened.
    await order.inTurn(e.id, () => announceEscalation(deps, e, `announce:${e.id}`));
    return {};
  };

  const awaitDecision = (s: typeof EscalationState.State) => {
    const decision = interrupt({ escalationId: s.escalationId }) as DecisionInput;
    return { decision };
  };

  const carryOut = async (s: typeof EscalationState.State) => {
    const e = await load(s.escalationId);
    const d = s.decision as DecisionInput;
    const outcome = await execute(deps, e, d);
    await settle(deps, e, outcome, outcome.status === 'failed' ? 'failed' : d.decision);
    const closed: EscalationClosed = {
      escalation: await load(e.id),
      decision: d.decision,
      actor: d.actor,
      ...outcome,
      outcome: outcome.status,
    };
    await closeNotice(deps, closed, `closed:${e.id}`);
    return { outcome };
  };

  return new StateGraph(EscalationState)
    .addNode('announce', announce)
    .addNode('await_decision', awaitDecision)
    .addNode('carry_out', carryOut)
    .addEdge(START, 'announce')
    .addEdge('announce', 'await_decision')
    .addEdge('await_decision', 'carry_out')
    .addEdge('carry_out', END)
    .compile({ checkpointer: checkpointerFor(store) });
}

export type EscalationGraph = ReturnType<typeof buildEscalationGraph>;

/** What a rejection leaves undone, by what was proposed. */
const NOT_DONE: Record<Escalation['proposedAction'], string> = {
  alert: 'sent',
  halt: 'paused',
  budget: 'changed',
  rebalance: 'changed',
};

/** Carries out an approved proposal; an override or an expiry only records that nothing was done. */
async function execute(
  deps: AgentDeps,
  e: Escalation,
  d: DecisionInput,
): Promise<{ status: 'done' | 'failed'; detail: string }> {
  if (d.decision === 'overridden')
    return {
      status: 'done',
      detail: `Rejected by ${d.actor}: nothing was ${NOT_DONE[e.proposedAction]}.${d.note ? ` Reason: ${d.note}` : ''}`,
    };
  if (d.decision === 'expired') {
    // An expiry with a note was closed by a run (superseded, or no longer needed); without, time ran out.
    return d.note
      ? { status: 'done', detail: `Closed without a decision, ${d.note}. Nothing was done here.` }
      : { status: 'done', detail: 'No decision before the deadline: logged, nothing was paused.' };
  }
  if (e.proposedAction === 'budget' || e.proposedAction === 'rebalance') return carryOutBudget(deps, e, d.actor);
  if (e.batch) return e.proposedAction === 'halt' ? pauseBatch(deps, e, d) : flagBatch(deps, e, d);
  if (e.proposedAction === 'alert') {
    await approvedAlert(deps, e, d.actor);
    return { status: 'done', detail: `Approved by ${d.actor}: alert sent.` };
  }
  if (e.platformCampaignId === null) {
    await unpausable(deps, e, d.actor, 'no platform campaign to pause');
    return { status: 'failed', detail: 'Approved, but there is no platform campaign to pause.' };
  }
  const result = await pauseCampaign(deps, {
    key: `pause:${e.id}:${e.platform}:${e.platformCampaignId}`,
    runId: e.runId,
    escalationId: e.id,
    campaignId: e.campaignId,
    platform: e.platform,
    platformCampaignId: e.platformCampaignId,
    actor: d.actor,
    details: { via: 'approval' },
  });
  if (result.outcome === 'failed') {
    return {
      status: 'failed',
      detail: `Approved by ${d.actor}, but the pause failed: ${result.error}. Pause it by hand on the platform.`,
    };
  }
  // People know a campaign by its plan id and name, not by a platform id like 23851200000000005.
  const title = campaignTitle({ ...e.snapshot, campaignId: e.campaignId, platform: e.platform });
  const said = {
    paused: {
      note: `Paused after approval by ${d.actor}`,
      detail: `Approved by ${d.actor}: ${title} paused.`,
    },
    already_paused: { note: 'Already paused', detail: `Approved by ${d.actor}: ${title} was already paused.` },
    would_pause: {
      note: 'Dry run: would pause',
      detail: `Approved by ${d.actor}: dry run, ${title} would have been paused (PACING_MODE=dry-run).`,
    },
  }[result.outcome];
  await notifyOnce(deps, `halt-alert:${e.id}`, {
    ...e.snapshot,
    status: 'approved',
    action: 'halt',
    escalationId: e.id,
    actionNote: said.note,
    pause: result.outcome,
  });
  return { status: 'done', detail: said.detail };
}

/** Approving a batch pauses each standing member once; members already paused are skipped. */
async function pauseBatch(
  deps: AgentDeps,
  e: Escalation,
  d: DecisionInput,
): Promise<{ status: 'done' | 'failed'; detail: string }> {
  const members = (e.batch?.members ?? []).filter((m) => !m.dropped && m.platformCampaignId !== null);
  const count = { paused: 0, already_paused: 0, would_pause: 0, failed: 0 };
  const failures: string[] = [];
  for (const m of members) {
    const result = await pauseCampaign(deps, {
      key: `pause:${e.id}:${m.platform}:${m.platformCampaignId}`,
      runId: e.runId,
      escalationId: e.id,
      campaignId: m.campaignId,
      platform: m.platform,
      platformCampaignId: m.platformCampaignId as string,
      actor: d.actor,
      details: { via: 'batch approval' },
    });
    count[result.outcome]++;
    if (result.outcome === 'failed') failures.push(`${m.campaignId ?? m.platformCampaignId}: ${result.error}`);
  }
  const dropped = (e.batch?.members.length ?? 0) - members.length;
  const parts = [
    `${count.paused} paused`,
    count.already_paused ? `${count.already_paused} already paused` : '',
    count.would_pause ? `${count.would_pause} would be paused (dry run)` : '',
    dropped ? `${dropped} left alone (back on plan since)` : '',
    count.failed
      ? `${count.failed} failed (${failures.slice(0, 5).join('; ')}${failures.length > 5 ? '; …' : ''})`
      : '',
  ].filter(Boolean);
  return {
    status: count.failed ? 'failed' : 'done',
    detail: `Approved by ${d.actor} for all ${members.length} campaigns: ${parts.join(', ')}.${count.failed ? ' Pause the failed ones by hand.' : ''}`,
  };
}

/** Approving a batch that proposes a review flags its members once: one alert event, no pause. */
async function flagBatch(
  deps: AgentDeps,
  e: Escalation,
  d: DecisionInput,
): Promise<{ status: 'done' | 'failed'; detail: string }> {
  await approvedAlert(deps, e, d.actor);
  const standing = e.batch?.members.filter((m) => !m.dropped).length ?? 0;
  return {
    status: 'done',
    detail: `Approved by ${d.actor}: the ${standing} campaigns are flagged for review; nothing was paused.`,
  };
}

/** Starts threads of pending escalations that a stopped process opened but never started. */
export async function startMissing(graph: EscalationGraph, pending: readonly Escalation[]): Promise<number> {
  let started = 0;
  for (const e of pending) {
    const state = await graph.getState(threadConfig(e.threadId));
    if (state.next.length === 0 && Object.keys(state.values ?? {}).length === 0) {
      await startEscalation(graph, e);
      started++;
    }
  }
  return started;
}

/** Threads a run starts at once on PostgreSQL: enough to overlap their round trips and commits, few enough to
 * leave pooled connections to everything else. */
const THREADS_AT_ONCE = 6;

/**
 * Starts the threads of the escalations a run opened, each by the one process that claims it. On PostgreSQL a few
 * at a time (each waits on the server far more than it computes); their questions are still queued in the order
 * given. SQLite's one connection gains nothing from overlap: there they start one after the other.
 */
export async function startEscalations(
  deps: AgentDeps,
  graph: EscalationGraph,
  opened: readonly Escalation[],
  progress: (done: number, total: number) => void = () => {},
): Promise<void> {
  const order = announcementOrder(deps);
  order.line(opened.map((e) => e.id));
  let next = 0;
  let done = 0;
  let failure: { error: unknown } | null = null;
  let mine: Set<string>;
  try {
    // Another process catching up may have started some meanwhile: each is started once, by its claim's holder.
    mine = await claimThreads(deps, opened);
  } catch (error) {
    for (const e of opened) order.pass(e.id);
    throw error;
  }
  const worker = async () => {
    while (failure === null && next < opened.length) {
      const e = opened[next++] as Escalation;
      try {
        if (mine.has(e.id)) await startEscalation(graph, e);
      } catch (error) {
        failure ??= { error };
      } finally {
        order.pass(e.id);
      }
      progress(++done, opened.length);
    }
  };
  const width = deps.store.postgres ? THREADS_AT_ONCE : 1;
  await Promise.all(Array.from({ length: Math.min(width, opened.length) }, worker));
  // Those never reached (a thread failed first) give up their turns too.
  for (const e of opened) order.pass(e.id);
  if (failure) throw (failure as { error: unknown }).error;
}

/**
 * Starts the thread for a new escalation: it announces it and stops at the interrupt, the one checkpoint it
 * is resumed from (`exit`: none per step before it). A thread stopped before its interrupt has none, and is
 * started again; announcing is keyed in the effect log, so that never posts twice.
 */
export async function startEscalation(graph: EscalationGraph, e: Escalation): Promise<void> {
  await graph.invoke(
    { escalationId: e.id, decision: null, outcome: null },
    { ...threadConfig(e.threadId), durability: 'exit' },
  );
}

/**
 * Resumes the escalation's thread with a claimed decision. LangGraph silently ignores a resume of a thread
 * that is not waiting, so the thread's state is checked first, and a thread that never reached its
 * interrupt (the process stopped while announcing) is started before it is resumed.
 */
export async function resumeEscalation(graph: EscalationGraph, e: Escalation, input: DecisionInput): Promise<void> {
  const config = threadConfig(e.threadId);
  let state = await graph.getState(config);
  if (!state.next.includes('await_decision')) {
    if (state.next.length === 0 && Object.keys(state.values ?? {}).length > 0) return; // already carried out
    await startEscalation(graph, e);
    state = await graph.getState(config);
  }
  await graph.invoke(new Command({ resume: input }), config);
}
