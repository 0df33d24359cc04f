// Batch escalations (SPEC, Batch escalations): one message about many campaigns — how many, the money at stake
// per currency, the biggest members — and the two answers, the safe one first when the agent suspects its data.

import { formatMoney, formatPct } from '../../domain/money.js';
import { stakeByCurrency } from '../../domain/overview.js';
import type { BatchMember, Escalation } from '../../domain/records.js';
import {
  type Block,
  campaignName,
  context,
  esc,
  escClip,
  header,
  LIMITS,
  platformName,
  section,
  slackDate,
} from './blocks.js';

/**
 * What the two buttons say, so that each answers the question asked, and one line saying what each does.
 * `safeFirst`: the safe answer (reject) leads as the primary button, the proposal follows, red and confirmed —
 * for a question where the agent suspects its own data.
 */
export interface Answers {
  yes: string;
  no: string;
  explain: string;
  safeFirst: boolean;
}

export type Batch = NonNullable<Escalation['batch']>;

/** How many members a batch message lists by name. */
export const BATCH_LISTED = 10;

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Money as everywhere in the app ("12,345.00 EUR"); a member without a currency says so. */
const money = (value: number | null, currency: string | null): string =>
  value === null ? '—' : currency ? formatMoney(value, esc(currency)) : `${formatMoney(value)} (currency unknown)`;

/** The members an approval still acts on (a later run may have dropped some). */
export const standing = (b: Batch): BatchMember[] => b.members.filter((m) => !m.dropped);

export function platformsOf(members: readonly BatchMember[], fallback: string): string {
  const names = [...new Set(members.map((m) => m.platform))].map(platformName);
  return names.length ? names.join(' and ') : platformName(fallback);
}

export function batchHeader(e: Escalation, b: Batch, n: number): string {
  const campaigns = plural(n, 'campaign');
  if (b.kind === 'orphans') return `Flag ${plural(n, 'orphan campaign')} for review? The tracker may be incomplete`;
  if (b.kind === 'data_fault')
    // A fault can also hide planned campaigns from the export: that batch proposes a check, not a pause.
    return e.proposedAction === 'halt'
      ? `${faultySource(e)} data looks faulty: keep ${campaigns} running?`
      : `${faultySource(e)} data looks faulty: ${campaigns} missing. Flag them for a check?`;
  if (b.kind === 'halt_budget') return `Pause ${plural(n, 'more campaign')}? Over the limit of pauses made alone`;
  return `${e.proposedAction === 'halt' ? 'Pause' : 'Flag'} ${campaigns}?`;
}

/** "Google Ads account 111": the data feed a data-fault batch suspects. */
function faultySource(e: Escalation): string {
  return `${platformName(e.snapshot.platform)}${e.snapshot.account ? ` account ${e.snapshot.account}` : ''}`;
}

export const BATCH_ICON: Record<Batch['kind'], string> = {
  data_fault: ':warning:',
  halt_budget: ':octagonal_sign:',
  orphans: ':question:',
  budget: ':moneybag:',
  pool: ':scales:',
};

/** The buttons of a batch question: for a suspected data fault, keeping them running is the answer offered first. */
export function batchAnswers(e: Escalation, b: Batch): Answers {
  const members = standing(b);
  const n = plural(members.length, 'campaign');
  const where = platformsOf(members, e.platform);
  if (e.proposedAction !== 'halt')
    return {
      yes: 'Flag for review',
      no: 'Dismiss',
      explain: `*Flag for review* flags these ${n} for review — nothing is paused; *Dismiss* closes the question.`,
      safeFirst: false,
    };
  if (b.kind === 'data_fault')
    return {
      yes: 'Pause anyway',
      no: 'Keep them running',
      explain:
        `*What to check first:* open ${faultySource(e)} and see whether these campaigns really stopped spending — an outage, ` +
        'expired access, an empty export or a reporting delay looks just like no delivery. ' +
        `*Keep them running* changes nothing and records your call; *Pause anyway* pauses all ${n} on ${where} (any already paused are skipped).`,
      safeFirst: true,
    };
  return {
    yes: `Pause ${n}`,
    no: 'Keep them running',
    explain: `*Pause ${n}* pauses them on ${where} (any already paused are skipped); *Keep them running* leaves every one running and records your call.`,
    safeFirst: false,
  };
}

function memberLine(m: BatchMember): string {
  const name = escClip(campaignName(m), 90);
  const figures =
    m.targetSpend === null
      ? `${money(m.actualSpend, m.currency)} spent, no plan`
      : `${money(m.actualSpend, m.currency)} vs ${money(m.targetSpend, m.currency)} planned · ${formatPct(m.variancePct)}`;
  return `• *${name}* · ${platformName(m.platform)} · ${figures}`;
}

/** The biggest members, as many of the first ten as fit one section, and how many more there are. */
function memberList(members: readonly BatchMember[]): string {
  const title = `*${members.length > BATCH_LISTED ? `The ${BATCH_LISTED} biggest` : 'The campaigns'}* (money at stake first)`;
  const lines: string[] = [];
  let length = title.length;
  const reserve = 40; // room for the "…and N more" line
  for (const m of members.slice(0, BATCH_LISTED)) {
    const line = memberLine(m);
    if (length + 1 + line.length > LIMITS.sectionText - reserve) break;
    lines.push(line);
    length += 1 + line.length;
  }
  const more = members.length - lines.length;
  return [title, ...lines, ...(more > 0 ? [`…and ${more} more`] : [])].join('\n');
}

/**
 * The batch message with its buttons (`actions`); once decided (`actions` null) without what the buttons would do,
 * the buttons and the deadline.
 */
export function batchBlocks(e: Escalation, b: Batch, actions: Block | null): Block[] {
  const open = actions !== null;
  const members = standing(b);
  const n = members.length;
  const dropped = b.members.length - n;
  const where = platformsOf(members, e.platform);
  const stake = stakeByCurrency(members)
    .map((s) => money(s.amount, s.currency))
    .join(' · ');
  const leftAlone = dropped
    ? ` ${plural(dropped, 'other campaign')} came back on plan since and will be left alone.`
    : '';
  return [
    header(batchHeader(e, b, n)),
    section(`*Money at stake:* ${stake || '—'} across ${plural(n, 'campaign')} on ${where}`),
    section(`*Why:* ${esc(open ? e.reason : decidedReason(e.reason))}`),
    ...(n ? [section(memberList(members))] : []),
    ...(open
      ? [
          section(`${batchAnswers(e, b).explain}${leftAlone}`),
          actions,
          context([`Batch escalation \`${e.id}\` · expires ${slackDate(e.expiresAt)} · run ${e.runId}`]),
        ]
      : []),
  ];
}

/** A reason stored before questions stopped saying which button to press: that advice is stale once decided. */
const decidedReason = (reason: string): string => reason.replace(/ Approve to [^.]*\./g, '');
