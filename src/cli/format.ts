// Human-readable output for the terminal: a run (table, forecasts, summary), one campaign in detail, audit.

import type { PoolChange } from '../agent/reads.js';
import { formatAmount, formatMoney, formatPct } from '../domain/money.js';
import { type MoneyAtStake, moneyAtStakeText } from '../domain/overview.js';
import type { AuditEvent, Escalation, PlatformFailure, ResultRow, RowError, RunSummary } from '../domain/records.js';
import { type RunCounts, runCountsText, runFigures } from '../domain/run-counts.js';
import { standsPaused, tooEarlyToJudge } from '../domain/standing.js';
import { type Forecast, PLATFORM_NAME, platformDisplayName, type RunHistory } from '../domain/types.js';
import { analysisLines } from './analysis.js';
import { budgetDetailLines, budgetProposalLines, poolDetailLines } from './budget-lines.js';
import { DEFAULT_WIDTH, listedRows, resultsTable, shortStatus, type TableOptions } from './results-table.js';
import { clip, plural, wrap, wrapItems } from './text.js';

function table(headers: string[], rows: string[][], right: Set<number>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}

export const campaignLabel = (
  r: Pick<ResultRow, 'campaignId' | 'platform' | 'platformCampaignId' | 'platformCampaignName'>,
): string => r.campaignId ?? `(orphan) ${r.platformCampaignName ?? r.platformCampaignId}`;

/**
 * The run in a few lines: how many campaigns and how they pace, then what this run did apart from what stands
 * (a pause made now is news; a campaign found paused, an unchanged alert or an older open question is not).
 */
export function summaryLines(
  s: RunSummary,
  errors: readonly RowError[],
  counts: RunCounts,
  width = DEFAULT_WIDTH,
  stake: readonly MoneyAtStake[] = [],
): string[] {
  const n = s.rows + s.orphans;
  const skipped = errors.length ? `; ${plural(errors.length, 'invalid tracker row')} skipped` : '';
  const pacing = [
    `${s.bySeverity.healthy} healthy`,
    `${s.bySeverity.warning} warning`,
    `${s.bySeverity.critical} critical`,
    ...(s.bySeverity.none ? [`${s.bySeverity.none} without variance`] : []),
  ];
  const text = runCountsText(counts);
  // "Label:   a · b · c", continued under the first item when it does not fit.
  const labelled = (label: string, items: readonly string[]) =>
    wrapItems(items, Math.max(20, width - 10)).map((l, i) => `${i ? '' : label}`.padEnd(10) + l);
  return [
    ...wrap(
      `${plural(n, 'campaign')} (${s.rows} planned, ${plural(s.orphans, 'orphan')}${skipped}) in ${s.durationMs} ms`,
      width,
    ),
    ...labelled('Pacing:', pacing),
    // The money at stake as Slack's summary, the digest and the metrics give it (domain/overview.ts).
    ...(stake.length ? labelled('At stake:', [`${moneyAtStakeText(stake)} off plan to date`]) : []),
    ...labelled('This run:', text.thisRun.length ? text.thisRun : ['nothing new']),
    ...(text.standing.length ? labelled('Standing:', text.standing) : []),
    ...(text.waiting.length ? labelled('Waiting:', text.waiting) : []),
  ];
}

export function problems(errors: readonly RowError[], platformErrors: readonly PlatformFailure[]): string {
  const out: string[] = [];
  if (errors.length) {
    out.push('Tracker rows skipped:');
    for (const e of errors) out.push(`  line ${e.line}: ${e.message}`);
  }
  if (platformErrors.length) {
    out.push('Platform data problems:');
    for (const e of platformErrors) out.push(`  ${platformDisplayName(e.platform)}: ${e.message}`);
  }
  return out.join('\n');
}

/** A projected variance this far from zero (either way) is marked in the forecast table. */
export const OFF_BUDGET_PCT = 10;
/** The forecast table fits a terminal this wide. */
export const TERMINAL_WIDTH = 80;
const OFF_MARK = '⚠';

/** Terminal columns a line takes: the mark may be drawn two columns wide, so it counts as two. */
export const displayWidth = (s: string): number => s.length + (s.includes(OFF_MARK) ? 1 : 0);

const isOffBudget = (f: Forecast): boolean => Math.abs(f.projectedVariancePct) >= OFF_BUDGET_PCT;

const wholeMoney = (value: number): string => Math.round(value).toLocaleString('en-US');

