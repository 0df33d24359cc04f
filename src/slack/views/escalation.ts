// The escalation message: everything an approver needs, and Approve / Reject buttons.
import type { Escalation, EscalationClosed } from '../../agent/ports.js';
import { type Block, campaignName, clip, context, esc, explanation, header, numbers, section } from './blocks.js';

export const APPROVE = 'pacing_approve';
export const REJECT = 'pacing_reject';

export function escalationBlocks(e: Escalation): Block[] {
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
  `Approval needed (${e.proposedAction}) for ${campaignName(e.snapshot)}: ${e.reason}`;
