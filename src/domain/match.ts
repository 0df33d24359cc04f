// One-to-one reconciliation of plan rows with platform campaigns: pinned ids, then best name pairs first.
import { normaliseName, similarity } from './normalise.js';
import type { PlanRow, Platform, PlatformCampaign } from './types.js';

export const MIN_NAME_SIMILARITY = 0.5;

export interface Match {
  row: PlanRow;
  campaign: PlatformCampaign;
  by: 'pinned_id' | 'name';
  /** Name similarity of the pair (0–1), on normalised names. */
  similarity: number;
}

export interface Unmatched {
  row: PlanRow;
  reason: 'pinned_id_not_listed' | 'no_similar_name';
  /** The closest campaign left over on the same platform, when there is one. */
  closest: { id: string; name: string; similarity: number } | null;
}

export interface Reconciliation {
  matches: Match[];
  unmatched: Unmatched[];
  /** Campaigns with spend that no plan row claims. */
  orphans: PlatformCampaign[];
  /** Levenshtein evaluations made, for the benchmark. */
  comparisons: number;
}

interface Candidate {
  row: number;
  campaign: number;
  similarity: number;
}

/**
 * Matches plan rows to campaigns on the same platform, one to one.
 *
 * The reference behaviour is "best pairs first": every (row, campaign) pair with similarity ≥ 0.5, taken in
 * order of similarity (ties: plan order, then platform order) while both sides are free. Exact normalised
 * names have similarity 1, so taking them first in the same tie order makes the same pairs; the fuzzy pass
 * then only sees what is left. Pairs whose lengths differ by more than half can never reach 0.5 and are
 * skipped without computing a distance. Markets are not used to block: a renamed campaign whose market
 * label differs would then be matched differently from the reference.
 */
export function reconcile(plan: readonly PlanRow[], campaigns: readonly PlatformCampaign[]): Reconciliation {
  const result: Reconciliation = { matches: [], unmatched: [], orphans: [], comparisons: 0 };
  const platforms = new Set<Platform>([...plan.map((r) => r.platform), ...campaigns.map((c) => c.platform)]);
  for (const platform of platforms) {
    reconcilePlatform(
      platform,
      plan.filter((r) => r.platform === platform),
      campaigns.filter((c) => c.platform === platform),
      result,
    );
  }
  result.matches.sort((a, b) => a.row.line - b.row.line);
  result.unmatched.sort((a, b) => a.row.line - b.row.line);
  return result;
}

