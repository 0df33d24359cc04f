// Alerts for warnings and halts, read in three seconds: what happened to which campaign, how much money, what to
// do. A halt carries a "Resume campaign" button so an approver can undo it; many alerts go under one summary.

import { UNDERSPEND_PAUSE_NOTE } from '../../domain/decision.js';
import { formatPct } from '../../domain/money.js';
import { moneyAtStakeText } from '../../domain/overview.js';
import type { ResultRow } from '../../domain/records.js';
import { type RunFigures, runCountsText, runFigures } from '../../domain/run-counts.js';
import { tooEarlyToJudge } from '../../domain/standing.js';
import { analysisBlocks } from './analysis.js';
import { type Block, context, esc, header, LIMITS, section, severityIcon } from './blocks.js';
import { alertBudgetBlocks } from './budget.js';
import {
  atStake,
  causeLines,
  detailsContext,
  direction,
  displayName,
  forecastLine,
  money,
  ownerMention,
  stakeLine,
  stepLines,
} from './situation.js';

export const RESUME_CAMPAIGN = 'pacing_resume_campaign';

export interface ResumeTarget {
  platform: string;
  platformCampaignId: string;
}

export const encodeResume = (t: ResumeTarget): string => JSON.stringify(t);

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** What happened, in a few words: "Critical overspend", "Paused", "Under plan, already paused". */
function what(r: ResultRow): { icon: string; title: string } {
  const dir = direction(r);
  const off = dir === 'over' ? 'overspend' : dir === 'under' ? 'underspend' : 'pacing';
  switch (r.pause) {
    case 'paused':
      return { icon: ':octagonal_sign:', title: 'Paused' };
    case 'would_pause':
      return { icon: ':test_tube:', title: 'Would pause (dry run)' };
    case 'already_paused':
      return { icon: ':double_vertical_bar:', title: `${dir ? `${cap(dir)} plan` : 'Off plan'}, already paused` };
    case 'failed':
      return { icon: ':rotating_light:', title: 'Pause FAILED' };
    default:
      // The early-flight guard says it is too early to judge: a "Critical" headline would contradict it.
      if (tooEarlyToJudge(r))
        return {
          icon: ':hourglass_flowing_sand:',
          title: r.zeroDelivery
            ? 'Not delivering yet, too early to judge'
            : `${dir ? `${cap(dir)} plan` : 'Off plan'}, too early to judge`,
        };
      if (r.zeroDelivery)
        return { icon: severityIcon(r.severity), title: `${cap(r.severity ?? 'pacing')}: not delivering` };
      return { icon: severityIcon(r.severity), title: `${cap(r.severity ?? 'pacing')} ${off}` };
  }
}

/** The headline: severity or outcome, then the plan's name for the campaign. */
export function alertTitle(r: ResultRow): { icon: string; title: string } {
  const w = what(r);
  return { icon: w.icon, title: `${w.title}: ${displayName(r)}` };
}

/** What the reader should do now, in one line, naming the owner. */
function nextStep(r: ResultRow): string {
  const owner = ownerMention(r);
  const to = owner ? `${owner}, ` : '';
  switch (r.pause) {
    case 'paused':
      return `*The agent paused it.* ${to}check the cause below; an approver can resume it with the button.`;
    case 'would_pause':
      return `*Dry run:* it would have been paused; nothing changed on the platform.`;
    case 'already_paused':
      return `*Already paused on the platform*, so not paused again.${owner ? ` ${owner}, decide whether it should restart.` : ''}`;
    case 'failed':
      return `*The agent tried to pause it and failed.* ${to}pause it by hand; an approval request is open.`;
    default: {
      const step = r.mitigation[0]?.step;
      return `${owner ? `${owner}: ` : '*Next:* '}${esc(step ?? r.reason)}`;
    }
  }
}

/**
 * An early flight's first step is to look again after its first day: checking approvals and billing hours into a
 * flight would contradict "too early to judge", so that step leads and the rest follow.
 */
