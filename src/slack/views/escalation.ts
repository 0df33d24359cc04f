// The escalation message: the question that fits why the agent asks, the money at stake, and two buttons that say
// what they do; once decided, its header becomes the outcome, who decided and when.
import type { types } from '@slack/bolt';
import type { Escalation, EscalationClosed } from '../../domain/records.js';
import { analysisBlocks } from './analysis.js';
import {
  type Answers,
  BATCH_ICON,
  batchAnswers,
  batchBlocks,
  batchHeader,
  platformsOf,
  plural,
  standing,
} from './batch.js';
import {
  type Block,
  campaignName,
  clip,
  context,
  esc,
  header,
  LIMITS,
  platformName,
  section,
  slackDate,
} from './blocks.js';
import {
  batchRestoreBlocks,
  budgetAnswers,
  budgetLines,
  budgetProposalOf,
  budgetQuestion,
  rebalanceAnswers,
  rebalanceBlocks,
  rebalanceOf,
  rebalanceTitle,
  restoreBudgetActions,
} from './budget.js';
import { budgetBatchAnswers, budgetBatchBlocks, budgetBatchChanges, budgetBatchQuestion } from './budget-batch.js';
import { causeLines, detailsContext, displayName, forecastLine, money, ownerMention, stakeLine } from './situation.js';

export const APPROVE = 'pacing_approve';
export const REJECT = 'pacing_reject';

/** Why the agent asks, as far as the question and its buttons differ. */
type Kind = 'pause_failed' | 'orphan' | 'currency' | 'unmatched' | 'zero_plan' | 'match' | 'plain';

function kindOf(e: Escalation): Kind {
  const r = e.snapshot;
  const codes = new Set(r.rootCause.map((c) => c.code));
  if (codes.has('pause_failed')) return 'pause_failed';
  if (r.campaignId === null) return 'orphan';
  if (codes.has('currency_mismatch') || codes.has('guard_currency_unknown')) return 'currency';
  if (r.platformCampaignId === null) return 'unmatched';
  if (codes.has('zero_plan_spend')) return 'zero_plan';
  if (/confidence [\d.]+ </.test(e.reason)) return 'match';
  return 'plain';
}

/** The question an escalation asks, fitted to why the agent could not decide alone; its buttons answer it. */
export function question(e: Escalation): { icon: string; title: string } {
  const pool = rebalanceOf(e);
  if (pool) return { icon: ':scales:', title: rebalanceTitle(e, pool) };
  const changes = budgetBatchChanges(e);
  if (changes) return budgetBatchQuestion(changes);
  if (e.batch) return { icon: BATCH_ICON[e.batch.kind], title: batchHeader(e, e.batch, standing(e.batch).length) };
  const budget = budgetProposalOf(e);
  if (budget) return budgetQuestion(e, budget);
  const r = e.snapshot;
  const name = displayName(r);
  const halt = e.proposedAction === 'halt';
  switch (kindOf(e)) {
    case 'pause_failed':
      return { icon: ':rotating_light:', title: `The pause failed: try pausing ${name} again?` };
    case 'orphan':
      return {
        icon: ':question:',
        title: `${halt ? 'Pause' : 'Flag'} this unplanned spend? ${name} on ${platformName(r.platform)}`,
      };
    case 'currency':
      return {
        icon: ':currency_exchange:',
        title: `${currencyGap(r)}: ${halt ? 'pause' : 'send an alert about'} ${name} anyway?`,
      };
    case 'unmatched':
      return { icon: ':mag:', title: `Not found on ${platformName(r.platform)}: send an alert about ${name}?` };
    case 'zero_plan':
      return {
        icon: ':question:',
        title: `Spending with a plan of zero: ${halt ? 'pause' : 'send an alert about'} ${name}?`,
      };
    case 'match':
      return { icon: ':mag:', title: `Is this the right campaign? ${name}` };
    default:
      return halt
        ? { icon: ':octagonal_sign:', title: `Pause ${name}?` }
        : { icon: ':bell:', title: `Send an alert about ${name}?` };
  }
}

