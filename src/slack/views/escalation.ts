// The escalation message: everything an approver needs, and Approve / Reject buttons.
import type { BatchMember, Escalation, EscalationClosed } from '../../agent/ports.js';
import { formatMoney, formatPct } from '../../domain/money.js';
import {
  type Block,
  campaignName,
  clip,
  context,
  esc,
  explanation,
  header,
  LIMITS,
  numbers,
  platformName,
  section,
} from './blocks.js';

export const APPROVE = 'pacing_approve';
export const REJECT = 'pacing_reject';

export function escalationBlocks(e: Escalation): Block[] {
  if (e.batch) return batchBlocks(e, e.batch);
  const r = e.snapshot;
  const proposal = e.proposedAction === 'halt' ? 'pause this campaign' : 'send the alert';
  return [
    header(
      `Approval needed: ${e.proposedAction === 'halt' ? 'pause' : 'alert'} ${r.campaignId ?? r.platformCampaignName ?? ''}`,
    ),
    section(`*${esc(campaignName(r))}*\n${esc(e.reason)}`),
    numbers(r),
    ...explanation(r),
    section(`*Proposed:* ${proposal}. Approve to carry it out, reject to override (nothing is paused).`),
    {
      type: 'actions',
      block_id: `escalation:${e.id}`,
      elements: [
        {
          type: 'button',
          action_id: APPROVE,
          value: e.id,
          style: 'primary',
          text: { type: 'plain_text', text: e.proposedAction === 'halt' ? 'Approve pause' : 'Approve alert' },
          ...(e.proposedAction === 'halt'
            ? {
                confirm: {
                  title: { type: 'plain_text', text: 'Pause this campaign?' },
                  // A confirm dialog's text is limited to 300 characters: a long campaign name must not make Slack refuse the message.
                  text: {
                    type: 'mrkdwn',
                    text: `This pauses ${clip(esc(r.platformCampaignName ?? r.platformCampaignId ?? 'the campaign'), 200)} on ${r.platform} now. It can be resumed afterwards.`,
                  },
                  confirm: { type: 'plain_text', text: 'Pause it' },
                  deny: { type: 'plain_text', text: 'Cancel' },
                },
              }
            : {}),
        },
        {
          type: 'button',
          action_id: REJECT,
          value: e.id,
          style: 'danger',
          text: { type: 'plain_text', text: 'Reject' },
        },
      ],
    },
    context([`Escalation \`${e.id}\` · expires ${e.expiresAt} · run ${e.runId}`]),
  ];
}

const OUTCOME: Record<string, string> = {
  approved: ':white_check_mark: Approved',
  overridden: ':no_entry_sign: Rejected (override)',
  expired: ':hourglass: Expired',
};

/** The same message once decided: outcome, who and when, and no buttons. */
export function closedBlocks(c: EscalationClosed): Block[] {
  const e = c.escalation;
  const who = c.actor === 'agent' ? 'no decision before the deadline' : `by <@${c.actor}>`;
  const kept = escalationBlocks(e).filter((b) => b.type !== 'actions' && b.type !== 'context');
  return [
    ...kept,
    section(
      `*${OUTCOME[c.decision] ?? c.decision}* ${who} at ${e.decidedAt ?? ''}${c.outcome === 'failed' ? '\n:warning: ' : '\n'}${esc(c.detail)}`,
    ),
    context([`Escalation \`${e.id}\` · run ${e.runId}`]),
  ];
}

export const escalationText = (e: Escalation): string =>
  e.batch
    ? clip(
        `Approval needed (${e.proposedAction}) for ${plural(standing(e.batch).length, 'campaign')}: ${esc(e.reason)}`,
        LIMITS.sectionText,
      )
    : `Approval needed (${e.proposedAction}) for ${esc(campaignName(e.snapshot))}: ${esc(e.reason)}`;

// --- batch escalations (SPEC, Batch escalations): one message about many campaigns ------------------------------

type Batch = NonNullable<Escalation['batch']>;

/** How many members a batch message lists by name. */
export const BATCH_LISTED = 10;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Escapes for mrkdwn, then clips to n characters without cutting an escape sequence in half. */
function escClip(s: string, n: number): string {
  const whole = esc(s);
  if (whole.length <= n) return whole;
  let out = '';
  for (const ch of s) {
    const x = esc(ch);
    if (out.length + x.length > n - 1) break;
    out += x;
  }
  return `${out}…`;
}

