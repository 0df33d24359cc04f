// Finding what someone typed: a campaign in a run's results, the open question about a campaign, and the nearest
// ids when nothing matches. One home, so that Slack finds what the CLI finds.
import type { Escalation, ResultRow } from './records.js';
import { type Candidate, didYouMean } from './suggest.js';

type Named = Pick<ResultRow, 'campaignId' | 'campaignName' | 'platformCampaignId' | 'platformCampaignName'>;

/** How people know a campaign: the plan's name, else the platform's, else its platform id. */
const nameOf = (r: Named): string => r.campaignName ?? r.platformCampaignName ?? r.platformCampaignId ?? '—';

/** "ACM-M-005 (ACME | US | Basketball | Launch)"; an orphan: "meta campaign 2385… (its name)". */
export function campaignTitle(r: Named & Pick<ResultRow, 'platform'>): string {
  const id = r.campaignId ?? `${r.platform} campaign ${r.platformCampaignId ?? '?'}`;
  const name = nameOf(r);
  return name === id || name === r.platformCampaignId ? id : `${id} (${name})`;
}

/** By plan id or platform id exactly, else by a case-insensitive part of the plan id or either name. */
export function findCampaign<R extends Named>(results: readonly R[], query: string): R[] {
  const exact = results.filter((r) => r.campaignId === query || r.platformCampaignId === query);
  if (exact.length) return exact;
  const q = query.toLowerCase();
  return results.filter((r) =>
    [r.campaignId, r.campaignName, r.platformCampaignName].some((v) => v?.toLowerCase().includes(q)),
  );
}

/**
 * The one row `resume-campaign ACM-M-005` means: the plan campaign id exactly, else in any case, else a platform
 * campaign id. Never a part of a name: an undo acts on a platform, so it takes no guesses.
 */
export function findPlanCampaign<R extends Named>(results: readonly R[], query: string): R | null {
  const q = query.toLowerCase();
  return (
    results.find((r) => r.campaignId === query) ??
    results.find((r) => r.campaignId?.toLowerCase() === q) ??
    results.find((r) => r.platformCampaignId === query) ??
    null
  );
}

/** A result row as did-you-mean knows it: by plan id (an orphan: platform id), also by its names. */
export function campaignCandidates(results: readonly (Named & { key?: string })[]): Candidate[] {
  return results.map((r) => {
    const id = r.campaignId ?? r.platformCampaignId ?? r.key ?? '?';
    const name = nameOf(r);
    return { id, label: name === id ? null : name, aliases: [r.campaignName, r.platformCampaignName] };
  });
}

/** " Did you mean ACM-G-004 (Acme_NL_Outdoor_Awareness_Q4)?" for a campaign not found, or "". */
export const campaignHint = (query: string, results: readonly Named[]): string =>
  didYouMean(query, campaignCandidates(results));

/** What a question the approver typed for `approve` / `reject` stands for. */
export type QuestionLookup =
  /** An escalation id, or the one open question about the campaign typed. */
  | { kind: 'escalation'; id: string; campaign: string | null }
  /** A campaign with several open questions, or none: the message says which, or that there are none. */
  | { kind: 'ambiguous' | 'none'; message: string }
  /** Neither an escalation id nor a known campaign: the caller says so (with its own did-you-mean). */
  | { kind: 'unknown' };

/** Whether the open question `e` is about the campaign typed (plan id in any case, or platform id). */
function isAbout(e: Escalation, query: string): boolean {
  const q = query.toLowerCase();
  const members = e.batch
    ? e.batch.members.filter((m) => !m.dropped)
    : [{ campaignId: e.campaignId, platformCampaignId: e.platformCampaignId }];
  return members.some((m) => m.campaignId?.toLowerCase() === q || m.platformCampaignId === query);
}

/**
 * `approve ACM-M-005`: an escalation id stands for itself; a plan campaign id (or a platform campaign id) stands
 * for its one open question. Several open questions are listed for the approver to choose; none is said plainly.
 */
export function findQuestion(
  query: string,
  pending: readonly Escalation[],
  results: readonly (Named & Pick<ResultRow, 'platform'>)[],
): QuestionLookup {
  if (/^esc-/i.test(query)) return { kind: 'escalation', id: query, campaign: null };
  const open = pending.filter((e) => isAbout(e, query));
  const row = results.find(
    (r) => r.campaignId?.toLowerCase() === query.toLowerCase() || r.platformCampaignId === query,
  );
  const title = row ? campaignTitle(row) : query;
  if (open.length === 1) {
    const e = open[0] as Escalation;
    return { kind: 'escalation', id: e.id, campaign: title };
  }
  if (open.length > 1)
    return {
      kind: 'ambiguous',
      message: `${title} has ${open.length} open questions: ${open
        .map((e) => `${e.id} (proposes ${e.proposedAction}${e.batch ? `, ${e.batch.members.length} campaigns` : ''})`)
        .join(', ')}. Name the one you mean by its escalation id.`,
    };
  if (row) return { kind: 'none', message: `No open question about ${title}: there is nothing to decide.` };
  return { kind: 'unknown' };
}
