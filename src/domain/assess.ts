// One cycle's thinking over all campaigns: match, score, measure, decide, explain. Pure: no I/O.
import { confidence, dataAgeHours, NO_CONFIDENCE } from './confidence.js';
import { type Decision, decide } from './decision.js';
import { dayOf, expectedToDate, forecast } from './forecast.js';
import { type Match, type Reconciliation, reconcile, type Unmatched } from './match.js';
import { mitigate } from './mitigation.js';
import { MAX_AMOUNT, round2 } from './money.js';
import { normaliseName, similarity } from './normalise.js';
import { diagnose } from './rootcause.js';
import { flightSpend } from './spend.js';
import type {
  CampaignStatus,
  Cause,
  ConfidenceParts,
  Forecast,
  Mitigation,
  PlanRow,
  Platform,
  PlatformCampaign,
  ProposedAction,
  RejectedRow,
  RunHistory,
  Severity,
  SpendObservation,
  TargetSource,
  Thresholds,
  UnusableCampaign,
} from './types.js';
import { isZeroDelivery, severityOf, variancePct } from './variance.js';

export interface Assessment {
  /** Identity of the campaign across runs: the plan id, or the platform id for orphans. */
  key: string;
  line: number | null;
  campaignId: string | null;
  campaignName: string | null;
  platform: Platform;
  platformCampaignId: string | null;
  platformCampaignName: string | null;
  platformStatus: CampaignStatus | null;
  market: string | null;
  product: string | null;
  ownerSlackId: string | null;
  /** The plan's currency (or the platform's when the plan has none). */
  currency: string | null;
  /** The currency the platform reports spend in, when known: actual spend is in this one. */
  platformCurrency: string | null;
  /** The plan's own currency (the row's, else PACING_CURRENCY); null when the plan does not say. */
  planCurrency: string | null;
  /** The plan's flight (YYYY-MM-DD), null for orphans. */
  startDate: string | null;
  endDate: string | null;
  /** The platform account the spend comes from (one data feed), when known. */
  account: string | null;
  /** The account's IANA time zone, when the platform states it: the flight's days start at 00:00 there. */
  timeZone: string | null;
  /** ISO time the spend was read at the platform: guards compare its exact age, not the rounded one shown. */
  fetchedAt: string | null;
  matchedBy: Match['by'] | null;
  confidence: number;
  confidenceParts: ConfidenceParts;
  dataAgeHours: number | null;
  reportingLagHours: number | null;
  targetSpend: number | null;
  /** `tracker` when the tracker states the target to date, `budget` when it is the budget's share of the flight. */
  targetSource: TargetSource | null;
  /** The whole flight's budget, from the tracker. */
  budget: number | null;
  actualSpend: number | null;
  variancePct: number | null;
  /** At this rate, where the flight ends (null without a flight and a budget). */
  forecast: Forecast | null;
  /** How this campaign paced over its last runs (null until the store says). */
  history: RunHistory | null;
  severity: Severity | null;
  zeroDelivery: boolean;
  action: Decision['action'];
  proposedAction: ProposedAction | null;
  reason: string;
  rootCause: Cause[];
  mitigation: Mitigation[];
}

export interface AssessInput {
  plan: readonly PlanRow[];
  campaigns: readonly PlatformCampaign[];
  /** Platforms whose data could not be read this cycle, with the reason. */
  unavailable: ReadonlyMap<Platform, string>;
  /** Invalid tracker rows, as far as they name a campaign: their campaigns are not orphans. */
  rejected?: readonly RejectedRow[];
  /** Campaigns each platform listed but whose data was unusable: a plan row that meant one is told so. */
  unusable?: ReadonlyMap<Platform, readonly UnusableCampaign[]>;
  /** Platforms read only in part (an account failed): an unmatched row there may just be in the missing part. */
  incomplete?: ReadonlyMap<Platform, string>;
  now: string;
  thresholds: Thresholds;
  /** Earlier spend observations by platform campaign key (`platform:id`), oldest first. */
  history: (platformKey: string) => readonly SpendObservation[];
}