/** A table whose headers may take two lines ("A\nB"), bottom-aligned; `tight` columns follow one space, not two. */
function stackedTable(headers: string[], rows: string[][], right: Set<number>, tight = new Set<number>()): string[] {
  const heads = headers.map((h) => h.split('\n'));
  const depth = Math.max(...heads.map((h) => h.length));
  const padded = heads.map((h) => [...Array<string>(depth - h.length).fill(''), ...h]);
  const widths = headers.map((_, i) =>
    Math.max(...(padded[i] ?? []).map((h) => h.length), ...rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const cell = right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0);
        return i === 0 ? cell : `${tight.has(i) ? ' ' : '  '}${cell}`;
      })
      .join('')
      .trimEnd();
  const headerLines = Array.from({ length: depth }, (_, d) => line(padded.map((h) => h[d] ?? '')));
  const rule = widths.map((w, i) => ((padded[i] ?? []).some((h) => h) ? '─' : ' ').repeat(w));
  return [...headerLines, line(rule), ...rows.map(line)];
}

/**
 * Where each flight ends at its run rate: only rows with a forecast, those ending 10 % or more off budget
 * marked. Fits 80 columns: amounts lose their cents, then long campaign ids are clipped, when they must.
 */
export function forecastTable(results: readonly ResultRow[]): string | null {
  const rows = results.filter((r): r is ResultRow & { forecast: Forecast } => r.forecast !== null);
  if (rows.length === 0) return null;
  const bases = new Set(rows.map((r) => r.forecast.basis));
  const mixed = bases.size > 1;
  const headers = [
    'CAMPAIGN',
    'CUR',
    'BUDGET',
    'PROJECTED\nSPEND',
    'PROJECTED\nVARIANCE',
    'DAYS\nLEFT',
    'RUN RATE\nPER DAY',
    'TO LAND\nPER DAY',
    '',
  ];
  const right = new Set([2, 3, 4, 5, 6, 7]);
  const build = (money: (v: number, currency: string | null) => string, campaignWidth: number) =>
    stackedTable(
      headers,
      rows.map((r) => {
        const f = r.forecast;
        const cur = r.currency;
        // A paused campaign has no run rate: it spends no more, so its projection is its spend so far.
        const paused = standsPaused(r);
        // A flight hours old has no rate worth projecting (often nothing spent yet): no projection, no mark.
        const early = !paused && tooEarlyToJudge(r);
        const rate = paused ? 'paused' : early ? 'too early' : money(f.dailyRunRate, cur);
        return [
          clip(campaignLabel(r), campaignWidth),
          r.currency ?? '—',
          money(f.budget, cur),
          early ? '—' : money(f.projectedSpend, cur),
          early ? '—' : formatPct(f.projectedVariancePct),
          String(f.daysLeft),
          mixed && !paused && !early ? `${rate}${f.basis === 'flight_to_date' ? '*' : ' '}` : mixed ? `${rate} ` : rate,
          money(f.recommendedDailyBudget, cur),
          isOffBudget(f) && !early ? OFF_MARK : '',
        ];
      }),
      right,
      new Set([headers.length - 1]),
    );
  const widest = (lines: string[]) => Math.max(...lines.map(displayWidth));
  const longest = Math.max(...rows.map((r) => campaignLabel(r).length));
  let whole = false;
  let lines = build(formatAmount, longest);
  if (widest(lines) > TERMINAL_WIDTH) {
    // Too wide: clip long campaign ids, and drop the cents only when even the shortest id column leaves no room.
    const cents = build(formatAmount, 'CAMPAIGN'.length);
    whole = widest(cents) > TERMINAL_WIDTH;
    const money = whole ? wholeMoney : formatAmount;
    const over = widest(build(money, longest)) - TERMINAL_WIDTH;
    lines = build(money, Math.max('CAMPAIGN'.length, longest - Math.max(0, over)));
  }
  const basis = mixed
    ? 'Run rate: mean of the last 7 days; * spend to date over the days elapsed.'
    : bases.has('last_7_days')
      ? 'Run rate: mean daily spend of the last 7 days.'
      : 'Run rate: spend to date over the days elapsed.';
  return [
    `Forecast to the end of the flight${whole ? ' (amounts in whole units)' : ''}`,
    '',
    ...lines,
    `${OFF_MARK} ends ${OFF_BUDGET_PCT}% or more off budget. To land: the daily budget that ends on budget.`,
    ...(rows.some((r) => !standsPaused(r) && tooEarlyToJudge(r))
      ? ['too early: started within EARLY_FLIGHT_HOURS; its first hours project nothing.']
      : []),
    basis,
    ...budgetProposalLines(rows, campaignLabel),
  ].join('\n');
}

