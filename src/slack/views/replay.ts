// `/pacing replay KEY=VALUE…`: what the latest runs would have done under other settings, as one ephemeral answer.
import type { ReplayReport } from '../../agent/replay.js';
import { formatMoney } from '../../domain/money.js';
import { type ActionCounts, changeCounts } from '../../domain/replay.js';
import { type Block, context, escClip, header, section, slackDate } from './blocks.js';

/** Runs listed one a line (the latest); changes listed from the latest run (most at stake first). */
export const RUNS_LISTED = 10;
export const CHANGES_LISTED = 10;

const settingsText = (r: ReplayReport): string => {
  const set = Object.entries(r.settings).map(([k, v]) => `${k}=${v}`);
  return set.length ? set.join(', ') : "today's settings";
};

export function replayBlocks(r: ReplayReport): Block[] {
  const blocks: Block[] = [header(`Replay with ${settingsText(r)}`)];
  if (r.runs.length === 0) {
    blocks.push(
      section(
        r.skipped.length
          ? 'None of the chosen runs could be replayed (see below).'
          : 'No completed run to replay yet: start one with `/pacing run`.',
      ),
    );
  } else {
    const then = sum(r.runs.map((x) => x.then));
    const now = sum(r.runs.map((x) => x.now));
    const first = r.runs[0]?.startedAt;
    const last = r.runs[r.runs.length - 1]?.startedAt;
    blocks.push(
      section(
        `*${changesText(r)}* over the last ${count(r.runs.length, 'run')} (${slackDate(first)} to ${slackDate(last)}).\n${countsLine(then, now)}`,
      ),
    );
    const lines = r.runs
      .slice(-RUNS_LISTED)
      .reverse()
      .map((x) => `• ${slackDate(x.startedAt)} — ${countsLine(x.then, x.now)} · ${x.changed.length} changed`);
    blocks.push(section(lines.join('\n')));
    const latest = r.runs[r.runs.length - 1];
    if (latest && latest.changed.length > 0) {
      const shown = latest.changed.slice(0, CHANGES_LISTED).map((c) => {
        const id = c.campaignId ?? `${c.platform} ${c.platformCampaignId ?? ''}`;
        const now = c.proposedAction ? `ask (proposes ${WORD[c.proposedAction] ?? c.proposedAction})` : WORD[c.now];
        const name = c.campaignName ? ` ${escClip(c.campaignName, 60)}` : '';
        return `• *${escClip(id, 60)}*${name}: ${WORD[c.then]} → ${now}, ${formatMoney(c.atStake, c.currency)} at stake`;
      });
      const more = latest.changed.length - shown.length;
      blocks.push(
        section(
          `*In the latest run, most at stake first:*\n${shown.join('\n')}${more > 0 ? `\n…and ${more} more (\`npx pacing replay --json\` lists them all).` : ''}`,
        ),
      );
    }
  }
  if (r.skipped.length > 0) {
    const reasons = [...new Set(r.skipped.map((s) => s.reason))];
    blocks.push(
      section(
        `*${r.skipped.length} ${r.skipped.length === 1 ? 'run' : 'runs'} could not be replayed:* ${escClip(reasons.join('; '), 1500)}.`,
      ),
    );
  }
  blocks.push(context(['Nothing was changed: a replay decides stored runs again and does not act.']));
  return blocks;
}

/** Each action as a person says what the agent does. */
const WORD: Record<string, string> = { log: 'log', alert: 'alert', escalate: 'ask', halt: 'pause' };

const count = (n: number, one: string): string => `${n} ${n === 1 ? one : `${one}s`}`;

/** "8 campaigns would change (24 decisions)": each campaign once, however many runs it changes in. */
function changesText(r: ReplayReport): string {
  const { campaigns, decisions } = changeCounts(r.runs);
  return `${count(campaigns, 'campaign')} would change${r.runs.length > 1 ? ` (${count(decisions, 'decision')})` : ''}`;
}

/**
 * "Pause decided 3 → 0 · asked 6 → 14 · alerted 6 → 1 · logged 6 → 6": a halt decided, not a pause made (a
 * campaign already paused is not paused again).
 */
function countsLine(then: ActionCounts, now: ActionCounts): string {
  return [
    `pause decided ${then.halt} → ${now.halt}`,
    `asked ${then.escalate} → ${now.escalate}`,
    `alerted ${then.alert} → ${now.alert}`,
    `logged ${then.log} → ${now.log}`,
  ].join(' · ');
}

function sum(all: readonly ActionCounts[]): ActionCounts {
  const out: ActionCounts = { log: 0, alert: 0, escalate: 0, halt: 0 };
  for (const c of all) for (const k of Object.keys(out) as (keyof ActionCounts)[]) out[k] += c[k];
  return out;
}

/** The text beside the blocks (notifications, screen readers). */
export function replayText(r: ReplayReport): string {
  return `Replay with ${settingsText(r)}: ${changesText(r)} over ${count(r.runs.length, 'run')}`;
}
