// Concrete steps that stop a diagnosed cause from recurring, one per cause.
import { formatMoney } from './money.js';
import type { Cause, Mitigation } from './types.js';

type Ev = Cause['evidence'];
const text = (v: Ev[string] | undefined): string => (v === null || v === undefined ? '?' : String(v));

const STEPS: Record<Cause['code'], (e: Ev, money: (v: Ev[string] | undefined) => string) => string> = {
  unmatched_pinned_id: (e) =>
    `Correct platform_campaign_id on tracker line ${text(e.line)} (${text(e.platformCampaignId)} is not on the platform), or clear it to match by name.`,
  unmatched_no_similar_name: (e) =>
    e.closestId
      ? `If "${text(e.closestName)}" is this campaign, pin it: set platform_campaign_id=${text(e.closestId)} on tracker line ${text(e.line)}; otherwise create the campaign or remove the row.`
      : `Create the campaign on the platform or remove tracker line ${text(e.line)}.`,
  orphan_spend: (e) =>
    `Add "${text(e.name)}" (id ${text(e.platformCampaignId)}) to the tracker with its target, or pause it if it should not run.`,
  zero_plan_spend: () => 'Set the planned spend in the tracker, or pause the campaign if it should not spend.',
  currency_mismatch: (e) =>
    `Restate the tracker row in ${text(e.platformCurrency)} (the account's currency), or fix the currency column if it is wrong.`,
  name_mismatch: () =>
    "Pin the match: put the platform campaign id in the tracker's platform_campaign_id column so it no longer depends on names.",
  market_mismatch: (e) =>
    `Correct the market (plan ${text(e.planMarket)}, platform ${text(e.platformMarket)}) in the tracker or in the campaign's naming.`,
  product_mismatch: (e) =>
    `Correct the product (plan ${text(e.planProduct)}, platform ${text(e.platformProduct)}) in the tracker or in the campaign's naming.`,
  flight_dates_differ: (e) =>
    `Align the flight: tracker ${text(e.planStart)}…${text(e.planEnd)} vs platform ${text(e.platformStart)}…${text(e.platformEnd)}.`,
  stale_data: (e) =>
    `Check the platform sync (data is ${text(e.ageHours)} h old) and re-run once fresh data has arrived.`,
  campaign_paused: () =>
    'Re-enable the campaign if the pause was not intended; otherwise lower its target to date in the tracker.',
  flight_ended: (e) => `Extend the flight past ${text(e.endDate)} or move the unspent budget to a running campaign.`,
  flight_not_started: (e) =>
    `Bring the start date (${text(e.startDate)}) in line with the plan, or move the plan's start.`,
  budget_differs: (e, money) =>
    e.recommendedDailyBudget !== null && e.recommendedDailyBudget !== undefined
      ? `Set the platform daily budget to ${money(e.recommendedDailyBudget)}: what is left of the plan budget ${money(e.planBudget)} over the days left (it is ${money(e.dailyBudget)} now).`
      : `Set the platform daily budget to ${money(e.plannedDailyBudget)} (plan budget ${money(e.planBudget)} over ${text(e.flightDays)} days).`,
  forecast_miss: (e, money) =>
    `Set the daily budget to ${money(e.recommendedDailyBudget)} for the ${text(e.daysLeft)} days left to land on the budget of ${money(e.budget)}.`,
  spend_spike: (e) => `Cap daily spend and review bid or budget changes made since ${text(e.since)}.`,
  spend_stall: () => 'Check ad approvals, billing and audience size: delivery stopped though the campaign is enabled.',
  no_delivery: () =>
    'Check ad approvals, the payment method, targeting and bids: the campaign is enabled but does not deliver.',
  over_pacing: (e, money) =>
    e.recommendedDailyBudget !== undefined
      ? `Lower the daily budget to ${money(e.recommendedDailyBudget)} to land on the flight budget.`
      : 'Lower the daily budget or bids to bring spend back to plan (give the row a budget in the tracker for an exact figure).',
  under_pacing: (e, money) =>
    e.recommendedDailyBudget !== undefined
      ? `Raise the daily budget to ${money(e.recommendedDailyBudget)} (and bids if it does not spend it), or move the shortfall to another campaign.`
      : 'Raise bids or the daily budget, or move the shortfall to another campaign (give the row a budget in the tracker for an exact figure).',
  already_paused: () =>
    'It was already paused: confirm it should stay paused, and update the tracker if the plan changed.',
  pause_failed: () => "Pause it by hand on the platform now, and check the agent's access to the account.",
  platform_unavailable: () => 'Check the platform connection and credentials; the next run retries automatically.',
  guard_low_confidence: () =>
    'Check that this is the right campaign (market, product, flight), then pin it with platform_campaign_id so the match is certain.',
  guard_stale_data: (e) =>
    `Check why the platform data is ${text(e.ageHours)} h old (sync, credentials, export); the agent acts alone again once it is fresh.`,
  guard_early_flight: () =>
    'Look again after the first day of delivery; if it still does not deliver, check ad approvals, billing and targeting.',
  guard_currency_unknown: (e) =>
    `Set the currency on tracker line ${text(e.line)} (the account reports ${text(e.platformCurrency)}), or PACING_CURRENCY for the whole tracker.`,
  guard_data_fault: (e) =>
    `Check ${text(e.account)} (an outage or an empty export looks like no delivery) before approving any pause.`,
  guard_halt_budget: () =>
    'Review the batch: approve to pause them all, or reject; MAX_AUTONOMOUS_HALTS sets how many the agent pauses alone.',
  guard_orphan_budget: () =>
    'Check that the tracker is complete (a broken file or a missing tab looks like unplanned spend), then add the campaigns that belong.',
  guard_human_decision: (e) =>
    `${text(e.decidedBy)} decided at ${text(e.decidedAt)} to keep it running: talk to them before pausing it by hand.`,
  platform_data_unusable: (e) =>
    `Fix the campaign's data on ${text(e.platform)} (${text(e.error)}); the row is checked against it on the next run.`,
  plan_row_invalid: (e) =>
    `Fix tracker line ${text(e.line)} (${text(e.error)}); the campaign is checked against it on the next run.`,
};

/**
 * The steps for the causes of one row. `currency` is the row's (the plan's, else the platform's): every amount
 * is written as money in it, with separators and its minor units.
 */
export function mitigate(causes: readonly Cause[], currency: string | null = null): Mitigation[] {
  const money = (v: Ev[string] | undefined): string => (typeof v === 'number' ? formatMoney(v, currency) : text(v));
  return causes.map((c) => ({ cause: c.code, step: STEPS[c.code](c.evidence, money) }));
}
