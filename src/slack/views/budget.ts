// What people see of budget steering on Slack (SPEC, Steering budgets): the question about one campaign's daily
// budget with the forecast before and after, a pool's rebalance as one batch, advice the agent will not carry out,
// and the "Restore budget" button after a change.

import type { PoolChange } from '../../agent/reads.js';
import type { BudgetProposal } from '../../domain/budget.js';
import { projectedWithBudget } from '../../domain/budget-outlook.js';
import { formatAmount, formatPct, formatTotal } from '../../domain/money.js';
import { type PoolRebalance, poolNoteDetail, shareOfPool } from '../../domain/pools.js';
import type { Escalation, ResultRow } from '../../domain/records.js';
import type { Answers } from './batch.js';
import { type Block, clip, context, esc, header, LIMITS, platformName, section, slackDate } from './blocks.js';
import { displayName, money } from './situation.js';

export const RESTORE_BUDGET = 'pacing_restore_budget';

/** Meta's own warning, said on every Meta budget card: the cost of a change is not only money. */
export const META_LEARNING_NOTE =
  'A budget edit on Meta is a significant edit: it can restart the learning phase, and delivery may wobble for a few days.';

type Row = Pick<
  ResultRow,
  | 'campaignId'
  | 'campaignName'
  | 'platformCampaignName'
  | 'platformCampaignId'
  | 'platform'
  | 'forecast'
  | 'budgetProposal'
  | 'budgetChange'
  | 'currency'
  | 'platformCurrency'
>;

/**
 * The proposal a budget question is about: the snapshot's, when the escalation asks about one campaign's daily
 * budget. A batch of budget changes (over MAX_AUTONOMOUS_BUDGET_CHANGES) carries its biggest member as snapshot:
 * its card is the batch's, not that one campaign's.
 */
export function budgetProposalOf(e: Escalation): BudgetProposal | null {
  return e.proposedAction === 'budget' && !e.batch ? (e.snapshot.budgetProposal ?? null) : null;
}

/** The question's header: "Set the daily budget of Summer Sale to 1,117.09 EUR?" */
export function budgetQuestion(e: Escalation, p: BudgetProposal): { icon: string; title: string } {
  return {
    icon: ':money_with_wings:',
    title: `Set the daily budget of ${displayName(e.snapshot)} to ${money(p.to, p.currency)}?`,
  };
}

/** The two answers: "Set daily budget to 1,117.09 EUR" / "Keep 1,200.00 EUR", and what each does. */
export function budgetAnswers(e: Escalation, p: BudgetProposal): Answers {
  const to = money(p.to, p.currency);
  const from = money(p.from, p.currency);
  return {
    yes: `Set daily budget to ${to}`,
    no: `Keep ${from}`,
    explain: `*Set daily budget to ${to}* changes it on ${platformName(e.platform)} now and reads it back (it can be restored); *Keep ${from}* leaves it and records your call.`,
    safeFirst: false,
  };
}

/** The forecast before and after the change, the step, and Meta's learning phase: the lines a budget card adds. */
export function budgetLines(r: Row, p: BudgetProposal): string[] {
  const lines: string[] = [];
  const f = r.forecast;
  if (f) {
    const after = projectedWithBudget(f, p.to);
    lines.push(
      `At this rate the flight ends at *${money(f.projectedSpend, p.currency)}* of its ${money(f.budget, p.currency)} budget (${formatPct(f.projectedVariancePct)}); with the new budget of ${money(p.to, p.currency)} a day, near *${money(after.projectedSpend, p.currency)}* (${formatPct(after.projectedVariancePct)}) over the ${f.daysLeft} days left.`,
    );
  }
  if (p.step)
    lines.push(
      `A step toward ${money(p.recommended, p.currency)} a day, what lands the flight on budget: one change goes only so far, later runs take the rest.`,
    );
  if (r.platform === 'meta') lines.push(`:warning: ${META_LEARNING_NOTE}`);
  return lines;
}

