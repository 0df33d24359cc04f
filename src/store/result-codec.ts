// How a result row's fields beyond its columns are written: a JSON array in a fixed field order.
import type { ResultRow } from '../domain/records.js';
import type { Forecast, RunHistory } from '../domain/types.js';

/** What the `results` columns hold (the truth for these: status and escalation change after the run). */
type ColumnField =
  | 'key'
  | 'campaignId'
  | 'platform'
  | 'platformCampaignId'
  | 'action'
  | 'status'
  | 'escalationId'
  | 'actualSpend'
  | 'runId';

/** The run history is left out too: the `pacing` column holds the same runs, and it is rebuilt from there. */
type DataFields = Omit<ResultRow, ColumnField | 'history'>;

/** The row's other fields, in the order they are written; appending is how a field is added. */
const FIELDS = [
  'line',
  'campaignName',
  'platformCampaignName',
  'platformStatus',
  'market',
  'product',
  'ownerSlackId',
  'currency',
  'platformCurrency',
  'planCurrency',
  'startDate',
  'endDate',
  'account',
  'matchedBy',
  'confidence',
  'confidenceParts',
  'dataAgeHours',
  'reportingLagHours',
  'targetSpend',
  'targetSource',
  'budget',
  'variancePct',
  'forecast',
  'severity',
  'zeroDelivery',
  'proposedAction',
  'reason',
  'rootCause',
  'mitigation',
  'actionNote',
  'pause',
  'notice',
  'timeZone',
  'fetchedAt',
  'budgetProposal',
  'budgetChange',
  'poolEscalationId',
  'explanation',
] as const satisfies readonly (keyof DataFields)[];

/** A field of ResultRow that is neither a column nor in FIELDS does not compile: no field is silently dropped. */
type Unwritten = Exclude<keyof DataFields, (typeof FIELDS)[number]>;
const everyFieldWritten: [Unwritten] extends [never] ? true : Unwritten = true;
void everyFieldWritten;

/**
 * The row's fields beyond its columns, as a JSON array in FIELDS order (the forecast as an array in the order
 * `forecastOf` reads). Ten thousand rows a run as objects were 10 MB of JSON, half of it field names, written and read
 * back every run.
 */
export function encodeData(r: ResultRow): string {
  // Written out field by field, in FIELDS order (a loop over FIELDS costs a third more at 10,000 rows a run);
  // the round-trip test gives every field a distinct value, so a field out of order fails it.
  const f = r.forecast;
  const values = [
    r.line,
    r.campaignName,
    r.platformCampaignName,
    r.platformStatus,
    r.market,
    r.product,
    r.ownerSlackId,
    r.currency,
    r.platformCurrency,
    r.planCurrency,
    r.startDate,
    r.endDate,
    r.account,
    r.matchedBy,
    r.confidence,
    r.confidenceParts,
    r.dataAgeHours,
    r.reportingLagHours,
    r.targetSpend,
    r.targetSource,
    r.budget,
    r.variancePct,
    f
      ? [
          f.dailyRunRate,
          f.projectedSpend,
          f.budget,
          f.projectedVariancePct,
          f.daysLeft,
          f.recommendedDailyBudget,
          f.basis,
        ]
      : null,
    r.severity,
    r.zeroDelivery,
    r.proposedAction,
    r.reason,
    r.rootCause,
    r.mitigation,
    r.actionNote,
    r.pause,
    r.notice ?? null,
    r.timeZone,
    r.fetchedAt,
    r.budgetProposal ?? null,
    r.budgetChange ?? null,
    r.poolEscalationId ?? null,
    r.explanation ?? null,
  ] as const;
  // As many values as FIELDS names: a field added to one and not the other does not compile.
  const sameLength: (typeof values)['length'] extends (typeof FIELDS)['length'] ? true : false = true;
  void sameLength;
  return JSON.stringify(values);
}

