// Plan rows that describe the same campaign twice (same name and metadata, under different campaign ids): which
// one is the plan cannot be told, so neither is matched — the first is not silently preferred.
import { normaliseName } from '../domain/normalise.js';
import type { PlanRow } from '../domain/types.js';

/** Each row that has a twin, by line, with the lines of its twins. Rows pinned to a platform id are never twins. */
export function twinRows(rows: readonly PlanRow[]): Map<number, number[]> {
  const groups = new Map<string, PlanRow[]>();
  for (const r of rows) {
    if (r.platformCampaignId !== null) continue;
    const key = [
      r.platform,
      normaliseName(r.campaignName),
      r.market.toLowerCase(),
      r.product.toLowerCase(),
      r.startDate,
      r.endDate,
    ].join('\u0000');
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  const out = new Map<number, number[]>();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    for (const r of group)
      out.set(
        r.line,
        group.filter((o) => o !== r).map((o) => o.line),
      );
  }
  return out;
}