/** Money as everywhere in the app ("12,345.00 EUR"); a member without a currency says so. */
const money = (value: number | null, currency: string | null): string =>
  value === null ? '—' : currency ? formatMoney(value, esc(currency)) : `${formatMoney(value)} (currency unknown)`;

/** |actual − target| — the same measure the policy ranks members by (no plan counts as 0, no spend as nothing). */
const atStake = (m: BatchMember): number =>
  m.actualSpend === null ? 0 : Math.abs(m.actualSpend - (m.targetSpend ?? 0));

/** Money at stake per currency, biggest first: never summed across currencies. */
export function batchMoneyAtStake(members: readonly BatchMember[]): { currency: string | null; amount: number }[] {
  const sums = new Map<string | null, number>();
  for (const m of members) sums.set(m.currency, (sums.get(m.currency) ?? 0) + atStake(m));
  return [...sums]
    .map(([currency, amount]) => ({ currency, amount }))
    .sort((a, b) => b.amount - a.amount || String(a.currency).localeCompare(String(b.currency)));
}

/** The members an approval still acts on (a later run may have dropped some). */
const standing = (b: Batch): BatchMember[] => b.members.filter((m) => !m.dropped);

function platformsOf(members: readonly BatchMember[], fallback: string): string {
  const names = [...new Set(members.map((m) => m.platform))].map(platformName);
  return names.length ? names.join(' and ') : platformName(fallback);
}

function batchHeader(e: Escalation, b: Batch, n: number): string {
  const campaigns = plural(n, 'campaign');
  if (b.kind === 'orphans') return `Flag ${plural(n, 'orphan campaign')} for review? The tracker may be incomplete`;
  if (b.kind === 'data_fault') {
    const account = e.snapshot.account ? ` account ${e.snapshot.account}` : '';
    return `Pause ${campaigns}? ${platformName(e.snapshot.platform)}${account} data looks faulty`;
  }
  if (b.kind === 'halt_budget') return `Pause ${plural(n, 'more campaign')}? Over the limit of pauses made alone`;
  return `${e.proposedAction === 'halt' ? 'Pause' : 'Flag'} ${campaigns}?`;
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

function batchBlocks(e: Escalation, b: Batch): Block[] {
  const members = standing(b);
  const n = members.length;
  const dropped = b.members.length - n;
  const halt = e.proposedAction === 'halt';
  const where = platformsOf(members, e.platform);
  const stake = batchMoneyAtStake(members)
    .map((s) => money(s.amount, s.currency))
    .join(' · ');
  const leftAlone = dropped
    ? ` ${plural(dropped, 'other campaign')} came back on plan since and will be left alone.`
    : '';
  const proposal = halt
    ? `*Proposed:* pause all ${plural(n, 'campaign')} on ${where} (any already paused are skipped). *Approve all* pauses them; *Reject* leaves every one running and records the override.${leftAlone}`
    : `*Proposed:* flag these ${plural(n, 'campaign')} for review — nothing is paused. *Approve all* flags them; *Reject* dismisses the question.${leftAlone}`;
  return [
    header(batchHeader(e, b, n)),
    section(`*Why:* ${esc(e.reason)}`),
    section(`*Money at stake:* ${stake || '—'} across ${plural(n, 'campaign')} on ${where}`),
    ...(n ? [section(memberList(members))] : []),
    section(proposal),
    {
      type: 'actions',
      block_id: `escalation:${e.id}`,
      elements: [
        {
          type: 'button',
          action_id: APPROVE,
          value: e.id,
          style: halt ? 'danger' : 'primary',
          text: { type: 'plain_text', text: 'Approve all' },
          ...(halt
            ? {
                confirm: {
                  title: { type: 'plain_text', text: `Pause ${plural(n, 'campaign')}?` },
                  text: {
                    type: 'mrkdwn',
                    text: `This pauses ${plural(n, 'campaign')} on ${where} now (any already paused are skipped). Each can be resumed afterwards.`,
                  },
                  confirm: { type: 'plain_text', text: `Pause all ${n}` },
                  deny: { type: 'plain_text', text: 'Cancel' },
                },
              }
            : {}),
        },
        { type: 'button', action_id: REJECT, value: e.id, text: { type: 'plain_text', text: 'Reject' } },
      ],
    },
    context([`Batch escalation \`${e.id}\` · expires ${e.expiresAt} · run ${e.runId}`]),
  ];
}
