// Human-readable output for the terminal: the pacing table, one campaign in detail, pending, audit.
import type { Escalation, ResultRow, RowError } from '../agent/ports.js';
import { formatMoney, formatPct } from '../domain/money.js';
import type { AuditEvent } from '../store/audit.js';
import type { PlatformFailure, RunSummary } from '../store/runs.js';

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function table(headers: string[], rows: string[][], right: Set<number>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}

export const campaignLabel = (
  r: Pick<ResultRow, 'campaignId' | 'platform' | 'platformCampaignId' | 'platformCampaignName'>,
): string => r.campaignId ?? `(orphan) ${r.platformCampaignName ?? r.platformCampaignId}`;

export function resultsTable(results: readonly ResultRow[]): string {
  const rows = results.map((r) => [
    clip(campaignLabel(r), 34),
    r.platform,
    formatMoney(r.targetSpend),
    formatMoney(r.actualSpend),
    formatPct(r.variancePct),
    r.severity ?? '—',
    r.confidence.toFixed(2),
    r.action,
    r.status === 'awaiting_approval' && r.escalationId ? `awaiting ${r.escalationId}` : r.status,
  ]);
  return table(
    ['CAMPAIGN', 'PLATFORM', 'TARGET', 'ACTUAL', 'VARIANCE', 'SEVERITY', 'CONF', 'ACTION', 'STATUS'],
    rows,
    new Set([2, 3, 4, 6]),
  );
}

export function summaryLine(s: RunSummary, errors: readonly RowError[]): string {
  const sev = `${s.bySeverity.healthy} healthy · ${s.bySeverity.warning} warning · ${s.bySeverity.critical} critical${s.bySeverity.none ? ` · ${s.bySeverity.none} without variance` : ''}`;
  const act = `${s.byAction.log} logged · ${s.byAction.alert} alerted · ${s.byAction.halt} halted · ${s.byAction.escalate} escalated`;
  const bad = errors.length ? ` · ${errors.length} invalid tracker row${errors.length === 1 ? '' : 's'}` : '';
  const n = s.rows + s.orphans;
  return `${n} campaign${n === 1 ? '' : 's'} (${s.rows} planned, ${s.orphans} orphan${s.orphans === 1 ? '' : 's'}): ${sev} | ${act}${bad} | ${s.durationMs} ms`;
}

export function problems(errors: readonly RowError[], platformErrors: readonly PlatformFailure[]): string {
  const out: string[] = [];
  if (errors.length) {
    out.push('Tracker rows skipped:');
    for (const e of errors) out.push(`  line ${e.line}: ${e.message}`);
  }
  if (platformErrors.length) {
    out.push('Platform data problems:');
    for (const e of platformErrors) out.push(`  ${e.platform}: ${e.message}`);
  }
  return out.join('\n');
}

/** A run as the CLI shows it: a fresh report or the latest stored run. */
export interface RunView {
  runId: string;
  startedAt: string;
  results: ResultRow[];
  errors: RowError[];
  platformErrors: PlatformFailure[];
  summary: RunSummary;
}

export function runReport(r: RunView): string {
  const out = [
    `Pacing run ${r.runId} at ${r.startedAt}`,
    '',
    resultsTable(r.results),
    '',
    summaryLine(r.summary, r.errors),
  ];
  const issues = problems(r.errors, r.platformErrors);
  if (issues) out.push(issues);
  return out.join('\n');
}

export function campaignDetail(r: ResultRow, escalation: Escalation | null): string {
  const p = r.confidenceParts;
  const lines = [
    `${campaignLabel(r)} — ${r.campaignName ?? r.platformCampaignName ?? ''}`,
    `  platform          ${r.platform}${r.platformCampaignId ? ` campaign ${r.platformCampaignId}` : ''}${r.platformCampaignName ? ` "${r.platformCampaignName}"` : ''}${r.platformStatus ? ` (${r.platformStatus})` : ''}`,
    `  market / product  ${r.market ?? '—'} / ${r.product ?? '—'}`,
    `  target / actual   ${formatMoney(r.targetSpend, r.currency)} / ${formatMoney(r.actualSpend, r.platformCurrency ?? r.currency)}`,
    `  variance          ${formatPct(r.variancePct)} (${r.severity ?? 'no variance'})${r.zeroDelivery ? ', zero delivery' : ''}`,
    `  confidence        ${r.confidence} = metadata ${p.metadata} + name ${p.name} + freshness ${p.freshness}${r.dataAgeHours === null ? '' : ` (data ${r.dataAgeHours} h old${r.reportingLagHours ? `; the platform reports spend up to ${r.reportingLagHours} h late` : ''})`}`,
    `  action            ${r.action}${r.proposedAction ? ` (proposed: ${r.proposedAction})` : ''} — ${r.status}`,
    `  why               ${r.reason}`,
  ];
  if (r.actionNote) lines.push(`  note              ${r.actionNote}`);
  if (r.rootCause.length) {
    lines.push('  root cause');
    for (const c of r.rootCause) lines.push(`    - ${c.message}`);
  }
  if (r.mitigation.length) {
    lines.push('  mitigation');
    for (const m of r.mitigation) lines.push(`    - ${m.step}`);
  }
  if (escalation) {
    lines.push(
      escalation.status === 'pending'
        ? `  escalation        ${escalation.id}, awaiting a decision until ${escalation.expiresAt}`
        : `  escalation        ${escalation.id}, ${escalation.status} by ${escalation.decidedBy} at ${escalation.decidedAt}${escalation.outcomeDetail ? `: ${escalation.outcomeDetail}` : ''}`,
    );
  }
  return lines.join('\n');
}

export function pendingTable(pending: readonly Escalation[]): string {
  if (pending.length === 0) return 'No escalations are waiting for a decision.';
  const rows = pending.map((e) => [
    e.id,
    clip(
      e.batch
        ? `${e.batch.members.filter((m) => !m.dropped).length} campaigns (batch)`
        : (e.campaignId ?? `(orphan) ${e.platform}:${e.platformCampaignId}`),
      30,
    ),
    e.proposedAction,
    e.expiresAt,
    clip(e.reason, 70),
  ]);
  return `${table(['ESCALATION', 'CAMPAIGN', 'PROPOSES', 'EXPIRES', 'WHY'], rows, new Set())}\n\nDecide with: npx pacing approve <escalation> --user <slack-user-id>   or   npx pacing reject <escalation> --user <id> --reason "…"`;
}

export function auditTable(events: readonly AuditEvent[]): string {
  if (events.length === 0) return 'The audit trail has no matching events.';
  const rows = events.map((e) => [
    String(e.id),
    e.at,
    e.type,
    clip(e.campaignId ?? (e.platformCampaignId ? `${e.platform}:${e.platformCampaignId}` : '—'), 28),
    e.actor,
    clip(describe(e.details), 80),
  ]);
  return table(['ID', 'AT', 'TYPE', 'CAMPAIGN', 'ACTOR', 'DETAILS'], rows, new Set([0]));
}

function describe(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}