/** The fields a row written with `width` values does not hold (appended after it was written). */
export const fieldsBeyond = (width: number): readonly string[] => FIELDS.slice(width);

/** The fields `encodeData` wrote; an object is a row written by an earlier version, as it was. */
export function decodeData(data: string): Partial<ResultRow> {
  const parsed = JSON.parse(data) as unknown[] | Partial<ResultRow>;
  if (!Array.isArray(parsed)) return parsed;
  const row: Record<string, unknown> = {};
  FIELDS.forEach((f, i) => {
    row[f] = i < parsed.length ? parsed[i] : null;
  });
  row.forecast = forecastOf(parsed[AT.forecast]);
  return row as Partial<ResultRow>;
}

/** The column fields of a result row, as `results` holds them. */
export type ColumnValues = Pick<ResultRow, ColumnField>;

/**
 * A whole result row from its columns and `data`, its fields in the order a run reports them. The run history
 * is asked for only when `data` does not hold it (as rows written before it moved to the pacing column did).
 * Built as one object literal: 10,000 rows a read (`status`, `report`, metrics) cost a third of this otherwise.
 */
export function resultRow(c: ColumnValues, data: string, history: () => RunHistory | null): ResultRow {
  const v = JSON.parse(data) as unknown[] | Partial<ResultRow>;
  if (!Array.isArray(v)) return { ...(v as ResultRow), history: v.history ?? history(), ...c };
  const get = <K extends Field>(k: K) => (AT[k] < v.length ? v[AT[k]] : null) as DataFields[K];
  return {
    key: c.key,
    line: get('line'),
    campaignId: c.campaignId,
    campaignName: get('campaignName'),
    platform: c.platform,
    platformCampaignId: c.platformCampaignId,
    platformCampaignName: get('platformCampaignName'),
    platformStatus: get('platformStatus'),
    market: get('market'),
    product: get('product'),
    ownerSlackId: get('ownerSlackId'),
    currency: get('currency'),
    platformCurrency: get('platformCurrency'),
    planCurrency: get('planCurrency'),
    startDate: get('startDate'),
    endDate: get('endDate'),
    account: get('account'),
    timeZone: get('timeZone'),
    fetchedAt: get('fetchedAt'),
    matchedBy: get('matchedBy'),
    confidence: get('confidence'),
    confidenceParts: get('confidenceParts'),
    dataAgeHours: get('dataAgeHours'),
    reportingLagHours: get('reportingLagHours'),
    targetSpend: get('targetSpend'),
    targetSource: get('targetSource'),
    budget: get('budget'),
    actualSpend: c.actualSpend,
    variancePct: get('variancePct'),
    forecast: forecastOf(v[AT.forecast]),
    history: history(),
    severity: get('severity'),
    zeroDelivery: get('zeroDelivery'),
    action: c.action,
    proposedAction: get('proposedAction'),
    reason: get('reason'),
    rootCause: get('rootCause'),
    mitigation: get('mitigation'),
    runId: c.runId,
    status: c.status,
    escalationId: c.escalationId,
    actionNote: get('actionNote'),
    pause: get('pause'),
    notice: get('notice'),
    budgetProposal: get('budgetProposal'),
    budgetChange: get('budgetChange'),
    poolEscalationId: get('poolEscalationId'),
    explanation: get('explanation'),
  };
}

type Field = (typeof FIELDS)[number];

/** Each field's place in the array. */
const AT = Object.fromEntries(FIELDS.map((f, i) => [f, i])) as Record<Field, number>;

/** The forecast from its array (as `encodeData` writes it); a Forecast field missing here does not compile. */
function forecastOf(f: unknown): Forecast | null {
  if (!Array.isArray(f)) return null;
  return {
    dailyRunRate: f[0],
    projectedSpend: f[1],
    budget: f[2],
    projectedVariancePct: f[3],
    daysLeft: f[4],
    recommendedDailyBudget: f[5],
    basis: f[6],
  };
}
