// The "Restore budget" button: puts back the daily budget from before the agent's last change, through the agent
// (which checks, acts on the platform, reads back and audits); Slack only translates the click and the answer.
import type { BlockButtonAction, App as Bolt, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import { PacingError } from '../errors.js';
import type { AgentApp } from '../wiring.js';
import { notApprover } from './commands.js';
import { esc } from './views/blocks.js';
import { RESTORE_BUDGET } from './views/budget.js';

/**
 * What the button needs of the agent: SPEC's undo, `restore-budget <campaign-id> --user <id>`. Its answer is
 * whatever the agent reports (a sentence, or an outcome with one); a refusal is a thrown PacingError.
 */
export interface BudgetRestorer {
  restoreBudget(campaignId: string, actor: string): Promise<unknown>;
}

const CampaignId = z.string().min(1).max(200);

const tell = (respond: RespondFn, text: string) =>
  respond({ response_type: 'ephemeral', replace_original: false, text });

/** The agent's restore, when this build of the agent has one. */
export function restorerOf(agent: unknown): BudgetRestorer | null {
  const a = agent as Partial<BudgetRestorer> | null;
  return a && typeof a.restoreBudget === 'function' ? (a as BudgetRestorer) : null;
}

/** The agent's answer in words: its own sentence when it gives one, else a plain "restored". */
function answerText(outcome: unknown, user: string, at: string): string {
  if (typeof outcome === 'string' && outcome.trim()) return esc(outcome);
  const o = outcome as { detail?: unknown; message?: unknown } | null;
  const said = typeof o?.detail === 'string' ? o.detail : typeof o?.message === 'string' ? o.message : null;
  return said ? esc(said) : `:leftwards_arrow_with_hook: Budget restored by <@${user}> at ${at}.`;
}

export function registerBudgetActions(
  bolt: Bolt,
  app: AgentApp,
  track: <T>(work: Promise<T>) => Promise<T> = (w) => w,
): void {
  bolt.action<BlockButtonAction>(RESTORE_BUDGET, async ({ ack, body, action, respond }) => {
    await ack();
    const user = body.user.id;
    if (!app.agent.mayDecide(user, 'slack')) {
      await tell(respond, notApprover(app));
      return;
    }
    const id = CampaignId.safeParse(action.value);
    if (!id.success) {
      await tell(respond, 'This button does not say which campaign to restore; nothing was changed.');
      return;
    }
    const restorer = restorerOf(app.agent);
    if (!restorer) {
      await tell(respond, 'Restoring a budget is not available in this version; nothing was changed.');
      return;
    }
    try {
      const said = answerText(await track(restorer.restoreBudget(id.data, user)), user, app.config.clock());
      // The card loses its button once the undo is done, and says who did it.
      const original = (body.message?.blocks ?? []) as { type: string; block_id?: string }[];
      await respond(
        original.length
          ? {
              replace_original: true,
              text: said,
              blocks: [
                ...original.filter((b) => !(b.type === 'actions' && b.block_id?.startsWith('restore_budget:'))),
                { type: 'context', elements: [{ type: 'mrkdwn', text: said }] },
              ] as never,
            }
          : { response_type: 'ephemeral', replace_original: false, text: said },
      );
    } catch (err) {
      await tell(
        respond,
        err instanceof PacingError
          ? esc(err.message)
          : `Could not restore the budget of ${esc(id.data)}: ${esc(err instanceof Error ? err.message : String(err))}`,
      );
    }
  });
}