/** "Plan in EUR, Meta reports USD", or that the plan states no currency. */
function currencyGap(r: Escalation['snapshot']): string {
  const platform = platformName(r.platform);
  if (!r.planCurrency) return `No currency in the plan, ${platform} reports ${r.platformCurrency ?? 'one'}`;
  return `Plan in ${r.planCurrency}, ${platform} reports ${r.platformCurrency ?? 'another currency'}`;
}

const plainAnswers = (halt: boolean): Answers =>
  halt
    ? {
        yes: 'Pause campaign',
        no: 'Keep running',
        explain:
          '*Pause campaign* stops its spend now (it can be resumed); *Keep running* leaves it and records your call.',
        safeFirst: false,
      }
    : {
        yes: 'Send alert',
        no: 'Dismiss',
        explain:
          '*Send alert* posts it to the alerts channel and records it; *Dismiss* records that it needs no action.',
        safeFirst: false,
      };

export function answers(e: Escalation): Answers {
  const halt = e.proposedAction === 'halt';
  const pool = rebalanceOf(e);
  if (pool) return rebalanceAnswers(pool);
  const changes = budgetBatchChanges(e);
  if (changes) return budgetBatchAnswers(changes);
  if (e.batch) return batchAnswers(e, e.batch);
  const budget = budgetProposalOf(e);
  if (budget) return budgetAnswers(e, budget);
  switch (kindOf(e)) {
    case 'match':
      return halt
        ? {
            yes: 'Yes, pause it',
            no: 'No, keep it running',
            explain:
              '*Yes, pause it* confirms the match and stops its spend now (it can be resumed); *No, keep it running* leaves it and records your call. Either way, pin the right campaign with `platform_campaign_id` in the tracker.',
            safeFirst: false,
          }
        : {
            yes: 'Yes, send the alert',
            no: 'No, dismiss',
            explain:
              '*Yes, send the alert* confirms the match and posts the alert; *No, dismiss* records that it is not this campaign. Either way, pin the right campaign with `platform_campaign_id` in the tracker.',
            safeFirst: false,
          };
    case 'currency': {
      const fix = ' Either way, set the currency in the tracker so the next run compares the same money.';
      return halt
        ? {
            yes: 'Pause anyway',
            no: 'Keep running',
            explain: `The variance may compare different money. *Pause anyway* stops its spend now (it can be resumed); *Keep running* leaves it and records your call.${fix}`,
            safeFirst: false,
          }
        : {
            yes: 'Send alert anyway',
            no: 'Dismiss',
            explain: `The variance may compare different money. *Send alert anyway* posts it to the alerts channel; *Dismiss* records that it needs no action.${fix}`,
            safeFirst: false,
          };
    }
    case 'pause_failed':
      return {
        yes: 'Try the pause again',
        no: 'Keep running',
        explain:
          '*Try the pause again* asks the platform once more (it can be resumed); *Keep running* leaves it and records your call. If it must stop now, pause it by hand on the platform.',
        safeFirst: false,
      };
    default:
      return plainAnswers(halt);
  }
}

export function escalationBlocks(e: Escalation): Block[] {
  const pool = rebalanceOf(e);
  if (pool) return rebalanceBlocks(e, pool, escalationActions(e));
  const changes = budgetBatchChanges(e);
  if (changes) return budgetBatchBlocks(e, changes, escalationActions(e));
  if (e.batch) return batchBlocks(e, e.batch, escalationActions(e));
  return [
    ...singleBlocks(e, question(e)),
    section(answers(e).explain),
    escalationActions(e),
    context(singleContext(e, true)),
  ];
}

function singleBlocks(e: Escalation, head: { icon: string; title: string }): Block[] {
  const r = e.snapshot;
  const forecast = forecastLine(r);
  const owner = ownerMention(r);
  const blocks: Block[] = [
    header(`${head.icon} ${head.title}`),
    section([stakeLine(r), ...(forecast ? [forecast] : [])].join('\n')),
    ...budgetSections(e),
    section(`*Asked because:* ${esc(e.reason)}${owner ? ` Owner: ${owner}.` : ''}`),
  ];
  const causes = causeLines(r, [e.reason]);
  if (causes.length) blocks.push(section(`*Why*\n${causes.join('\n')}`));
  blocks.push(...analysisBlocks(r.explanation));
  return blocks;
}