/** Advice the agent will not carry out (a shared or lifetime budget), as one line for alert cards and status. */
export function budgetAdviceLine(r: Pick<ResultRow, 'budgetProposal'>): string | null {
  const p = r.budgetProposal;
  if (!p || p.applicable) return null;
  return `:bulb: *Budget advice:* ${esc(p.reason)}`;
}

/** What the agent did to the daily budget this run, as one line; null when it did nothing. */
export function budgetChangeLine(r: Row): string | null {
  const c = r.budgetChange;
  if (!c) return null;
  const cur = r.budgetProposal?.currency ?? r.platformCurrency ?? r.currency;
  const span = `${money(c.from, cur)} → ${money(c.to, cur)} a day`;
  switch (c.status) {
    case 'changed':
      return `:money_with_wings: *The agent changed its daily budget:* ${span}. An approver can restore it with the button.`;
    case 'would_change':
      return `:test_tube: *Dry run:* its daily budget would have changed, ${span}; nothing changed on the platform.`;
    case 'unchanged':
      return `Its daily budget already was ${money(c.to, cur)}.`;
    default:
      return `:rotating_light: *The agent tried to change its daily budget and failed* (${span}): it stays as it was.`;
  }
}

/** The block holding a campaign's "Restore budget" button: the one a restore takes off the card. */
export const restoreBlockId = (campaignId: string): string => `restore_budget:${campaignId}`.slice(0, 255);

/**
 * The "Restore budget" button (value: the plan's campaign id), offered after a change made on the platform: by the
 * agent alone (the alert card) or by an approver's yes (the decided card). `label` names the campaign on a card
 * that changed several.
 */
export function restoreBudgetActions(campaignId: string, label = 'Restore budget'): Block {
  return {
    type: 'actions',
    block_id: restoreBlockId(campaignId),
    elements: [
      {
        type: 'button',
        action_id: RESTORE_BUDGET,
        text: { type: 'plain_text', text: clip(label, LIMITS.buttonText) },
        value: campaignId.slice(0, 2000),
        confirm: {
          title: { type: 'plain_text', text: 'Restore the daily budget?' },
          text: {
            type: 'mrkdwn',
            text: 'It puts back the daily budget from before the last change, on the platform, right away.',
          },
          confirm: { type: 'plain_text', text: 'Restore' },
          deny: { type: 'plain_text', text: 'Cancel' },
        },
      },
    ],
  };
}

/** How many campaigns of an approved batch of budget changes get their own "Restore" button on its card. */
export const RESTORE_LISTED = 10;

/**
 * The undo of an approved batch of budget changes (a pool's rebalance, or the changes over the run's cap): one
 * "Restore <campaign>" button per changed campaign, the first RESTORE_LISTED; the rest by `restore-budget`.
 */