export const planKey = (campaignId: string): string => `plan:${campaignId}`;
export const platformKey = (platform: Platform, id: string): string => `${platform}:${id}`;

export function assessAll(input: AssessInput): { assessments: Assessment[]; comparisons: number } {
  const available = input.plan.filter((r) => !input.unavailable.has(r.platform));
  const rec = reconcile(available, input.campaigns);
  return { assessments: assessReconciled(rec, input), comparisons: rec.comparisons };
}

/** Scores, measures, decides and explains every row of a reconciliation (plus rows whose platform failed). */
export function assessReconciled(rec: Reconciliation, input: AssessInput): Assessment[] {
  const out: Assessment[] = [];
  for (const row of input.plan) {
    const error = input.unavailable.get(row.platform);
    if (error !== undefined) out.push(unavailable(row, error, input));
  }
  for (const m of rec.matches) out.push(matched(m, input));
  for (const u of rec.unmatched) out.push(unmatched(u, input));
  for (const c of rec.orphans) out.push(orphan(c, input));
  out.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  return out;
}

function base(row: PlanRow | null, c: PlatformCampaign | null, platform: Platform): Assessment {
  return {
    key: row ? planKey(row.campaignId) : platformKey(platform, c?.id ?? ''),
    line: row?.line ?? null,
    campaignId: row?.campaignId ?? null,
    campaignName: row?.campaignName ?? null,
    platform,
    platformCampaignId: c?.id ?? null,
    platformCampaignName: c?.name ?? null,
    platformStatus: c?.status ?? null,
    market: row?.market ?? c?.market ?? null,
    product: row?.product ?? c?.product ?? null,
    ownerSlackId: row?.ownerSlackId ?? null,
    currency: row?.currency ?? c?.currency ?? null,
    platformCurrency: c?.currency ?? null,
    planCurrency: row?.currency ?? null,
    startDate: row?.startDate ?? null,
    endDate: row?.endDate ?? null,
    account: c?.account ?? null,
    timeZone: c?.timeZone ?? null,
    fetchedAt: c?.fetchedAt ?? null,
    matchedBy: null,
    confidence: 0,
    confidenceParts: { ...NO_CONFIDENCE.parts },
    dataAgeHours: null,
    reportingLagHours: c?.reportingLagHours ?? null,
    targetSpend: row?.targetSpend != null ? round2(row.targetSpend) : null,
    targetSource: row ? (row.targetSpend === null ? 'budget' : 'tracker') : null,
    budget: row?.budget ?? null,
    actualSpend: c ? round2(c.spend) : null,
    variancePct: null,
    forecast: null,
    history: null,
    severity: null,
    zeroDelivery: false,
    action: 'log',
    proposedAction: null,
    reason: '',
    rootCause: [],
    mitigation: [],
  };
}

function explain(a: Assessment, d: Decision, causes: Cause[]): Assessment {
  a.action = d.action;
  a.proposedAction = d.proposedAction;
  a.reason = d.reason;
  const reported = (c: Cause) =>
    c.code === 'platform_unavailable' || c.code === 'plan_row_invalid' || c.code === 'platform_data_unusable';
  if (d.action !== 'log' || causes.some(reported)) {
    a.rootCause = causes;
    a.mitigation = mitigate(causes, a.currency);
  }
  return a;
}

/**
 * The row with its target to date: the tracker's, or — when the tracker leaves it empty — the budget's share of
 * the flight elapsed at `now` (in the account's zone when known).
 */
function withTarget(row: PlanRow, now: string, timeZone: string | null): PlanRow & { targetSpend: number } {
  if (row.targetSpend !== null) return row as PlanRow & { targetSpend: number };
  const f = { startDate: row.startDate, endDate: row.endDate, timeZone };
  return { ...row, targetSpend: expectedToDate(row.budget ?? 0, f, now) };
}

/** A plan row without platform data: its target (from the budget when the tracker has none), no spend. */
function planned(row: PlanRow, input: AssessInput): Assessment {
  const a = base(withTarget(row, input.now, null), null, row.platform);
  a.targetSource = row.targetSpend === null ? 'budget' : 'tracker';
  return a;
}

