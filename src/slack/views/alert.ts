// Alerts for warnings and halts, with a "Resume campaign" button on a halt so an approver can undo it.
import type { ResultRow } from '../../agent/ports.js';
import { formatPct } from '../../domain/money.js';
import { type Block, campaignName, context, esc, explanation, header, numbers, section } from './blocks.js';

export const RESUME_CAMPAIGN = 'pacing_resume_campaign';

export interface ResumeTarget {
  platform: string;
  platformCampaignId: string;
}

export const encodeResume = (t: ResumeTarget): string => JSON.stringify(t);

/** The headline of an alert: only a pause that took effect is called "Halted". */
export function alertTitle(r: ResultRow): { icon: string; title: string } {
  const name = r.campaignId ?? r.platformCampaignName ?? '';
  switch (r.pause) {
    case 'paused':
      return { icon: ':octagonal_sign:', title: `Halted: ${name}` };
    case 'would_pause':
      return { icon: ':test_tube:', title: `Would halt (dry run): ${name}` };
    case 'already_paused':
      return { icon: ':double_vertical_bar:', title: `Over plan, already paused: ${name}` };
    case 'failed':
      return { icon: ':rotating_light:', title: `Pause FAILED: ${name}` };
    default:
      return { icon: ':warning:', title: `Pacing ${r.severity ?? 'alert'}: ${name}` };
  }
}

export function alertBlocks(r: ResultRow): Block[] {
  const { icon, title } = alertTitle(r);
  const blocks: Block[] = [
    header(`${icon} ${title}`),
    section(
      `*${esc(campaignName(r))}*${r.ownerSlackId ? ` · owner <@${r.ownerSlackId}>` : ''}\n${esc(r.actionNote ?? r.reason)}`,
    ),
    numbers(r),
    ...explanation(r),
  ];
  // Undo is offered only for a pause the agent made; never for one it found or only simulated.
  const halted = r.pause === 'paused';
  if (halted && r.platformCampaignId) {
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
  `${esc(alertTitle(r).title)} — variance ${formatPct(r.variancePct)}, confidence ${r.confidence}`;