export function batchRestoreBlocks(e: Escalation): Block[] {
  const changed = (e.batch?.members ?? []).filter((m) => !m.dropped && m.budget && m.campaignId !== null);
  if (changed.length === 0) return [];
  const more = changed.length - RESTORE_LISTED;
  return [
    section(
      `*Undo:* each daily budget can be put back as it was${more > 0 ? `; the other ${more} with \`${esc('npx pacing restore-budget <campaign-id> --user <id>')}\`` : ''}.`,
    ),
    ...changed
      .slice(0, RESTORE_LISTED)
      .map((m) =>
        restoreBudgetActions(
          m.campaignId as string,
          `Restore ${m.campaignName ?? m.platformCampaignName ?? m.campaignId}`,
        ),
      ),
  ];
}

/** The row's budget blocks on an alert card: what changed (with the undo button when it did), or the advice. */
export function alertBudgetBlocks(r: Row): Block[] {
  const blocks: Block[] = [];
  const change = budgetChangeLine(r);
  if (change) blocks.push(section(change));
  if (r.budgetChange?.status === 'changed' && r.platform === 'meta') blocks.push(context([META_LEARNING_NOTE]));
  const advice = budgetAdviceLine(r);
  if (advice && !change) blocks.push(section(advice));
  if (r.budgetChange?.status === 'changed' && r.campaignId) blocks.push(restoreBudgetActions(r.campaignId));
  return blocks;
}

// --- a pool's rebalance, one question ----------------------------------------------------------------------------

/** How many changes the card lists; the rest are counted. */
export const REBALANCE_LISTED = 20;

/**
 * The rebalance a pool question proposes. The agent carries it as a batch of kind 'pool' (key
 * `batch:pool:<pool>:<escalation id>`): its standing members are the changes, and the pool's figures as the asking
 * run found them (its total, spent so far, where it ends before and after) ride with the batch. A question asked
 * before the figures were kept has only its reason, which says the same in a sentence.
 */
export function rebalanceOf(e: Escalation): PoolRebalance | null {
  if (e.batch?.kind !== 'pool') return null;
  const prefix = 'batch:pool:';
  const suffix = `:${e.id}`;
  const named = e.key.startsWith(prefix) ? e.key.slice(prefix.length) : e.key;
  const changes: PoolRebalance['changes'] = [];
  let currency: string | null = null;
  for (const m of e.batch.members) {
    if (m.dropped || !m.budget) continue;
    currency ??= m.budget.currency ?? m.currency;
    changes.push({ campaignId: m.campaignId ?? m.platformCampaignId ?? m.key, from: m.budget.from, to: m.budget.to });
  }
  const f = e.batch.pool;
  return {
    pool: f?.pool ?? (named.endsWith(suffix) ? named.slice(0, -suffix.length) : named),
    currency: f?.currency ?? currency,
    budget: f?.budget ?? null,
    actualSpend: f?.actualSpend ?? null,
    projectedSpend: f?.projectedSpend ?? null,
    projectedAfter: f?.projectedAfter ?? null,
    changes,
    // The title says where the pool lands: the card keeps what else the rebalance said (the step cap, who is held).
    note: f ? poolNoteDetail(f.note) : '',
  };
}

/** How many of a pool question's changes a later run found no longer standing (approving leaves them alone). */
const droppedFrom = (e: Escalation): number => (e.batch?.members ?? []).filter((m) => m.dropped).length;

/** "Rebalance DE Boots: 3 changes, lands at 100.4 % of 120,000 EUR": a busy buyer's whole question in one line. */
export function rebalanceTitle(e: Escalation, p: PoolRebalance): string {
  const n = p.changes.length;
  const changes = `${n} change${n === 1 ? '' : 's'}`;
  const dropped = droppedFrom(e);
  // Where the pool lands was worked out with every change asked: once some fell away, the count is what is true.
  if (dropped > 0) return `Rebalance ${p.pool}: ${changes} still standing of ${n + dropped} asked`;
  // Without the pool's figures (a question from before they were kept), the agent's own sentence says it.
  if (p.budget === null || p.projectedAfter === null) return e.reason;
  const total = p.currency ? formatTotal(p.budget, esc(p.currency)) : formatTotal(p.budget);
  return `Rebalance ${p.pool}: ${changes}, lands at ${shareOfPool(p.projectedAfter, p.budget)} of ${total}`;
}

export function rebalanceAnswers(p: { changes: readonly unknown[] }): Answers {
  const n = p.changes.length;
  return {
    yes: `Apply ${n} change${n === 1 ? '' : 's'}`,
    no: 'Keep budgets',
    explain: `*Apply ${n} change${n === 1 ? '' : 's'}* sets each daily budget still standing on its platform and reads it back (each can be restored); *Keep budgets* leaves them all and records your call.`,
    safeFirst: false,
  };
}

/** One daily-budget change of a batch, in the currency it is set in. */
export interface ListedChange {
  campaignId: string;
  from: number;
  to: number;
  currency: string | null;
}

/**
 * "• *Acme_DE_Boots_Search_Q4* (ACM-G-020): 650.00 → 780.00 EUR a day (+20.00%)" for the first REBALANCE_LISTED
 * changes that fit a section, and how many more; null when there are none. People know a campaign by its name: the
 * plan id follows it, as on every other card.
 */
export function changeList(e: Escalation, changes: readonly ListedChange[]): string | null {
  const names = new Map<string, string>();
  for (const m of e.batch?.members ?? []) {
    const name = m.campaignName ?? m.platformCampaignName;
    if (name) names.set(m.campaignId ?? m.platformCampaignId ?? m.key, name);
  }
  const lines: string[] = [];
  let length = 0;
  for (const c of changes.slice(0, REBALANCE_LISTED)) {
    const name = names.get(c.campaignId);
    const who = name ? `*${esc(name)}* (${esc(c.campaignId)})` : `*${esc(c.campaignId)}*`;
    const step = c.from > 0 ? ` (${formatPct(((c.to - c.from) / c.from) * 100)})` : '';
    const line = `• ${who}: ${formatAmount(c.from, c.currency)} → ${money(c.to, c.currency)} a day${step}`;
    if (length + line.length + 1 > LIMITS.sectionText - 40) break;
    lines.push(line);
    length += line.length + 1;
  }
  const more = changes.length - lines.length;
  return lines.length ? [...lines, ...(more > 0 ? [`…and ${more} more`] : [])].join('\n') : null;
}

/** Whether a batch still changes a Meta campaign's budget: its card then says what that costs. */
export const changesMeta = (e: Escalation): boolean =>
  (e.batch?.members ?? []).some((m) => !m.dropped && m.budget != null && m.platform === 'meta');

/** The rebalance card: where the pool ends now and after, each change, then `actions` (null once decided). */
export function rebalanceBlocks(e: Escalation, p: PoolRebalance, actions: Block | null): Block[] {
  const cur = p.currency;
  const pct = (v: number | null) => (v !== null && p.budget ? formatPct(((v - p.budget) / p.budget) * 100) : '—');
  const list = changeList(
    e,
    p.changes.map((c) => ({ ...c, currency: cur })),
  );
  const dropped = droppedFrom(e);
  const blocks: Block[] = [
    header(`:scales: ${rebalanceTitle(e, p)}`),
    ...(p.projectedSpend === null
      ? []
      : [
          section(
            `At today's rates the pool ends at *${money(p.projectedSpend, cur)}* (${pct(p.projectedSpend)}) of its ${money(p.budget, cur)}, ${money(p.actualSpend, cur)} spent so far; ${dropped > 0 ? `with all ${p.changes.length + dropped} changes asked it would have ended` : 'with these changes'} near *${money(p.projectedAfter, cur)}* (${pct(p.projectedAfter)}).`,
          ),
        ]),
    ...(list ? [section(list)] : []),
  ];
  if (p.note) blocks.push(section(clip(`*Note:* ${esc(p.note)}`, LIMITS.sectionText)));
  // Like a single Meta budget card: an approver weighs the learning phase before changing several at once.
  if (changesMeta(e)) blocks.push(section(`:warning: ${META_LEARNING_NOTE}`));
  if (actions) {
    blocks.push(section(rebalanceAnswers(p).explain), actions);
    blocks.push(context([`Rebalance \`${e.id}\` · expires ${slackDate(e.expiresAt)} · run ${e.runId}`]));
  } else {
    blocks.push(context([`Rebalance \`${e.id}\` · run ${e.runId}`]));
  }
  return blocks;
}

/** `/pacing status <campaign>`: what its budget pool's rebalance does to its daily budget, and the question asking it. */
export function poolChangeLine(c: PoolChange | null): string | null {
  if (!c) return null;
  const span = `${formatAmount(c.from, c.currency)} → ${money(c.to, c.currency)} a day`;
  return `:scales: *Budget pool ${esc(c.pool)}:* ${span}${c.escalationId ? `, asked in rebalance \`${esc(c.escalationId)}\`` : ' in its rebalance (`npx pacing optimise` shows it)'}.`;
}

/** `/pacing status <campaign>`: the budget change made this run, else the proposal or the advice, in one line. */
export function budgetStatusLine(r: Row): string | null {
  const change = budgetChangeLine(r);
  if (change) return change;
  const p = r.budgetProposal;
  if (!p) return null;
  return p.applicable ? `:money_with_wings: *Daily budget:* ${esc(p.reason)}` : budgetAdviceLine(r);
}
