// Every audit event type, for `audit --type` and its messages: checked against AuditType, so a type added or renamed there must be
// named here too (the object would not typecheck otherwise).
import type { AuditType } from '../domain/records.js';
import { closest } from '../domain/suggest.js';
import { wrapItems } from './text.js';

const TYPES: Record<AuditType, true> = {
  run_started: true,
  run_completed: true,
  run_failed: true,
  row_rejected: true,
  platform_error: true,
  decision: true,
  campaign_paused: true,
  pause_skipped: true,
  pause_failed: true,
  pause_dry_run: true,
  resume_dry_run: true,
  alert_raised: true,
  alert_sent: true,
  escalation_opened: true,
  escalation_linked: true,
  escalation_approved: true,
  escalation_overridden: true,
  escalation_expired: true,
  campaign_resumed: true,
  resume_failed: true,
  resume_skipped: true,
  notification_failed: true,
  override_reason: true,
  budget_changed: true,
  budget_change_requested: true,
  budget_change_failed: true,
  budget_confirmed: true,
  budget_dry_run: true,
  explanation_added: true,
  explanation_rejected: true,
  threads_pruned: true,
  results_pruned: true,
};

/** In the order of AuditType: a run, its decisions and actions, questions, undo, housekeeping. */
export const AUDIT_TYPES = Object.keys(TYPES) as AuditType[];

export const isAuditType = (value: string): value is AuditType => Object.hasOwn(TYPES, value);

/** `items` after `title`, wrapped to the terminal, continuation lines indented. */
const listed = (title: string, items: readonly string[], width: number): string[] =>
  wrapItems([title, ...items.map((t, i) => (i < items.length - 1 ? `${t},` : t))], width - 2, ' ').map((l, i) =>
    i === 0 ? l : `  ${l}`,
  );

function typeLines(onRecord: Record<string, number>, width: number): string[] {
  const recorded = Object.keys(onRecord).sort();
  const others = AUDIT_TYPES.filter((t) => !Object.hasOwn(onRecord, t));
  return [
    ...(recorded.length
      ? listed(
          'Types on record:',
          recorded.map((t) => `${t} (${onRecord[t]})`),
          width,
        )
      : []),
    ...(others.length ? listed(recorded.length ? 'Other types:' : 'Types:', others, width) : []),
  ];
}

export function noEventsOfType(
  o: { type?: string | undefined; campaign?: string | undefined; run?: string | undefined },
  onRecord: Record<string, number>,
  width: number,
): string {
  const scope = [o.campaign ? ` for campaign ${o.campaign}` : '', o.run ? ` in run ${o.run}` : ''].join('');
  return [`No ${o.type} events${scope} in the audit trail.`, ...typeLines(onRecord, width)].join('\n');
}

export function unknownAuditType(type: string, onRecord: Record<string, number>, width: number): string {
  const known = [...new Set([...AUDIT_TYPES, ...Object.keys(onRecord)])];
  const q = type.toLowerCase();
  const containing = known.filter((t) => t.includes(q));
  const near = containing.length
    ? containing
    : closest(
        type,
        known.map((t) => ({ id: t })),
      ).map((c) => c.id);
  const hint = near.length
    ? ` Did you mean ${near.length === 1 ? near[0] : `${near.slice(0, -1).join(', ')} or ${near.at(-1)}`}?`
    : '';
  return [`"${type}" is not an audit event type.${hint}`, ...typeLines(onRecord, width)].join('\n');
}
