// Approve / Reject / Resume buttons and the optional reject reason. Each click: ack, check the clicker,
// claim the decision atomically (through the agent), and tell the clicker privately when nothing changed.
import type {
  AllMiddlewareArgs,
  BlockButtonAction,
  App as Bolt,
  RespondFn,
  SlackActionMiddlewareArgs,
} from '@slack/bolt';
import { z } from 'zod';
import { campaignTitle } from '../domain/lookup.js';
import type { Escalation } from '../domain/records.js';
import { asPacingError, PacingError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AgentApp } from '../wiring.js';
import { registerBudgetActions } from './budget-actions.js';
import { notApprover } from './commands.js';
import { publishHome } from './home.js';
import { RESUME_CAMPAIGN } from './views/alert.js';
import { esc } from './views/blocks.js';
import { APPROVE, REJECT } from './views/escalation.js';
import { subject } from './views/names.js';

export const REJECT_REASON_VIEW = 'pacing_reject_reason';

const EscalationId = z.string().regex(/^esc-[0-9a-f]{6,32}$/, 'not an escalation id');
const ResumeValue = z.object({
  platform: z.enum(['google', 'meta']),
  platformCampaignId: z.string().min(1).max(64),
});

type WebClient = AllMiddlewareArgs['client'];

const tell = (respond: RespondFn, text: string) =>
  respond({ response_type: 'ephemeral', replace_original: false, text });

export function registerActions(
  bolt: Bolt,
  app: AgentApp,
  log: Logger,
  kick: () => void,
  track: <T>(work: Promise<T>) => Promise<T> = (w) => w,
): void {
  const decide =
    (decision: 'approved' | 'overridden') =>
    async ({
      ack,
      body,
      action,
      respond,
      client,
    }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
      await ack();
      const user = body.user.id;
      // A click in App Home has no message and no response_url: the clicker's Home tab is republished instead,
      // with what happened (or why nothing did) at its top.
      const fromHome = body.view?.type === 'home';
      const reply = (text: string) =>
        fromHome
          ? publishHome(client, app, user, text).catch((err: unknown) =>
              log.warn({ err }, 'could not republish App Home after a click'),
            )
          : tell(respond, text);
      const id = EscalationId.safeParse(action.value);
      if (!id.success) {
        await reply('This button does not carry a valid escalation id; nothing was changed.');
        return;
      }
      if (!app.agent.mayDecide(user, 'slack')) {
        await reply(notApprover(app));
        return;
      }
      // The reason modal opens before the decision is taken: a click's trigger_id expires 3 s after it, and
      // the decision (a checkpoint round trip, perhaps a platform call) may take longer. Should the decision
      // then be refused, the modal is changed to say so.
      const modal =
        decision === 'overridden' && body.trigger_id
          ? await openReasonModal(client, body.trigger_id, id.data, log)
          : null;
      try {
        const e = await track(app.agent.decide(id.data, decision, user, null, 'slack'));
        kick();
        if (fromHome) await reply(decidedNotice(e, decision));
      } catch (err) {
        if (modal) await closeReasonModal(client, modal, err instanceof PacingError ? err.message : null, log);
        if (err instanceof PacingError) {
          await reply(err.message);
          return;
        }
        log.error({ err, escalationId: id.data }, 'decision failed');
        await reply(
          `Something went wrong recording your decision; it may not have been taken. Check with \`/pacing pending\`.`,
        );
      }
    };

  bolt.action<BlockButtonAction>(APPROVE, decide('approved'));
  bolt.action<BlockButtonAction>(REJECT, decide('overridden'));

  bolt.action<BlockButtonAction>(RESUME_CAMPAIGN, async ({ ack, body, action, respond }) => {
    await ack();
    const user = body.user.id;
    if (!app.agent.mayDecide(user, 'slack')) {
      await tell(respond, notApprover(app));
      return;
    }
    let target: z.infer<typeof ResumeValue>;
    try {
      target = ResumeValue.parse(JSON.parse(action.value ?? ''));
    } catch {
      await tell(respond, 'This button does not say which campaign to resume; nothing was changed.');
      return;
    }
    // People know the campaign by its plan id and name; the platform's id is only what the button carries.
    const row = await app.reads.campaignFor(target.platform, target.platformCampaignId);
    const title = esc(row ? campaignTitle(row) : `${target.platform} campaign ${target.platformCampaignId}`);
    try {
      const outcome = await track(app.agent.resumeCampaign(target.platform, target.platformCampaignId, user, 'slack'));
      const said = {
        resumed: `:arrow_forward: Resumed by <@${user}> at ${app.config.clock()}.`,
        already_enabled: `${title} was already running.`,
        would_resume: `Dry run: ${title} would have been resumed (PACING_MODE=dry-run).`,
      }[outcome];
      // The alert loses its button once the undo is done, and says who did it.
      const original = (body.message?.blocks ?? []) as { type: string }[];
      await respond(
        outcome === 'resumed' && original.length
          ? {
              replace_original: true,
              text: said,
              blocks: [
                ...original.filter((b) => b.type !== 'actions'),
                { type: 'context', elements: [{ type: 'mrkdwn', text: said }] },
              ] as never,
            }
          : { response_type: 'ephemeral', replace_original: false, text: said },
      );
    } catch (err) {
      // The agent's own refusals (nothing to undo, not an approver) are already sentences about the campaign.
      await tell(
        respond,
        err instanceof PacingError ? esc(err.message) : `Could not resume ${title}: ${esc(asPacingError(err).message)}`,
      );
    }
  });

  registerBudgetActions(bolt, app, track);

  bolt.view(REJECT_REASON_VIEW, async ({ ack, view, body }) => {
    await ack();
    const id = EscalationId.safeParse(view.private_metadata);
    const reason = view.state.values.reason?.reason?.value?.trim();
    if (!id.success || !reason) return;
    try {
      await app.agent.recordRejectionReason(id.data, body.user.id, reason, 'slack');
    } catch (err) {
      // Refused (not the approver who rejected it, or not rejected): nothing is stored.
      log.warn({ escalationId: id.data, user: body.user.id, err: asPacingError(err).message }, 'reject reason refused');
    }
  });
}

