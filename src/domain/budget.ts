// Steering a flight's daily budget toward landing on its plan budget: which rows get a proposal, how far one change
// may go, and the 24-hour rule (SPEC, Steering budgets). Pure: deciding who may act on it is the policy's job.
import { msOf } from './calendar.js';
import { dayOf } from './forecast.js';
import { formatMoney, formatPct, minorUnits, roundMoney } from './money.js';
import type { Action, CampaignStatus, Forecast, ProposedAction } from './types.js';

export type BudgetActions = 'off' | 'ask' | 'auto';

export interface BudgetSettings {
  /** BUDGET_ACTIONS: `off` shows proposals only, `ask` makes each a question, `auto` acts alone when no guard holds. */
  actions: BudgetActions;
  /** BUDGET_TRIGGER_PCT: |projectedVariancePct| at which a flight gets a proposal. */
  triggerPct: number;
  /** MAX_BUDGET_CHANGE_PCT: one change moves a daily budget by at most this share of the current one. */
  maxChangePct: number;
  /** MAX_AUTONOMOUS_BUDGET_CHANGES: changes made alone per run. */
  maxAutonomousChanges: number;
}

export const DEFAULT_BUDGET_SETTINGS: BudgetSettings = {
  actions: 'ask',
  triggerPct: 10,
  maxChangePct: 20,
  maxAutonomousChanges: 20,
};

/** A daily-budget change for one campaign, as results carry it (SPEC: `budgetProposal`). */
export interface BudgetProposal {
  /** The platform's daily budget now. */
  from: number;
  /** The daily budget proposed: `recommended` within one step of `from`, in the currency's minor units (or the platform's). */
  to: number;
  currency: string | null;
  /** The forecast's `recommendedDailyBudget`: what lands the flight on budget. */
  recommended: number;
  /** True when `to` stops short of `recommended` because one change may only go so far. */
  step: boolean;
  /** False for advice the agent never carries out itself (a shared or lifetime budget). */
  applicable: boolean;
  reason: string;
  /** The question asked about it, once asked. */
  escalationId: string | null;
}

/**
 * What a proposal is decided from: the result row's fields (the names an Assessment uses) and the platform's
 * budget facts.
 */
export interface BudgetRow {
  campaignId: string | null;
  platformCampaignId: string | null;
  platformStatus: CampaignStatus | null;
  /** The plan's flight (YYYY-MM-DD). */
  startDate: string | null;
  endDate: string | null;
  /** The account's zone: its days decide whether the flight is on. UTC when unknown. */
  timeZone: string | null;
  /** The plan's budget for the whole flight. */
  budget: number | null;
  planCurrency: string | null;
  platformCurrency: string | null;
  forecast: Forecast | null;
  action: Action;
  proposedAction: ProposedAction | null;
  /** The platform's daily budget. */
  dailyBudget: number | null;
  /** Other campaigns use the same budget (Google's `explicitly_shared`, or one budget seen on several). */
  sharedBudget?: boolean | undefined;
  /** The campaign runs on a lifetime budget (Meta). */
  lifetimeBudget?: number | null | undefined;
  /** The platform's smallest daily budget and step, where stricter than the currency's minor unit. */
  limits?: BudgetLimits | undefined;
}

/** The last days of a flight get no proposal: a change then has no time to matter, and may overshoot. */
export const MIN_DAYS_LEFT = 2;

/** The agent changes one campaign's budget at most once in this many hours on its own. */
export const BUDGET_CHANGE_INTERVAL_HOURS = 24;

/**
 * Whether the agent may change a campaign's budget on its own now, given when it last did (null: never). A last
 * change stamped in the future (a clock moved back) holds it back too: the safe reading of a time that cannot be.
 */
export function mayChangeBudgetAgain(lastChangeAt: string | null, now: string): boolean {
  if (lastChangeAt === null) return true;
  const since = msOf(now) - msOf(lastChangeAt);
  if (!Number.isFinite(since)) return false;
  return since >= BUDGET_CHANGE_INTERVAL_HOURS * 3_600_000;
}

/** One minor unit of a currency: 0.01 EUR, 1 JPY, 0.001 KWD (0.01 when unknown). */
export const minorUnit = (currency: string | null): number => 10 ** -minorUnits(currency);

/** What a platform accepts as a daily budget, where it is stricter than the currency. */
export interface BudgetLimits {
  /** The smallest daily budget; one minor unit of the currency when not given. */
  minimum?: number | undefined;
  /**
   * The step amounts are written in, when coarser than the currency's minor unit: Meta keeps TWD and CRC (cents by
   * ISO 4217) in whole units.
   */
  unit?: number | undefined;
}

/**
 * The daily budget one change leads to: `recommended` kept within `maxChangePct` of `from`, on the currency's (or the
 * platform's) unit, never below the minimum. When the cap holds it, the amount is rounded toward `from` so that
 * rounding never takes it past the cap.
 */