function matched(m: Match, input: AssessInput): Assessment {
  const c0 = m.campaign;
  const row = withTarget(m.row, input.now, c0.timeZone ?? null);
  // The spend this row answers for: its own flight's days when the platform reports spend per day. Copied only
  // when that differs from the platform's total (a spread of every campaign costs a tenth of a second at 10,000).
  const spend = c0.spendByDay ? flightSpend(c0, row, dayOf(input.now, c0.timeZone ?? null)) : c0.spend;
  const c: PlatformCampaign = spend === c0.spend ? c0 : { ...c0, spend };
  const a = base(row, c, row.platform);
  a.targetSource = m.row.targetSpend === null ? 'budget' : 'tracker';

  const conf = confidence(row, c, input.now, input.thresholds.freshnessHours);
  a.matchedBy = m.by;
  a.confidence = conf.total;
  a.confidenceParts = conf.parts;
  a.dataAgeHours = round2(dataAgeHours(c.fetchedAt, input.now));
  const badFigure = unusableFigures(c.spend, row.targetSpend);
  if (badFigure !== null) {
    // No variance can be trusted from it: reported, never acted on (a pause on an overflow is a pause on nothing).
    const cause: Cause = {
      code: 'platform_data_unusable',
      message: `Its figures cannot be compared: ${badFigure}.`,
      evidence: { platform: c.platform, platformCampaignId: c.id, actualSpend: c.spend, targetSpend: row.targetSpend },
    };
    const reason = `Not judged: ${badFigure}; nothing was done. Check the platform's export and the tracker row.`;
    return explain(a, { action: 'log', proposedAction: null, reason }, [cause]);
  }
  // A plan in one currency and spend in another cannot be compared: no variance, no severity.
  const currencyMismatch = row.currency !== null && c.currency !== null && row.currency !== c.currency;
  a.variancePct = currencyMismatch ? null : variancePct(c.spend, row.targetSpend);
  // Spend in one currency against a budget in another has no forecast either.
  a.forecast = currencyMismatch
    ? null
    : forecast(
        {
          budget: row.budget,
          actualSpend: a.actualSpend,
          startDate: row.startDate,
          endDate: row.endDate,
          timeZone: c.timeZone ?? null,
          spendByDay: c.spendByDay,
          paused: c.status === 'PAUSED',
        },
        input.now,
      );
  a.severity = severityOf(a.variancePct, input.thresholds);
  a.zeroDelivery = isZeroDelivery(row.targetSpend, c.spend);
  const d = decide(
    {
      kind: 'matched',
      planCurrency: row.currency,
      platformCurrency: c.currency,
      targetSpend: row.targetSpend,
      actualSpend: c.spend,
      variancePct: a.variancePct,
      severity: a.severity,
      zeroDelivery: a.zeroDelivery,
      confidence: a.confidence,
    },
    input.thresholds,
  );
  const causes =
    d.action === 'log'
      ? []
      : diagnose({
          row,
          campaign: c,
          now: input.now,
          freshHours: input.thresholds.freshnessHours,
          nameSimilarity: m.similarity,
          variancePct: a.variancePct,
          zeroDelivery: a.zeroDelivery,
          unmatched: null,
          history: input.history(platformKey(c.platform, c.id)),
          platformError: null,
          forecast: a.forecast,
        });
  return explain(a, d, causes);
}

/** Why spend and target cannot be compared (an amount past any real budget, a variance that is not finite); null when they can. */
export function unusableFigures(actual: number, target: number): string | null {
  if (!(Math.abs(actual) <= MAX_AMOUNT)) return `spend ${actual} is beyond any real amount`;
  if (!(Math.abs(target) <= MAX_AMOUNT)) return `target ${target} is beyond any real amount`;
  if (target !== 0 && !Number.isFinite(((actual - target) / target) * 100))
    return `the variance of spend ${actual} against target ${target} is not a finite number`;
  return null;
}

