// Whether a run tells people about a row again (SPEC, No alert fatigue): a situation is posted once, and again
// only when what a person would do about it changed.
import type { Notice, ResultRow } from './records.js';

/** A variance that moved this many points since it was last posted is news again. */
export const VARIANCE_STEP = 5;

/** What was last posted about a campaign. */
export interface Announced {
  severity: string | null;
  action: string;
  pause: string | null;
  variancePct: number | null;
}

type Row = Pick<ResultRow, 'severity' | 'action' | 'pause' | 'variancePct'>;

/** A campaign the agent paused and one found paused are the same situation for the people reading. */
const pauseState = (p: string | null | undefined): string | null =>
  p === 'paused' || p === 'already_paused' ? 'paused' : (p ?? null);

/**
 * `new` when nothing was posted about it since it was last on plan; `changed` when its severity, action or
 * pause changed, or its variance moved VARIANCE_STEP points or more; `repeat` otherwise. A pause the agent made
 * this run is always news: each pause is posted once.
 */
export function noticeOf(last: Announced | undefined, row: Row): Notice {
  if (row.pause === 'paused') return 'new';
  if (!last) return 'new';
  if (last.severity !== row.severity || last.action !== row.action) return 'changed';
  if (pauseState(last.pause) !== pauseState(row.pause)) return 'changed';
  if ((last.variancePct === null) !== (row.variancePct === null)) return 'changed';
  if (
    last.variancePct !== null &&
    row.variancePct !== null &&
    Math.abs(row.variancePct - last.variancePct) >= VARIANCE_STEP
  )
    return 'changed';
  return 'repeat';
}

/** The state to remember once a row was posted. */
export const announced = (row: Row): Announced => ({
  severity: row.severity,
  action: row.action,
  pause: row.pause ?? null,
  variancePct: row.variancePct,
});