/** A budget question's forecast before and after, its step, and Meta's learning phase. */
function budgetSections(e: Escalation): Block[] {
  const p = budgetProposalOf(e);
  return p ? [section(budgetLines(e.snapshot, p).join('\n'))] : [];
}

function singleContext(e: Escalation, open: boolean): string[] {
  return [
    ...detailsContext(e.snapshot),
    `Escalation \`${e.id}\`${open ? ` · expires ${slackDate(e.expiresAt)}` : ''} · run ${e.runId}`,
  ];
}

/** The header of a decided escalation: the outcome, who, and when. */
export function outcomeTitle(c: EscalationClosed): { icon: string; title: string } {
  const e = c.escalation;
  const halt = e.proposedAction === 'halt';
  const n = e.batch ? e.batch.members.filter((m) => !m.dropped).length : 1;
  const what = e.batch ? `${n} campaign${n === 1 ? '' : 's'}` : displayName(e.snapshot);
  const budget = budgetProposalOf(e);
  const pool = rebalanceOf(e);
  // A batch of budget changes has no single proposal, but its outcome is about budgets all the same.
  if (budget || pool || e.proposedAction === 'budget') {
    const subject = pool ? `pool ${pool.pool}` : what;
    if (c.decision === 'approved')
      return c.outcome === 'failed'
        ? { icon: ':rotating_light:', title: `Approved, but it failed: ${subject}` }
        : {
            icon: ':money_with_wings:',
            title: budget
              ? `Daily budget set to ${money(budget.to, budget.currency)}: ${subject}`
              : pool
                ? `Rebalanced: ${subject}`
                : `Daily budgets changed: ${subject}`,
          };
    if (c.decision === 'overridden') return { icon: ':no_entry_sign:', title: `Budget kept: ${subject}` };
    return { icon: ':hourglass:', title: `Expired, nothing done: ${subject}` };
  }
  if (c.decision === 'approved') {
    if (c.outcome === 'failed') return { icon: ':rotating_light:', title: `Approved, but it failed: ${what}` };
    return halt
      ? { icon: ':octagonal_sign:', title: `Paused: ${what}` }
      : { icon: ':white_check_mark:', title: e.batch ? `Flagged for review: ${what}` : `Alert sent: ${what}` };
  }
  if (c.decision === 'overridden')
    return halt
      ? { icon: ':arrow_forward:', title: `Kept running: ${what}` }
      : { icon: ':no_entry_sign:', title: `Dismissed: ${what}` };
  return { icon: ':hourglass:', title: `Expired, nothing done: ${what}` };
}

/** The same message once decided: the header is the outcome, who decided and when, and the buttons are gone. */
export function closedBlocks(c: EscalationClosed): Block[] {
  const e = c.escalation;
  const head = outcomeTitle(c);
  const who = c.actor === 'agent' ? 'No decision' : `<@${c.actor}>`;
  const when = e.decidedAt ? slackDate(e.decidedAt) : '';
  const verb = c.decision === 'approved' ? 'approved' : c.decision === 'overridden' ? 'rejected' : 'expired';
  // The outcome's own words start with who decided, which the line already says.
  const detail = c.detail.replace(/^(Approved|Rejected) by [^:]+: /, '').replace(/ Reason: .*$/s, '');
  const reason = e.decisionNote && c.decision === 'overridden' ? `\n*Reason:* ${esc(e.decisionNote)}` : '';
  const decided = section(
    `${c.actor === 'agent' ? `*Closed* ${when}` : `*${who} ${verb}* ${when}`}${c.outcome === 'failed' ? '\n:warning: ' : ' — '}${esc(detail.charAt(0).toUpperCase() + detail.slice(1))}${reason}`,
  );
  // Budgets an approver had changed together can be put back one by one from the same card.
  const undo =
    (e.proposedAction === 'budget' || e.proposedAction === 'rebalance') &&
    c.decision === 'approved' &&
    c.outcome !== 'failed'
      ? batchRestoreBlocks(e)
      : [];
  const pool = rebalanceOf(e);
  const changes = budgetBatchChanges(e);
  if (pool || changes) {
    // The card as asked, its context line last: the undo goes just above it.
    const kept = (pool ? rebalanceBlocks(e, pool, null) : budgetBatchBlocks(e, changes ?? [], null)).slice(1);
    return [header(`${head.icon} ${head.title}`), decided, ...kept.slice(0, -1), ...undo, ...kept.slice(-1)];
  }
  if (e.batch) {
    const kept = batchBlocks(e, e.batch, null);
    return [
      header(`${head.icon} ${head.title}`),
      decided,
      ...kept.slice(1),
      ...undo,
      context([`Batch escalation \`${e.id}\` · run ${e.runId}`]),
    ];
  }
  const [, ...rest] = singleBlocks(e, head);
  // A budget an approver had changed can be put back from the same card.
  const restore =
    budgetProposalOf(e) && c.decision === 'approved' && c.outcome !== 'failed' && e.campaignId
      ? [restoreBudgetActions(e.campaignId)]
      : [];
  return [header(`${head.icon} ${head.title}`), decided, ...rest, ...restore, context(singleContext(e, false))];
}

