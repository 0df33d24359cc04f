// Replies to /pacing status, /pacing status <campaign> and /pacing pending, and the help text.

import type { LatestRun } from '../../agent/agent.js';
import type { PoolChange } from '../../agent/reads.js';
import { formatPct } from '../../domain/money.js';
import { moneyAtStakeText, questionAtStake } from '../../domain/overview.js';
import type { Escalation, ResultRow } from '../../domain/records.js';
import { standsPaused } from '../../domain/standing.js';
import { analysisBlocks } from './analysis.js';
import {
  type Block,
  clip,
  context,
  divider,
  esc,
  header,
  section,
  severityIcon,
  slackDate,
  withinLimits,
} from './blocks.js';
import { budgetStatusLine, poolChangeLine } from './budget.js';
import { PROPOSES, subject } from './names.js';
import {
  atStake,
  causeLines,
  detailsContext,
  displayName,
  forecastLine,
  money,
  stakeLine,
  stepLines,
} from './situation.js';

const TOP = 10;
/** Enough to act on; a longer list would exceed what Slack shows comfortably in one message. */
const MAX_PENDING_LISTED = 30;

export function statusBlocks(latest: LatestRun | null, pending: readonly Escalation[]): Block[] {
  if (!latest) return [section('No pacing run yet. An approver can start one with `/pacing run`.')];
  const { run, results } = latest;
  const s = run.summary;
  const blocks: Block[] = [header('Pacing status'), context([`Latest run ${slackDate(run.startedAt)} · ${run.id}`])];
  if (s) {
    blocks.push(
      section(
        `${severityIcon('healthy')} *${s.bySeverity.healthy}* healthy   ${severityIcon('warning')} *${s.bySeverity.warning}* warning   ${severityIcon('critical')} *${s.bySeverity.critical}* critical   ${severityIcon(null)} *${s.bySeverity.none}* without variance\n` +
          `${s.byAction.halt} halted · ${s.byAction.alert} alerted · ${s.byAction.escalate} escalated · ${s.byAction.log} logged` +
          (run.errors.length ? ` · ${run.errors.length} invalid tracker row(s)` : ''),
      ),
    );
  }
  // Over- and underspend apart: they call for opposite actions.
  const off = results.filter((r) => r.variancePct !== null && r.severity !== 'healthy');
  const line = (r: ResultRow) => {
    const stake = atStake(r);
    const amount = stake === null ? '' : ` · ${money(stake, r.platformCurrency ?? r.currency)}`;
    return `${severityIcon(r.severity)} ${esc(displayName(r))}: *${formatPct(r.variancePct)}*${amount} · ${statusLabel(r)}`;
  };
  for (const [title, rows] of [
    ['Biggest overspends', off.filter((r) => (r.variancePct ?? 0) > 0)],
    ['Biggest underspends', off.filter((r) => (r.variancePct ?? 0) < 0)],
  ] as const) {
    const top = [...rows].sort((a, b) => (atStake(b) ?? 0) - (atStake(a) ?? 0)).slice(0, TOP);
    if (top.length) blocks.push(section(`*${title}*\n${top.map(line).join('\n')}`));
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
  blocks.push(context([`Run ${run.id} · \`/pacing status &lt;campaign&gt;\` for one campaign`]));
  return blocks;
}

/** Where the row stands: a paused campaign says paused (approved or not), never "done". */
const statusLabel = (r: ResultRow): string => {
  if (r.status === 'awaiting_approval') return `awaiting \`${r.escalationId}\``;
  if (standsPaused(r)) return r.status === 'approved' ? 'paused (approved)' : 'paused';
  return r.status.replace('_', ' ');
};

export function campaignBlocks(
  rows: readonly ResultRow[],
  escalations: (id: string) => Escalation | null,
  poolChange: (r: ResultRow) => PoolChange | null = () => null,
): Block[] {
  const blocks: Block[] = [];
  for (const r of rows.slice(0, 5)) {
    const e = r.escalationId ? escalations(r.escalationId) : null;
    const forecast = forecastLine(r);
    const causes = causeLines(r, [r.actionNote ?? r.reason]);
    const steps = stepLines(r);
    const budget = [budgetStatusLine(r), poolChangeLine(poolChange(r))].filter(Boolean).join('\n');
    blocks.push(
      header(`${severityIcon(r.severity)} ${displayName(r)}`),
      section([stakeLine(r), ...(forecast ? [forecast] : [])].join('\n')),
      section(
        `*Action:* ${r.action}${r.proposedAction ? ` (proposed: ${r.proposedAction})` : ''} · *status:* ${statusLabel(r)}\n${esc(r.actionNote ?? r.reason)}`,
      ),
      ...(causes.length ? [section(`*Why*\n${causes.join('\n')}`)] : []),
      ...(steps.length ? [section(`*What to do*\n${steps.join('\n')}`)] : []),
      ...(budget ? [section(budget)] : []),
      ...analysisBlocks(r.explanation),
      context([
        ...detailsContext(r),
        ...(e
          ? [
              e.status === 'pending'
                ? `Escalation \`${e.id}\` awaits a decision until ${slackDate(e.expiresAt)}`
                : `Escalation \`${e.id}\` ${e.status} by ${e.decidedBy === 'agent' ? 'timeout' : `<@${e.decidedBy}>`} ${slackDate(e.decidedAt)}`,
            ]
          : []),
      ]),
    );
    blocks.push(divider());
  }
  if (rows.length > 5) blocks.push(context([`${rows.length - 5} more campaigns match; be more specific.`]));
  return withinLimits(blocks, (n) => `${n} more blocks left out.`);
}

/** `/pacing pending`: the open questions, oldest first, each with the money it is about. */
export function pendingBlocks(pending: readonly Escalation[]): Block[] {
  if (pending.length === 0) return [section('No escalations are awaiting a decision.')];
  const shown = pending.slice(0, MAX_PENDING_LISTED);
  const lines = shown.map(
    (e) =>
      `• \`${e.id}\` *${esc(clip(e.batch ? subject(e) : displayName(e.snapshot), 120))}* — proposes *${PROPOSES[e.proposedAction]}* · *${esc(moneyAtStakeText(questionAtStake(e)) || '—')}* at stake · asked ${slackDate(e.createdAt, '{date_short_pretty}')} · expires ${slackDate(e.expiresAt)}\n   ${esc(e.reason)}`,
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
    blocks.push(context([`…and ${pending.length - shown.length} more; the oldest are listed first.`]));
  blocks.push(context(["Decide with the buttons on each card in the approvals channel, or in the app's Home tab."]));
  return withinLimits(blocks, (n) => `${n} more sections left out.`);
}

export const HELP_TEXT = [
  '*/pacing status* — the latest run: counts per severity, top variances, pending approvals',
  '*/pacing status &lt;campaign&gt;* — one campaign in detail: numbers, confidence parts, root cause, mitigation',
  '*/pacing run* — start a pacing run now (approvers only)',
  '*/pacing pending* — escalations awaiting a decision',
  '*/pacing replay KEY=VALUE…* — what the latest runs would have done under other settings, e.g. `CONFIDENCE_THRESHOLD=60` (approvers only; changes nothing)',
  '*/pacing help* — this help',
].join('\n');

export const helpBlocks = (prefix?: string): Block[] => [...(prefix ? [section(prefix)] : []), section(HELP_TEXT)];
