// What a result row says once the agent and people have acted on it: whether the campaign stands paused (paused
// by the agent, found paused, or an approved pause), and its forecast then — a paused flight spends no more.
import { pausedForecast } from './forecast.js';
import type { ResultRow } from './records.js';

/**
 * The early-flight guard held the row: the flight is hours old, so its rate so far (often nothing) says nothing
 * about where it ends, and a forecast from it would contradict "too early to judge".
 */
export const tooEarlyToJudge = (r: Pick<ResultRow, 'rootCause'>): boolean =>
  r.rootCause.some((c) => c.code === 'guard_early_flight');

type Row = Pick<ResultRow, 'platformStatus' | 'action' | 'proposedAction'> &
  Partial<Pick<ResultRow, 'pause' | 'status'>>;

/** The campaign is paused on the platform as far as the agent knows: its pause, one it found, or an approved one. */
export function standsPaused(r: Row): boolean {
  if (r.pause === 'paused' || r.pause === 'already_paused' || r.platformStatus === 'PAUSED') return true;
  return r.status === 'approved' && (r.proposedAction === 'halt' || r.action === 'halt');
}

/**
 * The row as it stands: a paused campaign's forecast is its spend so far. The row itself when nothing changes
 * (most rows), so reading 10,000 rows copies none of them.
 */
export function asItStands(r: ResultRow): ResultRow {
  const f = r.forecast;
  if (!f || f.dailyRunRate === 0 || r.actualSpend === null || !standsPaused(r)) return r;
  return { ...r, forecast: pausedForecast(f, r.actualSpend) };
}
