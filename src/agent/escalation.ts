// One LangGraph thread per escalation: announce, wait at an interrupt for a human, then carry out the decision.
import { Annotation, Command, END, interrupt, START, StateGraph } from '@langchain/langgraph';
import type { RowStatus } from '../domain/types.js';
import { PacingError } from '../errors.js';
import type { AgentDeps } from './deps.js';
import type { Decision, Escalation, EscalationClosed, ResultRow } from './ports.js';

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
 */
export function buildEscalationGraph(deps: AgentDeps) {
  const { store } = deps;
  const load = (id: string): Escalation => {
    const e = store.escalations.get(id);
    if (!e) throw new PacingError('not_found', `Escalation ${id} is not in the database.`);
    return e;
  };

  const announce = async (s: typeof EscalationState.State) => {
    const key = `announce:${s.escalationId}`;
    if (!store.effects.done(key)) {
      await deps.notifier.escalationOpened(load(s.escalationId));
      store.effects.record(key, deps.clock());
    }
    return {};
  };

  const awaitDecision = (s: typeof EscalationState.State) => {
    const decision = interrupt({ escalationId: s.escalationId }) as DecisionInput;
    return { decision };
  };

  const carryOut = async (s: typeof EscalationState.State) => {
    const e = load(s.escalationId);
    const d = s.decision as DecisionInput;
    const outcome = await execute(deps, e, d);
    const status: RowStatus = outcome.status === 'failed' ? 'failed' : d.decision;
    store.transaction(() => {
      store.escalations.settle(e.id, outcome.status, outcome.detail);
      store.runs.setStatusByEscalation(e.id, status);
    });
    const key = `closed:${e.id}`;
    if (!store.effects.done(key)) {
      const closed: EscalationClosed = {
        escalation: load(e.id),
        decision: d.decision,
        actor: d.actor,
        ...outcome,
        outcome: outcome.status,
      };
      await deps.notifier.escalationClosed(closed).catch((err: unknown) => {
        store.audit.append({
          at: deps.clock(),
          type: 'notification_failed',
          actor: 'agent',
          campaignId: e.campaignId,
          platform: e.platform,
          platformCampaignId: e.platformCampaignId,
          details: { escalationId: e.id, error: String(err) },
        });
      });
      store.effects.record(key, deps.clock());
    }
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
    .compile({ checkpointer: store.checkpointer });
}

export type EscalationGraph = ReturnType<typeof buildEscalationGraph>;

/** Carries out an approved proposal; an override or an expiry only records that nothing was done. */
async function execute(
  deps: AgentDeps,
  e: Escalation,
  d: DecisionInput,
): Promise<{ status: 'done' | 'failed'; detail: string }> {
  const base = {
    runId: e.runId,
    campaignId: e.campaignId,
    platform: e.platform,
    platformCampaignId: e.platformCampaignId,
  };
  if (d.decision === 'overridden')
    return {
      status: 'done',
      detail: `Rejected by ${d.actor}: nothing was paused.${d.note ? ` Reason: ${d.note}` : ''}`,
    };
  if (d.decision === 'expired') {
    // An expiry with a note was closed by a run (superseded, or no longer needed); without, time ran out.
    return d.note
      ? { status: 'done', detail: `Closed without a decision, ${d.note}. Nothing was done here.` }
      : { status: 'done', detail: 'No decision before the deadline: logged, nothing was paused.' };
  }
  if (e.proposedAction === 'alert') {
    const sent = `alert:${e.id}`;
    if (!deps.store.effects.done(sent)) {
      await safeAlert(deps, { ...e.snapshot, status: 'approved', action: 'alert', escalationId: e.id });
      deps.store.transaction(() => {
        deps.store.audit.append({
          at: deps.clock(),
          type: 'alert_sent',
          actor: d.actor,
          ...base,
          details: { escalationId: e.id },
        });
        deps.store.effects.record(sent, deps.clock());
      });
    }
    return { status: 'done', detail: `Approved by ${d.actor}: alert sent.` };
  }
  const platform = e.platformCampaignId === null ? undefined : deps.platforms.get(e.platform);
  if (!platform || e.platformCampaignId === null) {
    deps.store.audit.append({
      at: deps.clock(),
      type: 'pause_failed',
      actor: d.actor,
      ...base,
      details: { escalationId: e.id, error: 'no platform campaign to pause' },
    });
    return { status: 'failed', detail: 'Approved, but there is no platform campaign to pause.' };
  }
  const effect = `pause:${e.id}`;
  if (deps.store.effects.done(effect)) return { status: 'done', detail: `Approved by ${d.actor}: campaign paused.` };
  // Recorded before the call: if the process stops after the platform paused but before the audit, the
  // retry finds the campaign paused and knows the pause was ours, so campaign_paused is still written.
  const intent = `pause-intent:${e.id}`;
  const retried = deps.store.effects.done(intent);
  deps.store.effects.record(intent, deps.clock());
  let reported: Awaited<ReturnType<typeof platform.pause>>;
  try {
    reported = await platform.pause(e.platformCampaignId);
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).replace(/\.+$/, '');
    // The change may have gone through although the call failed (a failed read-back, a dropped answer):
    // a pause that took effect is recorded as one, never as a failure.
    const status = await platform.currentStatus?.(e.platformCampaignId).catch(() => null);
    if (status === 'PAUSED') return recordPause(deps, e, d, base, effect, 'paused');
    deps.store.audit.append({
      at: deps.clock(),
      type: 'pause_failed',
      actor: d.actor,
      ...base,
      details: { escalationId: e.id, error: message },
    });
    return {
      status: 'failed',
      detail: `Approved by ${d.actor}, but the pause failed: ${message}. Pause it by hand on the platform.`,
    };
  }
  return recordPause(deps, e, d, base, effect, reported === 'already_paused' && retried ? 'paused' : reported);
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

/** Starts the thread for a new escalation: it announces it and stops at the interrupt. */
export async function startEscalation(graph: EscalationGraph, e: Escalation): Promise<void> {
  await graph.invoke({ escalationId: e.id, decision: null, outcome: null }, threadConfig(e.threadId));
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

/** A notification that fails is audited; it never turns a decision that was carried out into a failure. */
async function safeAlert(deps: AgentDeps, row: ResultRow): Promise<void> {
  try {
    await deps.notifier.alert(row);
  } catch (err) {
    deps.store.audit.append({
      at: deps.clock(),
      runId: row.runId,
      type: 'notification_failed',
      actor: 'agent',
      campaignId: row.campaignId,
      platform: row.platform,
      platformCampaignId: row.platformCampaignId,
      details: { escalationId: row.escalationId, error: err instanceof Error ? err.message : String(err) },
    });
  }
}

/** Records what an approved pause did, once, and tells the alerts channel. */
async function recordPause(
  deps: AgentDeps,
  e: Escalation,
  d: DecisionInput,
  base: { runId: string; campaignId: string | null; platform: string; platformCampaignId: string | null },
  effect: string,
  result: 'paused' | 'already_paused' | 'would_pause',
): Promise<{ status: 'done' | 'failed'; detail: string }> {
  const type = result === 'paused' ? 'campaign_paused' : result === 'would_pause' ? 'pause_dry_run' : 'pause_skipped';
  const said = {
    paused: {
      note: `Paused after approval by ${d.actor}`,
      detail: `Approved by ${d.actor}: campaign ${e.platformCampaignId} paused.`,
    },
    already_paused: { note: 'Already paused', detail: `Approved by ${d.actor}: campaign was already paused.` },
    would_pause: {
      note: 'Dry run: would pause',
      detail: `Approved by ${d.actor}: dry run, the campaign would have been paused (PACING_MODE=dry-run).`,
    },
  }[result];
  deps.store.transaction(() => {
    deps.store.audit.append({
      at: deps.clock(),
      type,
      actor: d.actor,
      ...base,
      details: { escalationId: e.id, via: 'approval' },
    });
    deps.store.effects.record(effect, deps.clock(), result);
  });
  await safeAlert(deps, {
    ...e.snapshot,
    status: 'approved',
    action: 'halt',
    escalationId: e.id,
    actionNote: said.note,
    pause: result,
  });
  return { status: 'done', detail: said.detail };
}
