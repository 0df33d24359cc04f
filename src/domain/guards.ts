// The guards that need only the row (SPEC, Safety guards 1–4): early flight, unknown currency, stale data,
// low confidence on zero delivery. Pure; the policy applies them before anything run-wide.
import type { Assessment } from './assess.js';
import { msOf } from './calendar.js';
import { dataAgeHours } from './confidence.js';
import { startOfDay } from './forecast.js';
import { mitigate } from './mitigation.js';
import { round2 } from './money.js';
import { type Cause, type CauseCode, PLATFORM_NAME, type ProposedAction } from './types.js';

export interface GuardSettings {
  confidence: number;
  freshnessHours: number;
  /** Guard 1's opt-out: zero delivery pauses at any confidence (the seed's literal matrix row). */
  zeroDeliveryAnyConfidence: boolean;
  earlyFlightHours: number;
  dataFaultShare: number;
  maxAutonomousHalts: number;
  maxOrphanEscalations: number;
  humanDecisionHours: number;
}

export const DEFAULT_GUARDS: Omit<GuardSettings, 'confidence' | 'freshnessHours'> = {
  zeroDeliveryAnyConfidence: false,
  earlyFlightHours: 24,
  dataFaultShare: 0.5,
  maxAutonomousHalts: 20,
  maxOrphanEscalations: 20,
  humanDecisionHours: 72,
};

const HOUR_MS = 3_600_000;

/** Marks a row as held back by a guard: its cause (with mitigation) is added; the policy also counts it. */
export type Guard = (a: Assessment, code: CauseCode, message: string, evidence: Cause['evidence']) => Assessment;

/** Guards that need only the row: early flight, unknown currency, stale data, low confidence on zero delivery. */
export function guardRow(a: Assessment, s: GuardSettings, now: string, guard: Guard = plainGuard): Assessment {
  if (a.campaignId === null || a.platformCampaignId === null) return a;
  const proposesHalt = a.action === 'halt' || (a.action === 'escalate' && a.proposedAction === 'halt');
  let row = a;

  // Guard 3: in its first hours a flight has not had time to deliver; under-delivery is never halted. The row goes
  // on to the other guards: an early flight in money that cannot be compared is still asked about, not alerted.
  const started = hoursIntoFlight(a, now);
  const under = a.zeroDelivery || (a.variancePct !== null && a.variancePct < 0);
  if (proposesHalt && under && started !== null && started < s.earlyFlightHours) {
    const age = started < 0 ? 'has not started yet' : `started ${round2(started)} h ago`;
    row = guard(
      { ...a, action: 'alert', proposedAction: null },
      'guard_early_flight',
      `Too early to judge: the flight ${age} (EARLY_FLIGHT_HOURS ${s.earlyFlightHours}); not paused.`,
      {
        startDate: a.startDate,
        timeZone: a.timeZone ?? 'UTC',
        hoursSinceStart: round2(started),
        earlyFlightHours: s.earlyFlightHours,
      },
    );
    row.reason = `Too early to judge: the flight ${age}, so under-delivery is only reported. ${a.reason}`;
  }
  const wouldHalt = row.action === 'halt' || (row.action === 'escalate' && row.proposedAction === 'halt');

  // Guard 4: spend in a stated currency against a plan that states none cannot be compared safely: nothing is
  // done alone. A row within tolerance is only logged (saying so): asking approvers about campaigns on plan
  // would bury the questions that matter.
  if (a.planCurrency === null && a.platformCurrency !== null) {
    const acts = row.action === 'alert' || row.action === 'halt';
    const proposed: ProposedAction = wouldHalt ? 'halt' : 'alert';
    row = guard(
      acts ? { ...row, action: 'escalate', proposedAction: proposed } : row,
      'guard_currency_unknown',
      `The plan row states no currency and ${PLATFORM_NAME[a.platform]} reports ${a.platformCurrency}: the variance may compare different money.`,
      { platformCurrency: a.platformCurrency, line: a.line },
    );
    row.reason = acts
      ? `The plan has no currency and ${PLATFORM_NAME[a.platform]} reports ${a.platformCurrency}: an approver must confirm before anything is done (set the tracker's currency column or PACING_CURRENCY). ${row.reason}`
      : `${row.reason} The plan states no currency (${PLATFORM_NAME[a.platform]} reports ${a.platformCurrency}).`;
  }

  // Guard 2: data too old to be scored (freshness 0) never pauses alone; every row says how old it is. The exact
  // age is compared, not the rounded one shown: 24 h 00 m 17 s rounds to 24.00 but is already past the limit.
  const zeroAt = 2 * s.freshnessHours;
  const exactAge = a.fetchedAt ? dataAgeHours(a.fetchedAt, now) : a.dataAgeHours;
  if (exactAge !== null && exactAge >= zeroAt) {
    const age = formatAge(exactAge);
    const halts = row.action === 'halt';
    row = guard(
      halts ? { ...row, action: 'escalate', proposedAction: 'halt' } : { ...row },
      'guard_stale_data',
      `The spend data is ${age} old (${zeroAt} h or more): too old to act on alone.`,
      { ageHours: round2(exactAge), limitHours: zeroAt },
    );
    row.reason = halts
      ? `Would pause, but the spend data is ${age} old (${zeroAt} h or more): an approver must confirm. ${a.reason}`
      : `${row.reason} Spend data is ${age} old.`;
  }

  // Guard 1: zero delivery pauses alone only on a confident match.
  if (row.action === 'halt' && a.zeroDelivery && a.confidence < s.confidence && !s.zeroDeliveryAnyConfidence) {
    row = guard(
      { ...row, action: 'escalate', proposedAction: 'halt' },
      'guard_low_confidence',
      `No delivery, but confidence ${a.confidence} < ${s.confidence}: the match may be the wrong campaign.`,
      { confidence: a.confidence, threshold: s.confidence },
    );
    row.reason = `Delivers nothing, but confidence ${a.confidence} < ${s.confidence}: the match may be the wrong campaign, so an approver must confirm the pause.`;
  }
  return row;
}

/**
 * Hours since the flight started, at 00:00 of its start date in the account's time zone (UTC when the platform
 * states none, as for fixtures); negative before it starts, null without a start date.
 */
export function hoursIntoFlight(a: Pick<Assessment, 'startDate' | 'timeZone'>, now: string): number | null {
  if (a.startDate === null) return null;
  return (msOf(now) - startOfDay(a.startDate, a.timeZone ?? null)) / HOUR_MS;
}

export function withCause(a: Assessment, cause: Cause): Assessment {
  return { ...a, rootCause: [...a.rootCause, cause], mitigation: [...a.mitigation, ...mitigate([cause], a.currency)] };
}

const plainGuard: Guard = (a, code, message, evidence) => withCause(a, { code, message, evidence });

/** "50 days", "20.5 h". */
export function formatAge(hours: number): string {
  return hours >= 48 ? `${Math.floor(hours / 24)} days` : `${round2(hours)} h`;
}
