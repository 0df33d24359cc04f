// How a campaign paced over its last runs: off plan how often, and whether that makes it a chronic offender.
import type { RunHistory, Severity } from './types.js';

/** At most this many runs count, and only those within this many days. */
export const HISTORY_RUNS = 10;
export const HISTORY_DAYS = 14;

export interface Pacing {
  severity: Severity | string | null;
  variancePct: number | null;
}

/**
 * The history of the earlier runs (oldest first) plus this one: off plan = warning or critical; chronic = at
 * least 3 off-plan runs and at least half of them.
 */
export function runHistory(earlier: readonly Pacing[], now: Pacing): RunHistory {
  const runs = [...earlier.slice(-(HISTORY_RUNS - 1)), now];
  const offPlanRuns = runs.filter((r) => r.severity === 'warning' || r.severity === 'critical').length;
  return {
    runs: runs.length,
    offPlanRuns,
    chronic: offPlanRuns >= 3 && offPlanRuns * 2 >= runs.length,
    variances: runs.map((r) => r.variancePct),
  };
}

/** One run's pacing, kept as text with the result: "ms|severity|variance". */
export function encodePacing(earlier: string | null, at: number, now: Pacing, since: number): string {
  const kept = (earlier ? earlier.split(';') : []).filter((e) => Number(e.slice(0, e.indexOf('|'))) > since);
  kept.push(`${at}|${now.severity ?? ''}|${now.variancePct ?? ''}`);
  return kept.slice(-HISTORY_RUNS).join(';');
}

/** The runs an encoded pacing holds after `since` (ms), oldest first. */
export function decodePacing(encoded: string | null, since: number): Pacing[] {
  if (!encoded) return [];
  const out: Pacing[] = [];
  for (const e of encoded.split(';')) {
    const [at, severity, variance] = e.split('|');
    if (!(Number(at) > since)) continue;
    out.push({ severity: severity ? severity : null, variancePct: variance ? Number(variance) : null });
  }
  return out;
}
