// App Home: the latest run in one line, each pending escalation with its buttons, the chronic offenders.
// Rebuilt from the store each time it is opened and after every decision taken from it.
import type { types } from '@slack/bolt';
import type { LatestRun } from '../../agent/agent.js';
import { formatPct } from '../../domain/money.js';
import { chronicOffenders, moneyAtStake, moneyAtStakeText, questionAtStake } from '../../domain/overview.js';
import type { Escalation } from '../../domain/records.js';
import { analysisLine } from './analysis.js';
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
  withNote,
} from './blocks.js';
import { escalationActions } from './escalation.js';
import { age, plural, question, rowName } from './names.js';

/** Escalations listed with their buttons (two blocks each: Slack allows 100 blocks in a Home tab). */
export const HOME_PENDING = 30;
const HOME_CHRONIC = 10;

export interface HomeInput {
  latest: LatestRun | null;
  /** Oldest first. */
  pending: readonly Escalation[];
  /** Whether the viewer is an approver: only then are the buttons shown. */
  canDecide: boolean;
  now: string;
  /** What the viewer just did from this tab (or why it was refused), shown at the top. */
  notice?: string | null | undefined;
  /** Demo data or a dry run (blocks.ts, modeNote): said in the tab's context line. */
  note?: string | null | undefined;
}

function latestBlock(latest: LatestRun | null): Block {
  if (!latest) return section('*Latest run:* none yet.');
  const { run, results } = latest;
  const s = run.summary?.bySeverity;
  const counts = s
    ? ` · ${severityIcon('critical')} ${s.critical} critical · ${severityIcon('warning')} ${s.warning} warning · ${severityIcon('healthy')} ${s.healthy} healthy` +
      (s.none ? ` · ${severityIcon(null)} ${s.none} without a variance` : '')
    : '';
  const money = moneyAtStake(results);
  const stake = money.length ? esc(moneyAtStakeText(money)) : 'none';
  const problems = run.platformErrors.length
    ? `\n:warning: ${plural(run.platformErrors.length, 'platform could not be read', 'platforms could not be read')}`
    : '';
  return section(`*Latest run* ${slackDate(run.startedAt)}${counts}\n*Money at stake:* ${stake}${problems}`);
}

function pendingBlocks(input: HomeInput): Block[] {
  const { pending, canDecide, now } = input;
  if (pending.length === 0) return [section(':white_check_mark: Nothing awaits a decision.')];
  const blocks: Block[] = [header(`${plural(pending.length, 'escalation')} awaiting a decision`)];
  if (!canDecide) blocks.push(context(['Only approvers can decide; the buttons are on their Home tab.']));
  for (const e of pending.slice(0, HOME_PENDING)) {
    const r = e.snapshot;
    const owner = r.ownerSlackId ? ` · owner <@${r.ownerSlackId}>` : '';
    const note = e.batch ? null : analysisLine(r.explanation, 280);
    blocks.push(
      section(
        `*${question(e)}*${r.variancePct === null || e.batch ? '' : ` ${formatPct(r.variancePct)}`}\n` +
          `*At stake:* ${esc(moneyAtStakeText(questionAtStake(e)) || '—')}\n${esc(clip(e.reason, 400))}\n` +
          (note ? `${note}\n` : '') +
          `_Waiting ${age(e.createdAt, now)} · expires ${slackDate(e.expiresAt)}${owner}_`,
      ),
    );
    if (canDecide) blocks.push(escalationActions(e));
  }
  if (pending.length > HOME_PENDING)
    blocks.push(
      context([
        `…and ${pending.length - HOME_PENDING} more, newer ones, in the approvals channel and \`/pacing pending\`.`,
      ]),
    );
  return blocks;
}

function chronicBlock(latest: LatestRun | null): Block | null {
  if (!latest) return null;
  const chronic = chronicOffenders(latest.results);
  if (chronic.length === 0) return null;
  const lines = chronic
    .slice(0, HOME_CHRONIC)
    .map(
      (r) =>
        `• ${severityIcon(r.severity)} ${rowName(r)} · off plan in ${r.history?.offPlanRuns ?? '?'} of ${plural(r.history?.runs ?? 0, 'run')} · now *${formatPct(r.variancePct)}*`,
    );
  if (chronic.length > HOME_CHRONIC) lines.push(`…and ${chronic.length - HOME_CHRONIC} more`);
  return section(
    `*Chronic offenders (${chronic.length})* — off plan in most of their recent runs\n${lines.join('\n')}`,
  );
}

export function homeView(input: HomeInput): types.HomeView {
  const chronic = chronicBlock(input.latest);
  const blocks: Block[] = [
    header('Pacing Agent'),
    ...(input.notice ? [section(input.notice)] : []),
    latestBlock(input.latest),
    divider(),
    ...pendingBlocks(input),
    ...(chronic ? [divider(), chronic] : []),
    context([`Updated ${slackDate(input.now)}`]),
  ];
  return {
    type: 'home',
    blocks: withNote(
      withinLimits(blocks, (n) => `${n} more blocks left out.`, 99),
      input.note ?? null,
    ),
  };
}
