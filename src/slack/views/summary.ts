// One line about a finished run, for /pacing run's reply: how the campaigns pace, then what this run did apart from
// what stands (a pause made now is news; a campaign found paused or an unchanged alert is not).
import type { RunReport } from '../../agent/cycle.js';
import { runCounts, runCountsLine } from '../../domain/run-counts.js';

/**
 * `opened`: the escalations this run opened (their runId is the run's). Without it, open questions are counted
 * as awaiting a decision, neither new nor old.
 */
export function summaryText(r: RunReport, opened?: ReadonlySet<string>): string {
  const s = r.summary;
  const n = s.rows + s.orphans;
  const plural = (k: number, one: string) => `${k} ${one}${k === 1 ? '' : 's'}`;
  return (
    `Run ${r.runId} done: ${plural(n, 'campaign')} — ${s.bySeverity.healthy} healthy, ${s.bySeverity.warning} warning, ${s.bySeverity.critical} critical. ` +
    runCountsLine(runCounts(r.results, opened)) +
    (r.errors.length ? `; ${plural(r.errors.length, 'invalid tracker row')}` : '') +
    (r.platformErrors.length ? `; ${plural(r.platformErrors.length, 'platform data problem')}` : '') +
    '. `/pacing status` for details.'
  );
}
