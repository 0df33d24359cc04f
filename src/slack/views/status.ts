// Replies to /pacing status, /pacing status <campaign> and /pacing pending, and the help text.
import type { LatestRun } from '../../agent/agent.js';
import type { Escalation, ResultRow } from '../../agent/ports.js';
import { formatPct } from '../../domain/money.js';
import {
  type Block,
  campaignName,
  context,
  divider,
  esc,
  explanation,
  header,
  numbers,
  section,
  severityIcon,
  withinLimits,
} from './blocks.js';

const TOP = 10;
/** Enough to act on; a longer list would exceed what Slack shows comfortably in one message. */
const MAX_PENDING_LISTED = 30;

export function statusBlocks(latest: LatestRun | null, pending: readonly Escalation[]): Block[] {
  if (!latest) return [section('No pacing run yet. An approver can start one with `/pacing run`.')];
  const { run, results } = latest;
  const s = run.summary;
  const blocks: Block[] = [header(`Pacing status · run of ${run.startedAt}`)];
  if (s) {
    blocks.push(
      section(
        `${severityIcon('healthy')} *${s.bySeverity.healthy}* healthy   ${severityIcon('warning')} *${s.bySeverity.warning}* warning   ${severityIcon('critical')} *${s.bySeverity.critical}* critical   ${severityIcon(null)} *${s.bySeverity.none}* without variance\n` +
          `${s.byAction.halt} halted · ${s.byAction.alert} alerted · ${s.byAction.escalate} escalated · ${s.byAction.log} logged` +
          (run.errors.length ? ` · ${run.errors.length} invalid tracker row(s)` : ''),
      ),
    );
  }
  const top = [...results]
    .filter((r) => r.variancePct !== null && r.severity !== 'healthy')
    .sort((a, b) => Math.abs(b.variancePct ?? 0) - Math.abs(a.variancePct ?? 0))
    .slice(0, TOP);
  if (top.length) {
    blocks.push(
      section(
        `*Top variances*\n${top.map((r) => `${severityIcon(r.severity)} ${esc(campaignName(r))}: *${formatPct(r.variancePct)}* · ${r.action} · ${statusLabel(r)}`).join('\n')}`,
      ),
    );
  }
  blocks.push(
    section(
      pending.length
        ? `*${pending.length} escalation(s) awaiting a decision* — \`/pacing pending\``
        : 'No escalations awaiting a decision.',
    ),
  );
  if (run.platformErrors.length) {
    blocks.push(
      context([
        `:warning: ${run.platformErrors.length} platform data problem(s): ${esc(run.platformErrors[0]?.message ?? '')}`,
      ]),
    );
  }
  blocks.push(context([`Run ${run.id} · \`/pacing status <campaign>\` for one campaign`]));
  return blocks;
}

const statusLabel = (r: ResultRow): string =>
  r.status === 'awaiting_approval' ? `awaiting \`${r.escalationId}\`` : r.status.replace('_', ' ');

export function campaignBlocks(rows: readonly ResultRow[], escalations: (id: string) => Escalation | null): Block[] {
  const blocks: Block[] = [];
  for (const r of rows.slice(0, 5)) {
    const e = r.escalationId ? escalations(r.escalationId) : null;
    blocks.push(
      header(campaignName(r)),
      numbers(r),
      section(
        `*Action:* ${r.action}${r.proposedAction ? ` (proposed: ${r.proposedAction})` : ''} · *status:* ${statusLabel(r)}\n${esc(r.actionNote ?? r.reason)}`,
      ),
      ...explanation(r),
    );
    if (e)
      blocks.push(
        context([
          e.status === 'pending'
            ? `Escalation \`${e.id}\` awaits a decision until ${e.expiresAt}`
            : `Escalation \`${e.id}\` ${e.status} by ${e.decidedBy === 'agent' ? 'timeout' : `<@${e.decidedBy}>`} at ${e.decidedAt}`,
        ]),
      );
    blocks.push(divider());
  }
  if (rows.length > 5) blocks.push(context([`${rows.length - 5} more campaigns match; be more specific.`]));
  return withinLimits(blocks, (n) => `${n} more blocks left out.`);
}

export function pendingBlocks(pending: readonly Escalation[]): Block[] {
  if (pending.length === 0) return [section('No escalations are awaiting a decision.')];
  const shown = pending.slice(0, MAX_PENDING_LISTED);
  const lines = shown.map(
    (e) =>
      `• \`${e.id}\` ${esc(campaignName(e.snapshot))} — proposes *${e.proposedAction}*, expires ${e.expiresAt}\n   ${esc(e.reason)}`,
  );
  const blocks: Block[] = [header(`${pending.length} escalation(s) awaiting a decision`)];
  // Several sections, each within Slack's 3,000-character limit.
  let chunk: string[] = [];
  for (const line of lines) {
    if (chunk.length > 0 && [...chunk, line].join('\n').length > 2_900) {
      blocks.push(section(chunk.join('\n')));
      chunk = [];
    }
    chunk.push(line);
  }
  if (chunk.length) blocks.push(section(chunk.join('\n')));
  if (pending.length > shown.length)
    blocks.push(
      context([
        `…and ${pending.length - shown.length} more, oldest first above; \`npx pacing pending\` lists them all.`,
      ]),
    );
  blocks.push(
    context(['Decide on the messages in the approvals channel, or with `npx pacing approve|reject <id> --user <id>`.']),
  );
  return withinLimits(blocks, (n) => `${n} more sections left out; see \`npx pacing pending\`.`);
}

export const HELP_TEXT = [
  '*/pacing status* — the latest run: counts per severity, top variances, pending approvals',
  '*/pacing status <campaign>* — one campaign in detail: numbers, confidence parts, root cause, mitigation',
  '*/pacing run* — start a pacing run now (approvers only)',
  '*/pacing pending* — escalations awaiting a decision',
  '*/pacing help* — this help',
].join('\n');

export const helpBlocks = (prefix?: string): Block[] => [...(prefix ? [section(prefix)] : []), section(HELP_TEXT)];
