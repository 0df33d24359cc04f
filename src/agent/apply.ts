// Carries out a run's policy outcome through the effects: close what no longer stands, then act on each row, then
// ask the batch questions. Returns the rows with their statuses and the escalations whose threads must start or end.
import type { Assessment } from '../domain/assess.js';
import { memberOf } from '../domain/batches.js';
import { mitigate } from '../domain/mitigation.js';
import type { PolicyOutcome } from '../domain/policy.js';
import type { Escalation, NewAuditEvent, ResultRow } from '../domain/records.js';
import { asItStands } from '../domain/standing.js';
import type { Cause } from '../domain/types.js';
import { type AgentDeps, newId } from './deps.js';
import {
  addMembers,
  batchChanged,
  closeEscalation,
  dropMember,
  openEscalation,
  pauseCampaign,
  record,
} from './effects/index.js';
import type { Progress } from './ports.js';

export interface Applied {
  results: ResultRow[];
  /** Escalations opened: their threads are started once the cycle's steps have finished. */
  opened: Escalation[];
  /** Escalations this run closed: their threads end as expired, nothing done. */
  closed: Escalation[];
  /** Rows that may tell people something: the cycle announces them once every step has acted (steering too). */
  alerts: ResultRow[];
}

export async function apply(
  deps: AgentDeps,
  runId: string,
  outcome: PolicyOutcome,
  progress: Progress,
): Promise<Applied> {
  const id = (prefix: string) => (deps.newId ?? newId)(prefix);
  const now = deps.clock();
  const out: Applied = { results: [], opened: [], closed: [], alerts: [] };
  // Rows that may tell people something: whether they do is decided once the run has acted on every row.
  const alerts = out.alerts;
  // Events that record that nothing changed (thousands a run) are written together, before any change.
  const deferred: NewAuditEvent[] = [];
  const flush = () => record(deps, deferred.splice(0));
  const linked = (row: ResultRow, details: Record<string, unknown>) =>
    deferred.push({ at: now, type: 'escalation_linked', actor: 'agent', ...where(row), details });

  // Questions that no longer stand are closed first; one a person answered meanwhile keeps their answer.
  const answeredMeanwhile = new Map<string, Escalation>();
  for (const c of outcome.close) {
    const closed = await closeEscalation(deps, c.escalationId, runId, c.note);
    if (closed) out.closed.push(closed);
    else {
      const decided = await deps.store.escalations.get(c.escalationId);
      if (decided && (decided.status === 'approved' || decided.status === 'overridden'))
        answeredMeanwhile.set(c.key, decided);
    }
  }
  // Batches whose members changed this run: their messages are brought up to date once the run has acted.
  const changed = new Set<string>();
  for (const d of outcome.drop) {
    await dropMember(deps, d.escalationId, d.key);
    changed.add(d.escalationId);
  }

  const total = outcome.rows.length;
  for (const [i, { row: a, intent }] of outcome.rows.entries()) {
    const row = resultRow(a, runId);
    out.results.push(row);
    if ((i + 1) % 1000 === 0 || i + 1 === total) progress('acting', i + 1, total);
    const decided = answeredMeanwhile.get(a.key);
    if (decided) {
      row.escalationId = decided.id;
      row.status = decided.status as 'approved' | 'overridden';
      row.actionNote = `Decided by ${decided.decidedBy} at ${decided.decidedAt} while this run was working; the run does not act on it again.`;
      continue;
    }
    switch (intent.do) {
      case 'report':
        row.status = 'failed';
        break;
      case 'log':
        break;
      case 'alert':
        alerts.push(row);
        break;
      case 'pause':
        await flush();
        await pause(deps, row, deferred, out, id, alerts);
        break;
      case 'ask':
        await flush();
        await ask(deps, row, intent.proposed, row.reason, out, id('esc'));
        break;
      case 'wait':
        row.status = 'awaiting_approval';
        row.escalationId = intent.escalationId;
        // The run's decision event names the escalation: no second event per waiting row and run.
        row.actionNote = `Already awaiting a decision on ${intent.escalationId}.`;
        break;
      case 'answered':
        row.status = intent.status;
        row.escalationId = intent.escalationId;
        row.actionNote = intent.note;
        linked(row, { escalationId: intent.escalationId, decided: intent.status });
        break;
      case 'batch':
        row.status = 'awaiting_approval';
        break;
    }
  }
  await flush();

  for (const batch of outcome.batches) {
    const members = batch.members.map((i) => out.results[i] as ResultRow);
    const first = members[0];
    if (!first) continue;
    // The same storm or trickle, grown: its new members join the open question (unless it was answered meanwhile).
    if (batch.joins && (await addMembers(deps, batch.joins, members.map(memberOf), batch.reason))) {
      for (const m of members) {
        m.escalationId = batch.joins;
        linked(m, { escalationId: batch.joins, joined: true });
      }
      changed.add(batch.joins);
      continue;
    }
    const escalationId = id('esc');
    for (const m of members) m.escalationId = escalationId;
    out.opened.push(
      await openEscalation(deps, {
        id: escalationId,
        runId,
        key: `batch:${batch.kind}:${batch.scope}:${escalationId}`,
        proposed: batch.proposed,
        reason: batch.reason,
        snapshot: first,
        batch: { kind: batch.kind, members: members.map(memberOf) },
      }),
    );
  }
  await flush();
  // Approving covers the members standing now, so the message must show those (a closed one shows its outcome).
  for (const id of changed) {
    const e = await deps.store.escalations.get(id);
    if (e?.batch && e.status === 'pending') await batchChanged(deps, runId, e);
  }
  return out;
}