function reconcilePlatform(
  platform: Platform,
  plan: PlanRow[],
  campaigns: PlatformCampaign[],
  out: Reconciliation,
): void {
  const taken = new Array<boolean>(campaigns.length).fill(false);
  const byId = new Map<string, number>();
  campaigns.forEach((c, i) => {
    if (!byId.has(c.id)) byId.set(c.id, i);
  });
  const names = campaigns.map((c) => normaliseName(c.name));

  // Pinned ids: never fall back to names.
  const byName: number[] = [];
  plan.forEach((row, r) => {
    if (row.platformCampaignId === null) {
      byName.push(r);
      return;
    }
    const i = byId.get(row.platformCampaignId);
    if (i === undefined || taken[i]) {
      out.unmatched.push({ row, reason: 'pinned_id_not_listed', closest: null });
      return;
    }
    taken[i] = true;
    const campaign = campaigns[i] as PlatformCampaign;
    out.matches.push({
      row,
      campaign,
      by: 'pinned_id',
      similarity: similarity(normaliseName(row.campaignName), names[i] as string),
    });
  });

  // Exact normalised names, in plan order, each taking the first free campaign of that name.
  const exact = new Map<string, number[]>();
  names.forEach((n, i) => {
    if (taken[i]) return;
    const list = exact.get(n);
    if (list) list.push(i);
    else exact.set(n, [i]);
  });
  const rowNames = plan.map((r) => normaliseName(r.campaignName));
  const left: number[] = [];
  for (const r of byName) {
    const list = exact.get(rowNames[r] as string);
    const i = list?.find((c) => !taken[c]);
    if (i === undefined) {
      left.push(r);
      continue;
    }
    taken[i] = true;
    out.matches.push({
      row: plan[r] as PlanRow,
      campaign: campaigns[i] as PlatformCampaign,
      by: 'name',
      similarity: 1,
    });
  }

  // Fuzzy: all remaining pairs that can reach the threshold, best first.
  const free = campaigns.map((_, i) => i).filter((i) => !taken[i]);
  const pairs = fuzzyPairs(
    platform,
    left.map((r) => rowNames[r] as string),
    free.map((c) => names[c] as string),
  );
  out.comparisons += pairs.comparisons;
  const candidates: Candidate[] = [];
  for (let k = 0; k < pairs.similarity.length; k++)
    candidates.push({
      row: left[pairs.row[k] as number] as number,
      campaign: free[pairs.campaign[k] as number] as number,
      similarity: pairs.similarity[k] as number,
    });
  const rowDone = new Set<number>();
  for (const cand of candidates) {
    if (rowDone.has(cand.row) || taken[cand.campaign]) continue;
    rowDone.add(cand.row);
    taken[cand.campaign] = true;
    out.matches.push({
      row: plan[cand.row] as PlanRow,
      campaign: campaigns[cand.campaign] as PlatformCampaign,
      by: 'name',
      similarity: cand.similarity,
    });
  }

  const stillFree = campaigns.map((_, i) => i).filter((i) => !taken[i]);
  for (const r of left) {
    if (rowDone.has(r)) continue;
    out.unmatched.push({
      row: plan[r] as PlanRow,
      reason: 'no_similar_name',
      closest: closest(rowNames[r] as string, stillFree, campaigns, names),
    });
  }
  for (const i of stillFree) {
    const c = campaigns[i] as PlatformCampaign;
    if (c.spend > 0) out.orphans.push(c);
  }
}

/** Pairs at or above the threshold, by position in the two lists, best first (ties: row, then campaign). */
interface FuzzyPairs {
  row: Int32Array;
  campaign: Int32Array;
  similarity: Float64Array;
  /** Distances computed to find them (the previous run's count when they were remembered). */
  comparisons: number;
}

/**
 * The fuzzy pass's scoring, remembered per platform: names left over after the exact pass are the same run
 * after run (a server runs every hour on the same tracker and accounts), and scoring every pair of them is
 * tens of thousands of distances. Reused only when both lists are the same names in the same order.
 */
const lastFuzzy = new Map<Platform, { key: string; pairs: FuzzyPairs }>();

function fuzzyPairs(platform: Platform, rows: readonly string[], free: readonly string[]): FuzzyPairs {
  // Each name quoted: names may be empty (only separators) or hold anything, and two lists must never read alike.
  const key = JSON.stringify([rows, free]);
  const known = lastFuzzy.get(platform);
  if (known?.key === key) return known.pairs;
  const found: Candidate[] = [];
  let comparisons = 0;
  rows.forEach((a, r) => {
    free.forEach((b, c) => {
      const longer = Math.max(a.length, b.length);
      if (longer > 0 && Math.min(a.length, b.length) / longer < MIN_NAME_SIMILARITY) return;
      comparisons++;
      const s = similarity(a, b);
      if (s >= MIN_NAME_SIMILARITY) found.push({ row: r, campaign: c, similarity: s });
    });
  });
  found.sort((x, y) => y.similarity - x.similarity || x.row - y.row || x.campaign - y.campaign);
  const pairs: FuzzyPairs = {
    row: Int32Array.from(found, (f) => f.row),
    campaign: Int32Array.from(found, (f) => f.campaign),
    similarity: Float64Array.from(found, (f) => f.similarity),
    comparisons,
  };
  lastFuzzy.set(platform, { key, pairs });
  return pairs;
}

function closest(name: string, free: number[], campaigns: PlatformCampaign[], names: string[]): Unmatched['closest'] {
  let best: Unmatched['closest'] = null;
  for (const i of free) {
    const s = similarity(name, names[i] as string);
    if (best === null || s > best.similarity) {
      const c = campaigns[i] as PlatformCampaign;
      best = { id: c.id, name: c.name, similarity: s };
    }
  }
  return best;
}