/** The line App Home shows its clicker after a decision taken there. */
function decidedNotice(e: Escalation, decision: 'approved' | 'overridden'): string {
  const what = decision === 'approved' ? ':white_check_mark: You approved' : ':no_entry_sign: You rejected';
  return `${what}: ${subject(e)}${e.outcomeDetail ? ` — ${esc(e.outcomeDetail)}` : ''}`;
}

/** Opens the reject-reason modal; the view's id, or null when Slack would not open it (the click goes on). */
async function openReasonModal(
  client: WebClient,
  triggerId: string,
  escalationId: string,
  log: Logger,
): Promise<string | null> {
  try {
    const res = await client.views.open({ trigger_id: triggerId, view: reasonModal(escalationId) });
    return res.view?.id ?? null;
  } catch (err) {
    log.info({ err, escalationId }, 'could not ask for a reject reason');
    return null;
  }
}

/** Replaces the reason modal of a rejection that was not taken: no reason is asked for what did not happen. */
async function closeReasonModal(client: WebClient, viewId: string, why: string | null, log: Logger): Promise<void> {
  const text = why ?? 'Something went wrong recording your decision; it may not have been taken.';
  await client.views
    .update({
      view_id: viewId,
      view: {
        type: 'modal',
        title: { type: 'plain_text', text: 'Not rejected' },
        close: { type: 'plain_text', text: 'Close' },
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: esc(text) } }],
      },
    })
    .catch((err: unknown) => log.info({ err, viewId }, 'could not update the reject-reason modal'));
}

function reasonModal(escalationId: string) {
  return {
    type: 'modal' as const,
    callback_id: REJECT_REASON_VIEW,
    private_metadata: escalationId,
    title: { type: 'plain_text' as const, text: 'Rejected' },
    submit: { type: 'plain_text' as const, text: 'Save reason' },
    close: { type: 'plain_text' as const, text: 'Skip' },
    blocks: [
      {
        type: 'input' as const,
        block_id: 'reason',
        optional: true,
        label: { type: 'plain_text' as const, text: 'Why? (optional, for the audit trail)' },
        element: { type: 'plain_text_input' as const, action_id: 'reason', multiline: true, max_length: 2_000 },
      },
    ],
  };
}