const where = (row: ResultRow) => ({
  runId: row.runId,
  campaignId: row.campaignId,
  platform: row.platform,
  platformCampaignId: row.platformCampaignId,
});

async function pause(
  deps: AgentDeps,
  row: ResultRow,
  deferred: NewAuditEvent[],
  out: Applied,
  id: (prefix: string) => string,
  alerts: ResultRow[],
): Promise<void> {
  if (row.platformStatus === 'PAUSED' || row.platformCampaignId === null) {
    row.pause = 'already_paused';
    // Said once: a campaign that stays paused is not announced again every run (the status shows it).
    const told =
      row.platformCampaignId !== null &&
      (await deps.store.audit.hasPauseRecord(row.platform, row.platformCampaignId, row.runId));
    notPausedAgain(row, 'it was already paused on the platform');
    deferred.push({
      at: deps.clock(),
      type: 'pause_skipped',
      actor: 'agent',
      ...where(row),
      details: { reason: 'it was already paused on the platform' },
    });
    // A campaign the agent paused itself was announced then: finding it paused is not news.
    if (told) row.notice = 'repeat';
    else alerts.push(row);
    return;
  }
  const result = await pauseCampaign(deps, {
    key: `pause:${row.runId}:${row.platform}:${row.platformCampaignId}`,
    runId: row.runId,
    escalationId: null,
    campaignId: row.campaignId,
    platform: row.platform,
    platformCampaignId: row.platformCampaignId,
    actor: 'agent',
    details: { reason: row.reason, variancePct: row.variancePct, confidence: row.confidence },
  });
  switch (result.outcome) {
    case 'paused':
      row.pause = 'paused';
      row.platformStatus = 'PAUSED';
      row.forecast = asItStands(row).forecast;
      row.actionNote = result.note ? `Paused by the agent (${result.note}).` : 'Paused by the agent.';
      break;
    case 'already_paused':
      row.pause = 'already_paused';
      row.forecast = asItStands(row).forecast;
      notPausedAgain(row, 'the platform reported it already paused');
      break;
    case 'would_pause':
      row.pause = 'would_pause';
      row.actionNote = 'Dry run: would pause (PACING_MODE=dry-run; nothing was changed on the platform).';
      break;
    case 'failed': {
      row.pause = 'failed';
      addCause(row, {
        code: 'pause_failed',
        message: `The automatic pause failed: ${result.error}`,
        evidence: { error: result.error },
      });
      row.actionNote = `Pause failed: ${result.error}`;
      await ask(
        deps,
        row,
        'halt',
        `The automatic pause failed (${result.error}); an approver must pause it or decide otherwise.`,
        out,
        id('esc'),
      );
      row.status = 'failed';
      break;
    }
  }
  alerts.push(row);
}

