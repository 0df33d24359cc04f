// One line about a finished run, for /pacing run's reply: how the campaigns pace, then what this run did apart from
// what stands (a pause made now is news; a campaign found paused or an unchanged alert is not).
import type { RunReport } from '../../agent/cycle.js';
import { moneyAtStakeText } from '../../domain/overview.js';
import { runCountsLine, runFigures } from '../../domain/run-counts.js';
import { esc } from './blocks.js';

/**
 * `opened`: the escalations this run opened (their runId is the run's). Without it, open questions are counted
 * as awaiting a decision, neither new nor old.
 */
export function summaryText(r: RunReport, opened?: ReadonlySet<string>): string {
  const s = r.summary;
  // The counts and money of the CLI's summary, the alert summary, the digest and the metrics (domain/run-counts.ts).
  const f = runFigures(r.results, opened);
  const n = s.rows + s.orphans;
  const plural = (k: number, one: string) => `${k} ${one}${k === 1 ? '' : 's'}`;
  return (
    `Run ${r.runId} done: ${plural(n, 'campaign')} — ${s.bySeverity.healthy} healthy, ${s.bySeverity.warning} warning, ${s.bySeverity.critical} critical. ` +
    runCountsLine(f.counts) +
    (f.moneyAtStake.length ? ` · At stake: ${esc(moneyAtStakeText(f.moneyAtStake))} off plan` : '') +
    (r.errors.length ? `; ${plural(r.errors.length, 'invalid tracker row')}` : '') +
    (r.platformErrors.length ? `; ${plural(r.platformErrors.length, 'platform data problem')}` : '') +
    '. `/pacing status` for details.'
  );
}