export const escalationText = (e: Escalation): string =>
  e.batch
    ? clip(
        `Approval needed (${e.proposedAction}) for ${plural(standing(e.batch).length, 'campaign')}: ${esc(e.reason)}`,
        LIMITS.sectionText,
      )
    : `Approval needed (${e.proposedAction}) for ${esc(campaignName(e.snapshot))}: ${esc(e.reason)}`;

const confirmDialog = (title: string, text: string, yes: string) => ({
  title: { type: 'plain_text' as const, text: clip(title, 100) },
  text: { type: 'mrkdwn' as const, text: clip(text, 300) },
  confirm: { type: 'plain_text' as const, text: clip(yes, 30) },
  deny: { type: 'plain_text' as const, text: 'Cancel' },
});

/**
 * The two buttons of an escalation, answering its question and saying what they do (SPEC, Slack surface): a
 * proposed pause is red and confirmed; where the agent suspects its own data, the safe answer comes first as the
 * primary button. The action ids and values never change: `pacing_approve` / `pacing_reject`, the escalation id.
 * Used on the card and in App Home.
 */
export function escalationActions(e: Escalation): Block {
  const halt = e.proposedAction === 'halt';
  const members = e.batch ? standing(e.batch) : [];
  const n = members.length;
  const where = e.batch ? platformsOf(members, e.platform) : platformName(e.platform);
  const r = e.snapshot;
  const a = answers(e);
  const confirm = e.batch
    ? confirmDialog(
        `Pause ${plural(n, 'campaign')}${a.safeFirst ? ' anyway' : ''}?`,
        `${a.safeFirst ? 'The data looks faulty: check it first. ' : ''}This pauses ${plural(n, 'campaign')} on ${where} now (any already paused are skipped). Each can be resumed afterwards.`,
        `Pause all ${n}`,
      )
    : confirmDialog(
        'Pause this campaign?',
        // A confirm dialog's text is limited to 300 characters: a long name must not make Slack refuse the message.
        `This pauses ${clip(esc(r.campaignName ?? r.platformCampaignName ?? r.platformCampaignId ?? 'the campaign'), 180)} on ${where} now. It can be resumed afterwards.`,
        'Pause it',
      );
  const approve: Button = {
    type: 'button',
    action_id: APPROVE,
    value: e.id,
    style: halt ? 'danger' : 'primary',
    text: { type: 'plain_text', text: clip(a.yes, LIMITS.buttonText) },
    ...(halt ? { confirm } : {}),
  };
  const reject: Button = {
    type: 'button',
    action_id: REJECT,
    value: e.id,
    text: { type: 'plain_text', text: clip(a.no, LIMITS.buttonText) },
    ...(a.safeFirst ? { style: 'primary' as const } : {}),
  };
  return {
    type: 'actions',
    block_id: `escalation:${e.id}`,
    elements: a.safeFirst ? [reject, approve] : [approve, reject],
  };
}

type Button = Extract<types.ActionsBlock['elements'][number], { type: 'button' }>;
