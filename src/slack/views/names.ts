// How messages name things for people: the plan's campaign name first (its id after), what an escalation asks,
// how long something has waited, counts with their noun. Shared by the digest, App Home and the click replies.
import type { Escalation, ResultRow } from '../../domain/records.js';
import { esc, escClip } from './blocks.js';
import { question as cardQuestion } from './escalation.js';

/** What an escalation proposes, as a noun: "a pause", "a budget change". */
export const PROPOSES: Record<Escalation['proposedAction'], string> = {
  halt: 'a pause',
  alert: 'an alert',
  budget: 'a budget change',
  rebalance: 'a rebalance',
};

export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

/** The plan's campaign name first (what buyers call it), its id after; an orphan by its platform name. */
export function rowName(
  r: Pick<ResultRow, 'campaignId' | 'campaignName' | 'platformCampaignName' | 'platformCampaignId'>,
): string {
  if (!r.campaignId) return `Unplanned: ${escClip(r.platformCampaignName ?? r.platformCampaignId ?? '?', 70)}`;
  const id = escClip(r.campaignId, 30);
  return r.campaignName ? `${escClip(r.campaignName, 70)} (${id})` : id;
}

/** "26 h", "3 days", "40 min": how long something has waited. */
export function age(fromIso: string, toIso: string): string {
  const min = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 60_000));
  if (min < 90) return plural(min, 'min', 'min');
  const h = Math.round(min / 60);
  return h < 48 ? `${h} h` : plural(Math.round(h / 24), 'day');
}

/** What an escalation is about: its campaign, or how many a batch gathers. */
export const subject = (e: Escalation): string =>
  e.batch ? plural(e.batch.members.filter((m) => !m.dropped).length, 'campaign') : rowName(e.snapshot);

/** What an escalation asks, in a few words (mrkdwn): the same question its card asks. */
export const question = (e: Escalation): string => esc(cardQuestion(e).title);
