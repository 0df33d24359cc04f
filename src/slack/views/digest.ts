// The digest message: runs, severities, actions, pending and expired escalations, biggest variances.

import { formatPct } from '../../domain/money.js';
import type { Digest } from '../digest.js';
import { type Block, campaignName, context, esc, header, section, severityIcon, withinLimits } from './blocks.js';

const LIST = 10;

export function digestBlocks(d: Digest): Block[] {
  const a = d.actions;
  const s = d.latest;
  const blocks: Block[] = [
    header('Pacing digest'),
    section(
      `*${d.runs}* run(s) since ${d.since ?? 'the start'}.` +
        (s
          ? `\nLatest run: ${severityIcon('healthy')} ${s.bySeverity.healthy} healthy · ${severityIcon('warning')} ${s.bySeverity.warning} warning · ${severityIcon('critical')} ${s.bySeverity.critical} critical · ${s.bySeverity.none} without variance`
          : ''),
    ),
    section(
      `*Actions:* ${a.paused} paused · ${a.alerts} alerts · ${a.escalated} escalated · ${a.approved} approved · ${a.overridden} overridden · ${a.expired} expired · ${a.resumed} resumed`,
    ),
  ];
  if (d.biggest.length) {
    blocks.push(
      section(
        `*Biggest variances*\n${d.biggest.map((r) => `${severityIcon(r.severity)} ${esc(campaignName(r))}: *${formatPct(r.variancePct)}* (${r.action}, ${r.status.replace('_', ' ')})`).join('\n')}`,
      ),
    );
  }
  blocks.push(
    section(
      d.pending.length
        ? `*Awaiting a decision (${d.pending.length})*\n${d.pending
            .slice(0, LIST)
            .map(
              (e) =>
                `• \`${e.id}\` ${esc(campaignName(e.snapshot))} — proposes ${e.proposedAction}, expires ${e.expiresAt}`,
            )
            .join(
              '\n',
            )}${d.pending.length > LIST ? `\n…and ${d.pending.length - LIST} more (\`/pacing pending\`)` : ''}`
        : 'Nothing awaits a decision.',
    ),
  );
  if (d.expired.length) {
    blocks.push(
      section(
        `*Expired without a decision (${d.expired.length})* — logged, nothing paused\n${d.expired
          .slice(0, LIST)
          .map((e) => `• \`${e.id}\` ${esc(campaignName(e.snapshot))} (proposed ${e.proposedAction})`)
          .join('\n')}`,
      ),
    );
  }
  blocks.push(context([`${d.since ?? 'start'} → ${d.until}`]));
  return withinLimits(blocks, (n) => `${n} more blocks left out.`);
}
