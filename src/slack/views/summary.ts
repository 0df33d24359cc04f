// One line about a finished run, for /pacing run's reply.
import type { RunReport } from '../../agent/cycle.js';

export function summaryText(r: RunReport): string {
  const s = r.summary;
  const pending = r.results.filter((x) => x.status === 'awaiting_approval').length;
  return (
    `Run ${r.runId} done: ${s.rows + s.orphans} campaign${s.rows + s.orphans === 1 ? '' : 's'} — ${s.bySeverity.healthy} healthy, ${s.bySeverity.warning} warning, ${s.bySeverity.critical} critical; ` +
    `${s.byAction.halt} halted, ${s.byAction.alert} alerted, ${s.byAction.escalate} escalated (${pending} awaiting a decision)` +
    (r.errors.length ? `; ${r.errors.length} invalid tracker row(s)` : '') +
    (r.platformErrors.length ? `; ${r.platformErrors.length} platform data problem(s)` : '') +
    '. `/pacing status` for details.'
  );
}
