// Alerts for warnings and halts, with a "Resume campaign" button on a halt so an approver can undo it.
import type { ResultRow } from '../../agent/ports.js';
import { formatPct } from '../../domain/money.js';
import { type Block, campaignName, context, esc, explanation, header, numbers, section } from './blocks.js';

export const RESUME_CAMPAIGN = 'pacing_resume_campaign';

export interface ResumeTarget {
  platform: string;
  platformCampaignId: string;
  campaignId: string | null;
}

export const encodeResume = (t: ResumeTarget): string => JSON.stringify(t);

export function alertBlocks(r: ResultRow): Block[] {
  const halted = r.action === 'halt' || (r.proposedAction === 'halt' && r.status === 'approved');
  const title = halted
    ? `Halted: ${r.campaignId ?? r.platformCampaignName ?? ''}`
    : `Pacing ${r.severity ?? 'alert'}: ${r.campaignId ?? ''}`;
  const blocks: Block[] = [
    header(`${halted ? ':octagonal_sign:' : ':warning:'} ${title}`),
    section(
      `*${esc(campaignName(r))}*${r.ownerSlackId ? ` · owner <@${r.ownerSlackId}>` : ''}\n${esc(r.actionNote ?? r.reason)}`,
    ),
    numbers(r),
    ...explanation(r),
  ];
  if (halted && r.platformCampaignId && r.platformStatus !== null) {
    blocks.push({
      type: 'actions',
      block_id: `resume:${r.platform}:${r.platformCampaignId}`.slice(0, 255),
      elements: [
        {
          type: 'button',
          action_id: RESUME_CAMPAIGN,
          text: { type: 'plain_text', text: 'Resume campaign' },
          value: encodeResume({
            platform: r.platform,
            platformCampaignId: r.platformCampaignId,
            campaignId: r.campaignId,
          }),
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
  blocks.push(context([`Run ${r.runId}${r.escalationId ? ` · escalation \`${r.escalationId}\`` : ''}`]));
  return blocks;
}

export const alertText = (r: ResultRow): string =>
  `${r.action === 'halt' ? 'Halted' : 'Pacing alert'}: ${campaignName(r)} — variance ${formatPct(r.variancePct)}, confidence ${r.confidence}`;
