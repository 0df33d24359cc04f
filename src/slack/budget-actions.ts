// The "Restore budget" button: puts back the daily budget from before the agent's last change, through the agent
// (which checks, acts on the platform, reads back and audits); Slack only translates the click and the answer.
import type { BlockButtonAction, App as Bolt, RespondFn } from '@slack/bolt';
import { z } from 'zod';
import type { BudgetRestored } from '../agent/restore-budget.js';
import { formatMoney } from '../domain/money.js';
import { asPacingError, PacingError } from '../errors.js';
import type { AgentApp } from '../wiring.js';
import { notApprover } from './commands.js';
import { esc } from './views/blocks.js';
import { RESTORE_BUDGET, restoreBlockId } from './views/budget.js';

const CampaignId = z.string().min(1).max(200);

const tell = (respond: RespondFn, text: string) =>
  respond({ response_type: 'ephemeral', replace_original: false, text });

/** The agent's answer in words, as the card's last line. */
function answerText(r: BudgetRestored, user: string, at: string): string {
  const money = (v: number) => formatMoney(v, r.currency);
  const closed = r.closed ? ` The open budget question \`${esc(r.closed)}\` is closed.` : '';
  return (
    {
      changed: `:leftwards_arrow_with_hook: Daily budget restored to ${money(r.to)} (was ${money(r.from)}) by <@${user}> at ${at}.`,
      unchanged: `The daily budget already was ${money(r.to)}; nothing was changed.`,
      would_change: `Dry run: the daily budget would be restored to ${money(r.to)} (PACING_MODE=dry-run).`,
    }[r.outcome] + closed
  );
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
    try {
      // The value is only a plan campaign id: the agent looks the campaign and its last change up itself.
      const restored = await track(app.agent.restoreBudget({ campaignId: id.data }, user, 'slack'));
      const said = answerText(restored, user, app.config.clock());
      // The card loses that campaign's button once the undo is done (a card of several keeps the others'), and
      // says who did it.
      const original = (body.message?.blocks ?? []) as { type: string; block_id?: string }[];
      await respond(
        restored.outcome === 'changed' && original.length
          ? {
              replace_original: true,
              text: said,
              blocks: [
                ...original.filter((b) => !(b.type === 'actions' && b.block_id === restoreBlockId(id.data))),
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
          : `Could not restore the budget of ${esc(id.data)}: ${esc(asPacingError(err).message)}`,
      );
    }
  });
}
