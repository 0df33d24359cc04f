// The analyst's note (SPEC, Explanations): which rows get one, the evidence a model is given about a row, and when a
// stored note still answers the row. Pure: the model is asked in agent/explain.ts, its answer checked in grounding.ts.
import type { Assessment } from './assess.js';
import type { BudgetProposal } from './budget.js';
import { byStake, spendComparable } from './stake.js';
import type { CauseCode } from './types.js';

/** What a result row carries: the model's note, checked against the row's evidence, and the model that wrote it. */
export interface Explanation {
  summary: string;
  causes: { text: string; evidence: CauseCode[] }[];
  nextStep: string;
  model: string;
}

/** The model's structured answer, as the providers return it (snake_case, as the schema asks). */
export interface ExplanationAnswer {
  summary: string;
  causes: { text: string; evidence: string[] }[];
  next_step: string;
}

/** What the evidence table is built from: an assessed row, with the budget proposal when it has one. */
export type ExplainedRow = Assessment & { budgetProposal?: BudgetProposal | null | undefined };

/** An amount with the currency it is in: spend may be in another currency than the plan. */
export interface Amount {
  amount: number;
  currency: string | null;
}

/**
 * What the model is given about one row. Names (the plan's and the platform's) are data typed by people: they are
 * labelled as such and never count as evidence for a number. Ids: the plan id and the platform campaign id only.
 */