function notPausedAgain(row: ResultRow, why: string): void {
  addCause(row, {
    code: 'already_paused',
    message: `Not paused again: ${why}.`,
    evidence: { platformStatus: 'PAUSED' },
  });
  row.actionNote = `Not paused again: ${why}.`;
}

async function ask(
  deps: AgentDeps,
  row: ResultRow,
  proposed: Escalation['proposedAction'],
  reason: string,
  out: Applied,
  escalationId: string,
): Promise<void> {
  if (
    proposed === 'halt' &&
    row.platformStatus === 'PAUSED' &&
    !row.rootCause.some((c) => c.code === 'already_paused')
  ) {
    addCause(row, {
      code: 'already_paused',
      message: 'The campaign is already paused on the platform: approving changes nothing there.',
      evidence: { platformStatus: 'PAUSED' },
    });
  }
  row.status = 'awaiting_approval';
  row.escalationId = escalationId;
  const e = await openEscalation(deps, {
    id: escalationId,
    runId: row.runId,
    key: row.key,
    proposed,
    reason,
    snapshot: row,
    batch: null,
  });
  // Another process opened one for this campaign a moment ago: point at it instead.
  row.escalationId = e.id;
  if (e.id === escalationId) out.opened.push(e);
}

function addCause(row: ResultRow, cause: Cause): void {
  row.rootCause = [...row.rootCause, cause];
  row.mitigation = [...row.mitigation, ...mitigate([cause], row.currency)];
}

/**
 * The row for an assessment, written out as one literal: V8 builds a spread of a 30-key object plus four keys
 * slowly (about 7 µs a row) and gives the rows shapes that serialise slowly. The mapped type makes a key added
 * to Assessment a compile error until it is copied here too.
 */
function resultRow(a: Assessment, runId: string): ResultRow {
  const row: { [K in keyof Required<ResultRow>]: ResultRow[K] } = {
    key: a.key,
    line: a.line,
    campaignId: a.campaignId,
    campaignName: a.campaignName,
    platform: a.platform,
    platformCampaignId: a.platformCampaignId,
    platformCampaignName: a.platformCampaignName,
    platformStatus: a.platformStatus,
    market: a.market,
    product: a.product,
    ownerSlackId: a.ownerSlackId,
    currency: a.currency,
    platformCurrency: a.platformCurrency,
    planCurrency: a.planCurrency,
    startDate: a.startDate,
    endDate: a.endDate,
    account: a.account,
    timeZone: a.timeZone,
    fetchedAt: a.fetchedAt,
    matchedBy: a.matchedBy,
    confidence: a.confidence,
    confidenceParts: a.confidenceParts,
    dataAgeHours: a.dataAgeHours,
    reportingLagHours: a.reportingLagHours,
    targetSpend: a.targetSpend,
    targetSource: a.targetSource,
    budget: a.budget,
    actualSpend: a.actualSpend,
    variancePct: a.variancePct,
    forecast: a.forecast,
    history: a.history,
    severity: a.severity,
    zeroDelivery: a.zeroDelivery,
    action: a.action,
    proposedAction: a.proposedAction,
    reason: a.reason,
    rootCause: a.rootCause,
    mitigation: a.mitigation,
    runId,
    status: 'done',
    escalationId: null,
    actionNote: null,
    pause: null,
    notice: null,
    budgetProposal: null,
    budgetChange: null,
    poolEscalationId: null,
    explanation: null,
  };
  return row;
}