export function stepToward(
  from: number,
  recommended: number,
  maxChangePct: number,
  currency: string | null,
  limits: BudgetLimits = {},
): { to: number; step: boolean } {
  const unit = Math.max(limits.unit ?? 0, minorUnit(currency));
  const lo = from * (1 - maxChangePct / 100);
  const hi = from * (1 + maxChangePct / 100);
  let to: number;
  let step = false;
  if (recommended > hi) {
    to = onGrid(hi / unit, unit, 'down');
    step = true;
  } else if (recommended < lo) {
    to = onGrid(lo / unit, unit, 'up');
    step = true;
  } else {
    // Rounding to the nearest unit could still cross the cap by a fraction of one: kept inside it.
    to = onGrid(recommended / unit, unit, 'nearest');
    to = Math.max(Math.min(to, onGrid(hi / unit, unit, 'down')), onGrid(lo / unit, unit, 'up'));
  }
  const floor = onGrid((limits.minimum ?? unit) / unit, unit, 'up');
  return { to: roundMoney(Math.max(to, floor), currency), step };
}

/** `units` (an amount in minor units) to a whole number of them, rounded the given way, back in major units. */
function onGrid(units: number, unit: number, way: 'up' | 'down' | 'nearest'): number {
  // Cut binary noise first (1.2 × 1000 is 1199.9999…), so an amount already on the grid stays where it is; nearest
  // rounds half away from zero, as every amount in the app does.
  const clean = Number(units.toPrecision(12));
  const whole = way === 'up' ? Math.ceil(clean) : way === 'down' ? Math.floor(clean) : Math.round(clean);
  return whole * unit;
}

/**
 * Whether a row may get a proposal as far as the row alone says (an enabled campaign whose forecast, with days
 * enough left, misses by BUDGET_TRIGGER_PCT or more): most rows of a run do not, and need no more looking at.
 */
export function mayGetProposal(
  row: Pick<BudgetRow, 'platformStatus' | 'forecast'>,
  settings: Pick<BudgetSettings, 'triggerPct'>,
): boolean {
  const f = row.forecast;
  return (
    row.platformStatus === 'ENABLED' &&
    f !== null &&
    !(f.daysLeft < MIN_DAYS_LEFT) &&
    !(Math.abs(f.projectedVariancePct) < settings.triggerPct)
  );
}

/**
 * The daily-budget proposal for one row, or null when the row gets none: only a matched, enabled, in-flight campaign
 * with a plan budget, a platform daily budget in the plan's currency, at least 2 days left and a forecast at least
 * BUDGET_TRIGGER_PCT off its budget, that is not being halted (a pause and a budget change never fight). A shared
 * or lifetime budget gets advice (`applicable: false`). A change that rounds to today's budget is no proposal.
 */
export function proposeBudget(
  row: BudgetRow,
  settings: Pick<BudgetSettings, 'triggerPct' | 'maxChangePct'>,
  now: string,
): BudgetProposal | null {
  if (row.campaignId === null || row.platformCampaignId === null) return null;
  if (!mayGetProposal(row, settings)) return null;
  if (row.startDate === null || row.endDate === null) return null;
  const today = dayOf(now, row.timeZone);
  if (today < row.startDate || today > row.endDate) return null;
  if (row.budget === null || !(row.budget > 0)) return null;
  if (row.dailyBudget === null || !(row.dailyBudget > 0)) return null;
  // Both must name the same currency; when neither names one, the app treats the money as comparable everywhere.
  if (row.planCurrency !== row.platformCurrency) return null;
  const f = row.forecast;
  if (f === null) return null; // ruled out by mayGetProposal already
  if (row.action === 'halt' || (row.action === 'escalate' && row.proposedAction === 'halt')) return null;

  const currency = row.planCurrency;
  const from = row.dailyBudget;
  const recommended = f.recommendedDailyBudget;
  const { to, step } = stepToward(from, recommended, settings.maxChangePct, currency, row.limits);
  if (to === roundMoney(from, currency)) return null;

  const money = (v: number) => formatMoney(v, currency);
  const outlook = `at this rate the flight ends at ${money(f.projectedSpend)} against ${money(f.budget)} (${formatPct(f.projectedVariancePct)}), ${f.daysLeft} days left`;
  const fixed =
    row.sharedBudget === true
      ? 'the campaign shares its budget with other campaigns, and changing it would move their spend too'
      : row.lifetimeBudget != null
        ? `the campaign runs on a lifetime budget of ${money(row.lifetimeBudget)}, which the agent does not change`
        : null;
  let reason: string;
  if (fixed !== null) {
    reason = `Advice only: ${fixed}. ${money(recommended)} a day would land it on budget (now ${money(from)}); ${outlook}.`;
  } else if (step) {
    reason = `Step toward ${money(recommended)} a day: ${outlook}. One change moves the daily budget by at most ${settings.maxChangePct} %, so ${money(from)} → ${money(to)} now, the rest in later runs.`;
  } else {
    reason = `Set the daily budget to ${money(to)} (now ${money(from)}): ${outlook}; ${money(to)} a day lands it on budget.`;
  }
  return { from, to, currency, recommended, step, applicable: fixed === null, reason, escalationId: null };
}
