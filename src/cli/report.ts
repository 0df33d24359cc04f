// The pacing report for people and programs: the table and the CSV of `report` and `status --csv`. The totals
// themselves (groups, currencies) are domain/report.ts.
import { stringify } from 'csv-stringify/sync';
import { formatAmount, formatMoney, formatPct } from '../domain/money.js';
import { type Report, type ReportGroup, type ReportRow, rowCurrency, spendLeftOut } from '../domain/report.js';
import { campaignLabel } from './format.js';
import { wrap } from './text.js';

// With a key of 12 and amounts up to 9,999,999.99 a line is 97 characters: the table fits 100 columns (and, with
// one space between columns, 89).
const KEY_WIDTH = 12;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The report for people: one line per group and currency, money with thousands separators. */
export function reportTable(
  report: Report,
  run?: { startedAt: string; results: readonly ReportRow[] },
  columns = 100,
): string {
  if (report.runId === null) return 'No pacing run yet. Start one with: npx pacing run';
  const headers = [
    report.by.toUpperCase(),
    'CUR',
    'CAMPS',
    'TARGET',
    'ACTUAL',
    'VARIANCE',
    'BUDGET',
    'PROJECTED',
    'C/W/H',
  ];
  const rows = report.groups.map((g) => [
    clip(g.key ?? '—', KEY_WIDTH),
    g.currency ?? '—',
    String(g.campaigns),
    formatAmount(g.targetSpend, g.currency),
    formatAmount(g.actualSpend, g.currency),
    formatPct(g.variancePct),
    formatAmount(g.budget, g.currency),
    formatAmount(g.projectedSpend, g.currency),
    `${g.critical}/${g.warning}/${g.healthy}`,
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  // Two spaces between columns, one when that is what fits the terminal.
  const gap = widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1) > columns ? ' ' : '  ';
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join(gap)
      .trimEnd();
  const out = [
    `Pacing report by ${report.by}, run ${report.runId}${run ? ` at ${run.startedAt}` : ''}`,
    '',
    line(headers),
    line(widths.map((w) => '─'.repeat(w))),
    ...rows.map(line),
  ];
  if (report.groups.length === 0) out.push('(the run has no results)');
  out.push(
    '',
    ...wrap('C/W/H: critical / warning / healthy campaigns. Amounts in different currencies are never added.', columns),
  );
  const leftOut = run ? spendLeftOut(run.results) : [];
  if (leftOut.length) {
    out.push('Spend left out of the totals (reported in another currency than the plan):');
    for (const r of leftOut) {
      out.push(
        `  ${campaignLabel(r)}: ${formatMoney(r.actualSpend, r.platformCurrency)} against a plan in ${rowCurrency(r)}`,
      );
    }
  }
  return out.join('\n');
}

/**
 * RFC 4180: CRLF between records, a header row, fields quoted when they hold a comma, a quote or a line break.
 * csv-stringify quotes only its own record delimiter, so a bare \n or \r inside a name is matched explicitly.
 */
function toCsv<T extends object>(columns: readonly (keyof T & string)[], records: readonly T[]): string {
  return stringify([...records], {
    header: true,
    columns,
    record_delimiter: 'windows',
    quoted_match: /[\r\n]/,
    cast: { number: plainNumber },
  });
}

/** A number as a plain decimal: never an exponent (1e-7 is written 0.0000001). */
function plainNumber(value: number): string {
  const text = String(value);
  if (!/e/i.test(text) || !Number.isFinite(value)) return text;
  return value.toFixed(20).replace(/\.?0+$/, '');
}

export const REPORT_CSV_COLUMNS = [
  'key',
  'currency',
  'campaigns',
  'targetSpend',
  'actualSpend',
  'variancePct',
  'budget',
  'projectedSpend',
  'critical',
  'warning',
  'healthy',
] as const satisfies readonly (keyof ReportGroup)[];

export function reportCsv(report: Report): string {
  return toCsv(REPORT_CSV_COLUMNS, report.groups);
}

export const STATUS_CSV_COLUMNS = [
  'campaignId',
  'campaignName',
  'platform',
  'platformCampaignId',
  'market',
  'product',
  'currency',
  'targetSpend',
  'targetSource',
  'actualSpend',
  'variancePct',
  'severity',
  'confidence',
  'action',
  'status',
  'escalationId',
  'budget',
  'projectedSpend',
  'recommendedDailyBudget',
] as const;

/** One record per result; an orphan's name is its platform campaign's, its plan figures empty. */
export function statusCsv(rows: readonly ReportRow[]): string {
  const records = rows.map(
    (r): Record<(typeof STATUS_CSV_COLUMNS)[number], unknown> => ({
      campaignId: r.campaignId,
      campaignName: r.campaignName ?? r.platformCampaignName,
      platform: r.platform,
      platformCampaignId: r.platformCampaignId,
      market: r.market,
      product: r.product,
      currency: rowCurrency(r),
      targetSpend: r.targetSpend,
      targetSource: r.targetSource,
      actualSpend: r.actualSpend,
      variancePct: r.variancePct,
      severity: r.severity,
      confidence: r.confidence,
      action: r.action,
      status: r.status,
      escalationId: r.escalationId,
      budget: r.budget,
      projectedSpend: r.forecast?.projectedSpend ?? null,
      recommendedDailyBudget: r.forecast?.recommendedDailyBudget ?? null,
    }),
  );
  return toCsv(STATUS_CSV_COLUMNS, records);
}