function earlyStepFirst(r: ResultRow): ResultRow {
  if (!tooEarlyToJudge(r)) return r;
  const early = r.mitigation.filter((m) => m.cause === 'guard_early_flight');
  return { ...r, mitigation: [...early, ...r.mitigation.filter((m) => m.cause !== 'guard_early_flight')] };
}

export function alertBlocks(row: ResultRow): Block[] {
  const r = earlyStepFirst(row);
  const { icon, title } = alertTitle(r);
  const forecast = forecastLine(r);
  const lead = [stakeLine(r), ...(forecast ? [forecast] : [])].join('\n');
  // Ids let a later edit (the campaign resumed) find the lines that no longer hold.
  const blocks: Block[] = [
    header(`${icon} ${title}`),
    { ...section(lead), block_id: LEAD },
    { ...section(nextStep(r)), block_id: NEXT_STEP },
  ];
  // Pausing a campaign that under-delivers deepens the shortfall: say so, and how to only be alerted instead.
  if ((r.pause === 'paused' || r.pause === 'would_pause') && direction(r) === 'under' && !r.zeroDelivery)
    blocks.push(section(`:warning: ${UNDERSPEND_PAUSE_NOTE}`));
  const causes = causeLines(r, [
    r.actionNote ?? '',
    ...(r.pause === 'already_paused' ? ['Not paused again'] : []),
  ]).filter((c) => !/Not paused again/.test(c));
  if (causes.length) blocks.push(section(`*Why*\n${causes.join('\n')}`));
  const steps = stepLines(r, r.pause ? 0 : 1);
  if (steps.length) blocks.push(section(`*${r.pause ? 'What to do' : 'Also'}*\n${steps.join('\n')}`));
  blocks.push(...analysisBlocks(r.explanation));
  // Undo is offered only for a pause the agent made; never for one it found or only simulated.
  if (r.pause === 'paused' && r.platformCampaignId) {
    blocks.push({
      type: 'actions',
      block_id: `resume:${r.platform}:${r.platformCampaignId}`.slice(0, 255),
      elements: [
        {
          type: 'button',
          action_id: RESUME_CAMPAIGN,
          text: { type: 'plain_text', text: 'Resume campaign' },
          value: encodeResume({ platform: r.platform, platformCampaignId: r.platformCampaignId }),
          confirm: {
            title: { type: 'plain_text', text: 'Resume this campaign?' },
            text: { type: 'mrkdwn', text: 'It starts spending again on the platform right away.' },
            confirm: { type: 'plain_text', text: 'Resume' },
            deny: { type: 'plain_text', text: 'Cancel' },
          },
        },
      ],
    });
  }
  // After the steps: the budget change the agent made alone (with its undo), or advice it will not carry out.
  blocks.push(...alertBudgetBlocks(r));
  blocks.push(
    context([...detailsContext(r), `Run ${r.runId}${r.escalationId ? ` · escalation \`${r.escalationId}\`` : ''}`]),
  );
  return blocks;
}

/** The notification text (what a phone shows): outcome, name, money. */
export const alertText = (r: ResultRow): string => {
  const stake = atStake(r);
  const dir = direction(r);
  const amount = stake !== null && dir ? ` — ${money(stake, r.platformCurrency ?? r.currency)} ${dir} plan` : '';
  return `${esc(alertTitle(r).title)}${amount} (${formatPct(r.variancePct)})`;
};

const LEAD = 'lead';
const NEXT_STEP = 'next_step';

/** What the card said about the pause itself: untrue once the campaign runs again. */
const PAUSE_NEXT_STEP = /^\*The agent paused it\.\*/;
const PAUSED_FORECAST = /\n?Paused, it ends at its spend so far:[^\n]*/;

/**
 * An alert the agent paused, once a person resumed the campaign: the card says so in its header, and loses the
 * button and the lines about the pause (what an approver can do with the button, the forecast of a paused flight).
 */
export function resumedBlocks(original: Block[], by: string, at: string): Block[] {
  const [first, ...rest] = original;
  const title = first?.type === 'header' ? first.text.text.replace(/^:octagonal_sign: Paused/, 'Resumed') : 'Resumed';
  const kept: Block[] = [];
  for (const b of rest) {
    if (b.type === 'actions') continue;
    const text = b.type === 'section' ? (b.text?.text ?? '') : '';
    // Cards posted before the blocks had ids are recognised by their words.
    if (b.type === 'section' && (b.block_id === NEXT_STEP || PAUSE_NEXT_STEP.test(text))) continue;
    if (b.type === 'section' && b.text && PAUSED_FORECAST.test(text))
      kept.push({ ...b, text: { ...b.text, text: text.replace(PAUSED_FORECAST, '') } });
    else kept.push(b);
  }
  return [
    header(`:arrow_forward: ${title.replace(/^:arrow_forward: /, '')}`),
    section(`*Resumed by <@${by}>* ${at}: it is spending again.`),
    ...kept,
  ];
}

// --- many alerts at once: one summary message, the cards in its thread ------------------------------------------

/** How many cards a run posts in the summary's thread; the rest are one line in it, and in `/pacing status`. */
export const MAX_THREADED = 40;

const RANK: Record<string, number> = { paused: 0, failed: 1, would_pause: 2, already_paused: 4 };
const rank = (r: ResultRow): number => RANK[r.pause ?? ''] ?? (r.severity === 'critical' ? 3 : 5);

/** Halts first, then critical, then the most money at stake. */
export function byUrgency(rows: readonly ResultRow[]): ResultRow[] {
  return [...rows].sort((a, b) => rank(a) - rank(b) || (atStake(b) ?? 0) - (atStake(a) ?? 0));
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The one message a run with many new alerts posts: the run's counts and money at stake — `figures`, the same the
 * CLI, the digest and the metrics give for the run (worked out from the posted rows when not given) — then one
 * line per campaign.
 */
export function alertSummaryBlocks(runId: string, rows: readonly ResultRow[], figures?: RunFigures): Block[] {
  const sorted = byUrgency(rows);
  const f = figures ?? runFigures(rows);
  const counts = runCountsText(f.counts);
  const head = counts.thisRun.length ? counts.thisRun.join(' · ') : plural(rows.length, 'alert');
  const standing = counts.standing.length ? ` Standing: ${counts.standing.join(', ')}.` : '';
  const stakes = esc(moneyAtStakeText(f.moneyAtStake));
  const lines: string[] = [];
  let length = 0;
  for (const r of sorted) {
    const { icon } = what(r);
    const s = atStake(r);
    const dir = direction(r);
    const fig = s !== null && dir ? `${money(s, r.platformCurrency ?? r.currency)} ${dir}` : formatPct(r.variancePct);
    const line = `${icon} *${esc(displayName(r))}* — ${what(r).title.toLowerCase()} · ${fig}${r.ownerSlackId ? ` · <@${r.ownerSlackId}>` : ''}`;
    if (length + line.length + 1 > LIMITS.sectionText - 60) break;
    lines.push(line);
    length += line.length + 1;
  }
  const more = sorted.length - lines.length;
  return [
    header(`:bell: ${head}`),
    section(`*Money at stake:* ${stakes || '—'} off plan to date.${standing} Each campaign's card is in the thread.`),
    section([...lines, ...(more > 0 ? [`…and ${more} more in the thread`] : [])].join('\n')),
    context([`Run ${runId} · only what is new or changed since the last post is listed`]),
  ];
}

/** The notification text: what this run did, in the words of the CLI's summary. */
export const alertSummaryText = (rows: readonly ResultRow[], figures?: RunFigures): string => {
  const { thisRun } = runCountsText((figures ?? runFigures(rows)).counts);
  return `Pacing alerts: ${thisRun.length ? thisRun.join(', ') : plural(rows.length, 'alert')}`;
};
