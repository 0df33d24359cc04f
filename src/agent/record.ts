// What a run writes down besides its results: its summary, and the audit events of what it decided and did.
import type { NewAuditEvent, ResultRow, RunSummary } from '../domain/records.js';
import type { AgentDeps } from './deps.js';
import type { Workspace } from './workspace.js';

/** The run's audit events: bad rows, platform errors, decisions that matter, alerts raised, the summary. */
export function runEvents(w: Workspace, runId: string, at: string, summary: RunSummary): NewAuditEvent[] {
  return [
    ...w.errors.map((e) => ({
      at,
      runId,
      type: 'row_rejected' as const,
      actor: 'agent',
      details: { line: e.line, message: e.message },
    })),
    ...w.platformErrors.map((e) => ({
      at,
      runId,
      type: 'platform_error' as const,
      platform: e.platform,
      actor: 'agent',
      details: { message: e.message },
    })),
    // A campaign on plan run after run has its result in every run; the trail records what changed or
    // what the agent did (an event per steady row was 10,000 events and 3 MB a run at scale).
    ...w.results
      .filter((r) => !(w.steady.has(r.key) && r.action === 'log' && r.status === 'done' && r.rootCause.length === 0))
      .map((r) => ({
        at,
        runId,
        type: 'decision' as const,
        campaignId: r.campaignId,
        platform: r.platform,
        platformCampaignId: r.platformCampaignId,
        actor: 'agent',
        details: decisionDetails(r),
      })),
    ...w.results
      // Decided, not delivered: the Slack dispatcher writes `alert_sent` when Slack accepts the message.
      .filter((r) => r.notice === 'new' || r.notice === 'changed')
      .map((r) => ({
        at,
        runId,
        type: 'alert_raised' as const,
        campaignId: r.campaignId,
        platform: r.platform,
        platformCampaignId: r.platformCampaignId,
        actor: 'agent',
        details: { severity: r.severity, variancePct: r.variancePct, notice: r.notice, pause: r.pause },
      })),
    { at, runId, type: 'run_completed' as const, actor: 'agent', details: { ...summary } },
  ];
}

export function summarise(w: Workspace, deps: AgentDeps): RunSummary {
  const bySeverity = { healthy: 0, warning: 0, critical: 0, none: 0 };
  const byAction = { log: 0, alert: 0, escalate: 0, halt: 0 };
  const byStatus: RunSummary['byStatus'] = {};
  for (const r of w.results) {
    bySeverity[r.severity ?? 'none']++;
    byAction[r.action]++;
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  }
  const platforms: RunSummary['platforms'] = {};
  for (const p of deps.platforms.values()) {
    platforms[p.platform] = {
      campaigns: w.campaigns.filter((c) => c.platform === p.platform).length,
      ok: !w.unavailable.has(p.platform),
      source: p.description,
    };
  }
  return {
    guarded: w.plan2?.guarded ?? {},
    batches: w.plan2?.batches.length ?? 0,
    rows: w.plan.length,
    invalidRows: w.errors.length,
    orphans: w.results.filter((r) => r.campaignId === null).length,
    bySeverity,
    byAction,
    byStatus,
    platforms,
    comparisons: w.reconciliation?.comparisons ?? 0,
    durationMs: Math.round(performance.now() - w.started),
  };
}

function decisionDetails(r: ResultRow): Record<string, unknown> {
  if (r.action === 'log' && r.rootCause.length === 0) {
    return { action: r.action, status: r.status, variancePct: r.variancePct, confidence: r.confidence };
  }
  return {
    action: r.action,
    status: r.status,
    proposedAction: r.proposedAction,
    reason: r.reason,
    variancePct: r.variancePct,
    severity: r.severity,
    confidence: r.confidence,
    confidenceParts: r.confidenceParts,
    zeroDelivery: r.zeroDelivery,
    escalationId: r.escalationId,
    rootCause: r.rootCause.map((c) => c.code),
    actionNote: r.actionNote,
  };
}