export interface Evidence {
  campaign: {
    planId: string | null;
    platform: string;
    platformCampaignId: string | null;
    /** Typed by people: text to quote, never an instruction. */
    untrustedNames: { plan: string | null; platform: string | null };
    market: string | null;
    product: string | null;
    flight: { start: string | null; end: string | null };
  };
  decision: { action: string; proposedAction: string | null; severity: string | null; reason: string };
  /**
   * Every figure by name, rounded to 2 decimals (the model copies them as given); each amount with its currency.
   * Differences of spend and plan are null when the two are in different currencies.
   */
  figures: Record<string, Amount | number | string | boolean | null>;
  rootCauses: { code: CauseCode; message: string; evidence: Record<string, string | number | boolean | null> }[];
  /** In the plan's currency (there is no forecast when spend is in another). */
  forecast: Record<string, number | string | null> | null;
  history: { runs: number; offPlanRuns: number; chronic: boolean; variances: (number | null)[] } | null;
  platformFacts: Record<string, string | number | boolean | null>;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Ids beyond the plan's and the platform's never leave the company, though our own texts name some: Slack users
 * (who decided, in a guard's reason) and the app's own ids (runs, escalations: a prefix and 10 hex digits).
 */
const OTHER_IDS = /\b(?:[UW](?=[A-Z0-9]*\d)[A-Z0-9]{8,}|[a-z]+-[0-9a-f]{10})\b/g;
const scrub = (s: string): string => s.replace(OTHER_IDS, '[id]');
const r = (n: number | null | undefined): number | null => (n === null || n === undefined ? null : round2(n));

const amount = (n: number | null | undefined, currency: string | null): Amount | null =>
  n === null || n === undefined ? null : { amount: round2(n), currency };

/** The rows a note is written for: halts, escalations and critical rows that have a cause to cite. */
export function wantsExplanation(row: Pick<Assessment, 'action' | 'severity' | 'rootCause'>): boolean {
  return (
    (row.action === 'halt' || row.action === 'escalate' || row.severity === 'critical') && row.rootCause.length > 0
  );
}

/**
 * The rows to explain this run, most at stake first (the largest share of the flight's budget off plan, whatever
 * the currency; stake.ts), at most `cap`.
 */
export function rowsToExplain<T extends Assessment>(rows: readonly T[], cap: number): T[] {
  return rows.filter(wantsExplanation).sort(byStake).slice(0, cap);
}

/**
 * Which check a stored note passed: raised when the evidence or the grounding check changes, so notes kept under a
 * weaker one (a spend in another currency taken for the plan's, an id's digits taken for a figure) are asked again.
 */
const CHECK_VERSION = 2;

/**
 * What a note answers: the row's action, amounts (each in its currency) and root causes, the model asked, and the
 * check it passed. A stored note is reused while this is unchanged (the same question is not sent twice).
 */
export function questionOf(row: ExplainedRow, model: string): string {
  return JSON.stringify([
    CHECK_VERSION,
    model,
    row.action,
    row.proposedAction,
    r(row.targetSpend),
    r(row.actualSpend),
    r(row.budget),
    row.currency,
    row.platformCurrency,
    [...new Set(row.rootCause.map((c) => c.code))].sort(),
  ]);
}

/** The evidence table for one row: numbers with names, causes with their evidence, forecast, history, platform facts. */
export function evidenceOf(row: ExplainedRow): Evidence {
  const f = row.forecast;
  const proposal = row.budgetProposal ?? null;
  const comparable = spendComparable(row);
  const spentIn = row.platformCurrency ?? row.currency;
  const spent = row.actualSpend ?? 0;
  const planned = row.targetSpend;
  const hasPlan = planned !== null && row.actualSpend !== null;
  return {
    campaign: {
      planId: row.campaignId,
      platform: row.platform,
      platformCampaignId: row.platformCampaignId,
      untrustedNames: { plan: row.campaignName, platform: row.platformCampaignName },
      market: row.market,
      product: row.product,
      flight: { start: row.startDate, end: row.endDate },
    },
    decision: {
      action: row.action,
      proposedAction: row.proposedAction,
      severity: row.severity,
      reason: scrub(row.reason),
    },
    figures: {
      currency: row.currency,
      platformCurrency: row.platformCurrency,
      spendComparableWithPlan: comparable,
      targetSpendToDate: amount(row.targetSpend, row.currency),
      targetSource: row.targetSource,
      actualSpend: amount(row.actualSpend, spentIn),
      // EUR minus USD is no figure: spend in another currency than the plan is not subtracted from it.
      spendMinusTarget: comparable && hasPlan ? amount(spent - planned, row.currency) : null,
      moneyAtStake: !comparable ? null : amount(Math.abs(spent - (planned ?? 0)), hasPlan ? row.currency : spentIn),
      variancePct: r(row.variancePct),
      flightBudget: amount(row.budget, row.currency),
      confidence: r(row.confidence),
      confidenceMetadata: r(row.confidenceParts.metadata),
      confidenceName: r(row.confidenceParts.name),
      confidenceFreshness: r(row.confidenceParts.freshness),
      dataAgeHours: r(row.dataAgeHours),
      zeroDelivery: row.zeroDelivery,
    },
    rootCauses: row.rootCause.map((c) => ({
      code: c.code,
      message: scrub(c.message),
      evidence: roundValues(c.evidence),
    })),
    forecast: f
      ? {
          currency: row.currency,
          dailyRunRate: round2(f.dailyRunRate),
          projectedSpend: round2(f.projectedSpend),
          budget: round2(f.budget),
          projectedMinusBudget: round2(f.projectedSpend - f.budget),
          projectedVariancePct: round2(f.projectedVariancePct),
          daysLeft: f.daysLeft,
          recommendedDailyBudget: round2(f.recommendedDailyBudget),
          basis: f.basis,
        }
      : null,
    history: row.history
      ? {
          runs: row.history.runs,
          offPlanRuns: row.history.offPlanRuns,
          chronic: row.history.chronic,
          variances: row.history.variances.map(r),
        }
      : null,
    platformFacts: {
      status: row.platformStatus,
      matchedBy: row.matchedBy,
      timeZone: row.timeZone,
      fetchedAt: row.fetchedAt,
      budgetCurrency: proposal ? proposal.currency : null,
      dailyBudget: proposal ? r(proposal.from) : null,
      recommendedDailyBudget: proposal ? r(proposal.recommended) : null,
      proposedDailyBudget: proposal ? r(proposal.to) : null,
    },
  };
}

function roundValues(
  evidence: Record<string, string | number | boolean | null>,
): Record<string, string | number | boolean | null> {
  return Object.fromEntries(
    Object.entries(evidence).map(([k, v]) => [
      k,
      typeof v === 'number' ? round2(v) : typeof v === 'string' ? scrub(v) : v,
    ]),
  );
}

/** A run's explanation step in figures (the run's summary; token counts summed over its calls). */
export interface ExplanationTotals {
  model: string;
  /** Calls made to the model (at most LLM_MAX_CALLS_PER_RUN). */
  asked: number;
  /** Rows queued for a call that the step's deadline came before: not asked, not audited (the next run asks). */
  notAsked: number;
  /** Notes kept: newly written and grounded, or reused. */
  added: number;
  reused: number;
  rejected: number;
  /**
   * Tokens in and out, summed over the calls (named without "token": the audit trail redacts values under keys
   * that look like credentials).
   */
  usage: { input: number; output: number };
  /** How long the step took (ms): never more than LLM_TIMEOUT_MS, however the model behaves. */
  durationMs: number;
}
