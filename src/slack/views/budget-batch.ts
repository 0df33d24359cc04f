// The question about daily-budget changes over MAX_AUTONOMOUS_BUDGET_CHANGES (SPEC, Steering budgets: Acting): one
// batch, each campaign's budget from → to, approving sets every change still standing. Not a pause or a flag.
import type { Escalation } from '../../domain/records.js';
import type { Answers } from './batch.js';
import { type Block, context, esc, header, section, slackDate } from './blocks.js';
import { changeList, changesMeta, type ListedChange, META_LEARNING_NOTE, rebalanceAnswers } from './budget.js';

/** The changes a batch of budget changes still proposes (a later run may have taken some out). */
export function budgetBatchChanges(e: Escalation): ListedChange[] | null {
  if (e.batch?.kind !== 'budget') return null;
  return e.batch.members.flatMap((m) =>
    m.dropped || !m.budget
      ? []
      : [
          {
            campaignId: m.campaignId ?? m.platformCampaignId ?? m.key,
            from: m.budget.from,
            to: m.budget.to,
            currency: m.budget.currency ?? m.currency,
          },
        ],
  );
}

/** "Set 3 daily budgets? More than the agent changes alone in one run" */
export function budgetBatchQuestion(changes: readonly ListedChange[]): { icon: string; title: string } {
  const n = changes.length;
  return {
    icon: ':moneybag:',
    title: `Set ${n} daily budget${n === 1 ? '' : 's'}? More than the agent changes alone in one run`,
  };
}

export const budgetBatchAnswers = (changes: readonly ListedChange[]): Answers => rebalanceAnswers({ changes });

/** The card: why the agent asks, each change, what the buttons do, then `actions` (null once decided). */
export function budgetBatchBlocks(e: Escalation, changes: readonly ListedChange[], actions: Block | null): Block[] {
  const q = budgetBatchQuestion(changes);
  const list = changeList(e, changes);
  const blocks: Block[] = [
    header(`${q.icon} ${q.title}`),
    section(`*Why:* ${esc(e.reason)}`),
    ...(list ? [section(list)] : []),
  ];
  if (changesMeta(e)) blocks.push(section(`:warning: ${META_LEARNING_NOTE}`));
  if (actions) {
    blocks.push(section(budgetBatchAnswers(changes).explain), actions);
    blocks.push(context([`Batch escalation \`${e.id}\` · expires ${slackDate(e.expiresAt)} · run ${e.runId}`]));
  } else {
    blocks.push(context([`Batch escalation \`${e.id}\` · run ${e.runId}`]));
  }
  return blocks;
}