/** A run as the CLI shows it: a fresh report or the latest stored run. */
export interface RunView {
  runId: string;
  startedAt: string;
  results: ResultRow[];
  errors: RowError[];
  platformErrors: PlatformFailure[];
  summary: RunSummary;
  /** The escalations this run opened (their runId is the run's); unknown when unset. */
  opened?: ReadonlySet<string> | undefined;
}

/** The run for a terminal `width` columns wide: the pacing table, the forecasts, the summary, the problems. */
export function runReport(r: RunView, width = DEFAULT_WIDTH, o: TableOptions = {}): string {
  const out = [`Pacing run ${r.runId} at ${r.startedAt}`, '', resultsTable(r.results, width, o)];
  // A large run forecasts the rows its table lists, not thousands of healthy ones.
  const forecasts = forecastTable(listedRows(r.results, o));
  if (forecasts) out.push('', forecasts);
  const f = runFigures(r.results, r.opened);
  out.push('', ...summaryLines(r.summary, r.errors, f.counts, width, f.moneyAtStake));
  const issues = problems(r.errors, r.platformErrors);
  if (issues) out.push(issues);
  return out.join('\n');
}

export function campaignDetail(r: ResultRow, escalation: Escalation | null, pool: PoolChange | null = null): string {
  const p = r.confidenceParts;
  const target = targetLine(r);
  const lines = [
    `${campaignLabel(r)} — ${r.campaignName ?? r.platformCampaignName ?? ''}`,
    `  platform          ${PLATFORM_NAME[r.platform] ?? r.platform}${r.platformCampaignId ? ` campaign ${r.platformCampaignId}` : ''}${r.platformCampaignName ? ` "${r.platformCampaignName}"` : ''}${r.platformStatus ? ` (${r.platformStatus})` : ''}`,
    `  market / product  ${r.market ?? '—'} / ${r.product ?? '—'}`,
    `  target / actual   ${formatMoney(r.targetSpend, r.currency)} / ${formatMoney(r.actualSpend, r.platformCurrency ?? r.currency)}`,
    ...(target ? [`  target source     ${target}`] : []),
    `  variance          ${formatPct(r.variancePct)} (${r.severity ?? 'no variance'})${r.zeroDelivery ? ', zero delivery' : ''}`,
    ...(r.history && r.history.runs > 0 ? [`  history           ${trendLine(r.history)}`] : []),
    ...(r.forecast
      ? forecastLines(r.forecast, r.currency, standsPaused(r), tooEarlyToJudge(r)).map(
          (l, i) => `  ${i ? '' : 'forecast'}`.padEnd(20) + l,
        )
      : []),
    ...budgetDetailLines(r),
    ...poolDetailLines(pool),
    `  confidence        ${r.confidence} = metadata ${p.metadata} + name ${p.name} + freshness ${p.freshness}${r.dataAgeHours === null ? '' : ` (data ${r.dataAgeHours} h old${r.reportingLagHours ? `; the platform reports spend up to ${r.reportingLagHours} h late` : ''})`}`,
    // The same word as the table's STATUS: a halt that left the campaign paused says "paused", not "done".
    `  action            ${r.action}${r.proposedAction ? ` (proposed: ${r.proposedAction})` : ''} — ${shortStatus(r)}`,
    `  why               ${r.reason}`,
  ];
  if (r.actionNote) lines.push(`  note              ${r.actionNote}`);
  if (r.rootCause.length) {
    lines.push('  root cause');
    for (const c of r.rootCause) lines.push(`    - ${c.message}`);
  }
  if (r.mitigation.length) {
    lines.push('  mitigation');
    for (const m of r.mitigation) lines.push(`    - ${m.step}`);
  }
  if (r.explanation) lines.push(...analysisLines(r.explanation));
  if (escalation) {
    lines.push(
      escalation.status === 'pending'
        ? `  escalation        ${escalation.id}, awaiting a decision until ${escalation.expiresAt}`
        : `  escalation        ${escalation.id}, ${escalation.status} by ${escalation.decidedBy} at ${escalation.decidedAt}${escalation.outcomeDetail ? `: ${escalation.outcomeDetail}` : ''}`,
    );
  }
  return lines.join('\n');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A flight for people: "1–30 Nov 2026", "25 Oct – 30 Nov 2026", "20 Dec 2026 – 10 Jan 2027". */
export function flightRange(start: string, end: string): string {
  const parse = (d: string) => {
    const [y, m, day] = d.split('-').map(Number);
    return { y: y ?? 0, m: MONTHS[(m ?? 1) - 1] ?? '?', d: day ?? 0 };
  };
  const a = parse(start);
  const b = parse(end);
  if (a.y !== b.y) return `${a.d} ${a.m} ${a.y} – ${b.d} ${b.m} ${b.y}`;
  if (a.m !== b.m) return `${a.d} ${a.m} – ${b.d} ${b.m} ${b.y}`;
  return `${a.d}–${b.d} ${b.m} ${b.y}`;
}

/** Where the target to date comes from: the tracker, or the budget's share of the flight. */
function targetLine(r: ResultRow): string | null {
  if (r.targetSource === null) return null;
  const flight = r.startDate && r.endDate ? ` over ${flightRange(r.startDate, r.endDate)}` : '';
  const budget = r.budget === null ? null : `${formatMoney(r.budget, r.currency)}${flight}`;
  const toDate = formatMoney(r.targetSpend, r.currency);
  if (r.targetSource === 'budget') return `to date ${toDate}, from the budget${budget ? `: ${budget}` : ''}`;
  return `to date ${toDate}, from the tracker${budget ? `; budget ${budget}` : '; no budget given'}`;
}

const BASIS: Record<Forecast['basis'], string> = {
  last_7_days: 'last 7 days',
  flight_to_date: 'flight to date',
};

/** The forecast in two lines: where the flight ends at this rate, then what it takes to land on budget. */
export function forecastLines(f: Forecast, currency: string | null, paused = false, early = false): [string, string] {
  const money = (v: number) => formatMoney(v, currency);
  const mark = isOffBudget(f) ? ` ${OFF_MARK}` : '';
  // Hours into its flight a campaign's rate so far projects nothing: "too early to judge" must not be contradicted.
  const first =
    early && !paused
      ? `Too early for a forecast: the flight has only just started; its budget is ${money(f.budget)}`
      : paused
        ? `Paused: it ends at its spend so far, ${money(f.projectedSpend)} against a budget of ${money(f.budget)} (${formatPct(f.projectedVariancePct)})${mark}`
        : `At ${money(f.dailyRunRate)} a day (${BASIS[f.basis]}) it ends at ${money(f.projectedSpend)} against a budget of ${money(f.budget)} (${formatPct(f.projectedVariancePct)})${mark}`;
  let second: string;
  if (f.daysLeft <= 0) second = 'The flight is over: nothing left to adjust.';
  else {
    const left = `${f.daysLeft} day${f.daysLeft === 1 ? '' : 's'} left`;
    second =
      f.recommendedDailyBudget > 0
        ? `${left}; to land on budget${paused ? ' once resumed' : ''}: ${money(f.recommendedDailyBudget)} a day`
        : `${left}; the budget is already spent: any further spend overshoots it`;
  }
  return [first, second];
}

const trendPoint = (v: number | null): string => {
  if (v === null) return '—';
  const n = Math.round(v);
  return n > 0 ? `+${n}` : n === 0 ? '0' : String(n);
};

/** "Last 6 runs: +4 → +8 → +12 % (4 off plan; chronic)", oldest first. */
export function trendLine(h: RunHistory): string {
  const runs = `${h.runs === 1 ? 'Last run' : `Last ${h.runs} runs`}`;
  const points = h.variances.length ? `: ${h.variances.map(trendPoint).join(' → ')} %` : '';
  const off = `${h.offPlanRuns === 0 ? 'none' : h.offPlanRuns} off plan${h.chronic ? '; chronic' : ''}`;
  return `${runs}${points} (${off})`;
}

export function auditTable(events: readonly AuditEvent[]): string {
  if (events.length === 0) return 'The audit trail has no matching events.';
  const rows = events.map((e) => [
    String(e.id),
    e.at,
    e.type,
    clip(e.campaignId ?? (e.platformCampaignId ? `${e.platform}:${e.platformCampaignId}` : '—'), 28),
    e.actor,
    clip(describe(e.details), 80),
  ]);
  return table(['ID', 'AT', 'TYPE', 'CAMPAIGN', 'ACTOR', 'DETAILS'], rows, new Set([0]));
}

function describe(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}