function unmatched(u: Unmatched, input: AssessInput): Assessment {
  const missing = input.incomplete?.get(u.row.platform);
  if (missing !== undefined) return unavailable(u.row, missing, input);
  const bad = unusableFor(u.row, input.unusable?.get(u.row.platform) ?? []);
  if (bad) {
    // The campaign is there, but its data could not be used: say that, not "no matching campaign".
    const a = planned(u.row, input);
    const cause: Cause = {
      code: 'platform_data_unusable',
      message: `Its ${u.row.platform} data was unusable: ${bad.message}`,
      evidence: { platform: u.row.platform, platformCampaignId: bad.id, name: bad.name, error: bad.message },
    };
    const reason = `Its ${u.row.platform} campaign${bad.id ? ` ${bad.id}` : ''} was listed, but its data was unusable (${bad.message}); nothing was judged.`;
    return explain(a, { action: 'escalate', proposedAction: 'alert', reason }, [cause]);
  }
  // No platform campaign stands behind this row; a pinned id that was not found is in the root cause.
  const a = planned(u.row, input);
  const causes = diagnose({ ...noSignals(input), row: u.row, unmatched: u });
  return explain(a, decide({ kind: 'unmatched' }, input.thresholds), causes);
}

function orphan(c: PlatformCampaign, input: AssessInput): Assessment {
  const planned = plannedByInvalidRow(c, input.rejected ?? []);
  if (planned) {
    // Its plan row exists but is invalid: unplanned spend it is not. Reported, not escalated.
    const a = base(null, c, c.platform);
    a.dataAgeHours = round2(dataAgeHours(c.fetchedAt, input.now));
    const cause: Cause = {
      code: 'plan_row_invalid',
      message: `Its plan row (tracker line ${planned.line}) is invalid (${planned.message}), so it could not be checked.`,
      evidence: { line: planned.line, error: planned.message, platformCampaignId: c.id, name: c.name },
    };
    return explain(
      a,
      { action: 'log', proposedAction: null, reason: `Tracker line ${planned.line} is invalid; pacing not checked.` },
      [cause],
    );
  }
  const a = base(null, c, c.platform);
  a.dataAgeHours = round2(dataAgeHours(c.fetchedAt, input.now));
  const causes = diagnose({ ...noSignals(input), campaign: c });
  return explain(a, decide({ kind: 'orphan', actualSpend: c.spend }, input.thresholds), causes);
}

function unavailable(row: PlanRow, error: string, input: AssessInput): Assessment {
  const a = planned(row, input);
  a.actualSpend = null;
  const causes = diagnose({ ...noSignals(input), row, platformError: error });
  return explain(a, decide({ kind: 'platform_unavailable', platform: row.platform }, input.thresholds), causes);
}

function noSignals(input: AssessInput) {
  return {
    row: null,
    campaign: null,
    now: input.now,
    freshHours: input.thresholds.freshnessHours,
    nameSimilarity: null,
    variancePct: null,
    zeroDelivery: false,
    unmatched: null,
    history: [],
    platformError: null,
  };
}

/** An invalid plan row pinning this campaign, or naming it exactly (after normalisation). */
function plannedByInvalidRow(c: PlatformCampaign, rejected: readonly RejectedRow[]): RejectedRow | null {
  const name = normaliseName(c.name);
  return (
    rejected.find(
      (r) => r.platform === c.platform && (r.platformCampaignId === c.id || normaliseName(r.campaignName) === name),
    ) ?? null
  );
}

/** The unusable campaign a plan row meant: pinned by id, else the same or the most similar name (≥ 0.5). */
function unusableFor(row: PlanRow, unusable: readonly UnusableCampaign[]): UnusableCampaign | null {
  if (unusable.length === 0) return null;
  if (row.platformCampaignId !== null) return unusable.find((c) => c.id === row.platformCampaignId) ?? null;
  const name = normaliseName(row.campaignName);
  let best: { c: UnusableCampaign; score: number } | null = null;
  for (const c of unusable) {
    if (c.name === null) continue;
    const score = similarity(name, normaliseName(c.name));
    if (score >= 0.5 && (!best || score > best.score)) best = { c, score };
  }
  return best?.c ?? null;
}
