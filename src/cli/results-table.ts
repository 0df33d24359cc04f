// The pacing table of `run` and `status`, fitted to the terminal: names are clipped and the least useful columns
// left out before it gets wider than the screen; numbers are never cut.

import { formatAmount, formatPct } from '../domain/money.js';
import type { ResultRow } from '../domain/records.js';
import { clip, wrap } from './text.js';

/** The width used when neither COLUMNS nor the terminal says (output to a file or a pipe). */
export const DEFAULT_WIDTH = 120;

type Row = Pick<
  ResultRow,
  | 'campaignId'
  | 'campaignName'
  | 'platform'
  | 'platformCampaignId'
  | 'platformCampaignName'
  | 'currency'
  | 'planCurrency'
  | 'platformCurrency'
  | 'targetSpend'
  | 'actualSpend'
  | 'variancePct'
  | 'severity'
  | 'confidence'
  | 'action'
  | 'status'
  | 'escalationId'
  | 'pause'
  | 'zeroDelivery'
>;

/** What one layout shows; each step of FIT gives up a little more to fit a narrower terminal. */
export interface Layout {
  conf: boolean;
  escalationIds: boolean;
  platform: boolean;
  severity: boolean;
  /** ACTION and STATUS as one OUTCOME column: the action when done, else where it stands. */
  merged: boolean;
  cents: boolean;
  /** Clip names to no fewer characters than this, or try the next layout. */
  minName: number;
}

const FULL: Layout = {
  conf: true,
  escalationIds: true,
  platform: true,
  severity: true,
  merged: false,
  cents: true,
  minName: 20,
};
const NARROW: Layout = { ...FULL, conf: false, escalationIds: false, platform: false, severity: false };

// In this order: confidence (in `status <campaign>`), escalation ids (in `pending`), platform, severity (the
// variance says it), action and status in one column, cents; names keep 20 characters until then, then 16, then 10.
const FIT: Layout[] = [
  FULL,
  { ...FULL, conf: false },
  { ...FULL, conf: false, escalationIds: false },
  { ...FULL, conf: false, escalationIds: false, platform: false },
  NARROW,
  { ...NARROW, merged: true },
  { ...NARROW, merged: true, cents: false },
  { ...NARROW, merged: true, cents: false, minName: 16 },
  { ...NARROW, merged: true, cents: false, minName: 10 },
];

const GAP = 2;

/** The plan's name for a planned campaign, the platform's for an orphan. */
export const campaignName = (r: Row): string => r.campaignName ?? r.platformCampaignName ?? r.platformCampaignId ?? '—';

/**
 * The currency of the row's amounts: the plan's; "EUR/USD" when the platform reports spend in another one (the
 * target is then in the first, the actual in the second).
 */
export function currencyCell(r: Row): string {
  const plan = r.planCurrency ?? r.currency;
  const platform = r.platformCurrency;
  if (plan && platform && plan !== platform) return `${plan}/${platform}`;
  return plan ?? platform ?? '—';
}

const wholeMoney = (v: number | null): string => (v === null ? '—' : (Math.round(v) || 0).toLocaleString('en-US'));

/**
 * Where the row stands, in a word: a halt that left the campaign paused says `paused` (its action was done, and
 * "done" would not say what became of the campaign); a dry run's halt says `would pause`.
 */
export const shortStatus = (r: Row): string => {
  if (r.status === 'awaiting_approval') return 'awaiting';
  if (r.status === 'done' && (r.pause === 'paused' || r.pause === 'already_paused')) return 'paused';
  if (r.status === 'done' && r.pause === 'would_pause') return 'would pause';
  return r.status;
};

/** "halt" when done ("paused" when the campaign is); where an escalation stands ("awaiting", "approved"…); "halt failed". */
function outcome(r: Row): string {
  if (r.status === 'done') return r.action === 'halt' && r.pause !== null ? shortStatus(r) : r.action;
  if (r.action === 'escalate') return shortStatus(r);
  return `${r.action} ${shortStatus(r)}`;
}

interface Column {
  header: string;
  right: boolean;
  cell: (r: Row) => string;
  show: (l: Layout) => boolean;
}

const COLUMNS: Column[] = [
  { header: 'ID', right: false, cell: (r) => r.campaignId ?? '(orphan)', show: () => true },
  // The name is clipped to the room left: its cell is filled in by `fit`.
  { header: 'CAMPAIGN', right: false, cell: campaignName, show: () => true },
  { header: 'PLATFORM', right: false, cell: (r) => r.platform, show: (l) => l.platform },
  { header: 'CUR', right: false, cell: currencyCell, show: () => true },
  {
    header: 'TARGET',
    right: true,
    cell: (r) => formatAmount(r.targetSpend, r.planCurrency ?? r.currency),
    show: (l) => l.cents,
  },
  { header: 'TARGET', right: true, cell: (r) => wholeMoney(r.targetSpend), show: (l) => !l.cents },
  {
    header: 'ACTUAL',
    right: true,
    cell: (r) => formatAmount(r.actualSpend, r.platformCurrency ?? r.currency),
    show: (l) => l.cents,
  },
  { header: 'ACTUAL', right: true, cell: (r) => wholeMoney(r.actualSpend), show: (l) => !l.cents },
  { header: 'VARIANCE', right: true, cell: (r) => formatPct(r.variancePct), show: () => true },
  { header: 'SEVERITY', right: false, cell: (r) => r.severity ?? '—', show: (l) => l.severity },
  { header: 'CONF', right: true, cell: (r) => r.confidence.toFixed(2), show: (l) => l.conf },
  { header: 'ACTION', right: false, cell: (r) => r.action, show: (l) => !l.merged },
  {
    header: 'STATUS',
    right: false,
    cell: (r) => (r.status === 'awaiting_approval' && r.escalationId ? `awaiting ${r.escalationId}` : shortStatus(r)),
    show: (l) => l.escalationIds && !l.merged,
  },
  { header: 'STATUS', right: false, cell: (r) => shortStatus(r), show: (l) => !l.escalationIds && !l.merged },
  { header: 'OUTCOME', right: false, cell: outcome, show: (l) => l.merged },
];
const NAME = 1;

export interface FittedTable {
  lines: string[];
  /** What the layout left out to fit, for a note under the table. */
  layout: Layout;
  width: number;
}

function render(results: readonly Row[], layout: Layout, nameWidth: number): string[] {
  const cols = COLUMNS.filter((c) => c.show(layout));
  const name = COLUMNS[NAME] as Column;
  const cells = results.map((r) =>
    cols.map((c) => (c === name ? clip(c.cell(r), Math.max(c.header.length, nameWidth)) : c.cell(r))),
  );
  const widths = cols.map((c, i) => Math.max(c.header.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((s, i) => (cols[i]?.right ? s.padStart(widths[i] ?? 0) : s.padEnd(widths[i] ?? 0)))
      .join(' '.repeat(GAP))
      .trimEnd();
  return [line(cols.map((c) => c.header)), line(widths.map((w) => '─'.repeat(w))), ...cells.map(line)];
}

/** Columns a layout takes without the name column. */
function fixedWidth(results: readonly Row[], layout: Layout): number {
  const cols = COLUMNS.filter((c, i) => c.show(layout) && i !== NAME);
  const widths = cols.map((c) => Math.max(c.header.length, ...results.map((r) => c.cell(r).length)));
  return widths.reduce((a, b) => a + b, 0) + GAP * cols.length;
}

/**
 * The pacing table at most `width` columns wide: the first layout of FIT whose names keep their minimum, with the
 * names as long as the room allows. Past the last layout the table is wider than asked rather than cut a number.
 */
export function fitResultsTable(results: readonly Row[], width = DEFAULT_WIDTH): FittedTable {
  const longest = Math.max('CAMPAIGN'.length, ...results.map((r) => campaignName(r).length));
  for (const [i, layout] of FIT.entries()) {
    const room = width - fixedWidth(results, layout);
    const last = i === FIT.length - 1;
    if (room >= Math.min(longest, layout.minName) || last) {
      const nameWidth = Math.max(Math.min(longest, room), Math.min(longest, layout.minName));
      const lines = render(results, layout, nameWidth);
      return { lines, layout, width: Math.max(...lines.map((l) => l.length)) };
    }
  }
  throw new Error('unreachable: the last layout always renders');
}

const SEVERITY_RANK = { critical: 0, warning: 1, healthy: 3 } as const;

/** Money at stake on a row: how far actual is from target, or the whole amount known when one side is missing. */
export const moneyAtStake = (r: Row): number =>
  r.actualSpend !== null && r.targetSpend !== null
    ? Math.abs(r.actualSpend - r.targetSpend)
    : Math.abs(r.actualSpend ?? r.targetSpend ?? 0);

/**
 * The reading order: critical, then warning, then rows without a variance (orphans, unmatched rows, currencies
 * that differ: each asks a person), then healthy; within each, the most money at stake first, then by id.
 */
export function bySeverityThenMoney(results: readonly Row[]): Row[] {
  const rank = (r: Row) => (r.severity === null ? 2 : SEVERITY_RANK[r.severity]);
  const id = (r: Row) => r.campaignId ?? r.platformCampaignId ?? '';
  return [...results].sort(
    (a, b) => rank(a) - rank(b) || moneyAtStake(b) - moneyAtStake(a) || id(a).localeCompare(id(b)),
  );
}

/** A row someone should look at: anything but a healthy, logged row that is done. */
export const needsAttention = (r: Row): boolean =>
  r.action !== 'log' || r.status !== 'done' || (r.severity !== 'healthy' && r.severity !== null) || r.zeroDelivery;

/** Past this many rows the table lists only those that need attention (and counts the rest); `--all` lists all. */
export const ATTENTION_ONLY_ABOVE = 100;

export interface TableOptions {
  /** List every row even in a large run. */
  all?: boolean | undefined;
}

/** The rows a run's table lists: all of them in a small run or with `--all`, else those that need attention. */
export function listedRows<R extends Row>(results: readonly R[], o: TableOptions = {}): R[] {
  return o.all || results.length <= ATTENTION_ONLY_ABOVE ? [...results] : results.filter(needsAttention);
}

/** The table with the notes its layout calls for (amounts rounded, currencies that differ). */
export function resultsTable(all: readonly Row[], width = DEFAULT_WIDTH, o: TableOptions = {}): string {
  const results = bySeverityThenMoney(listedRows(all, o));
  const hidden = all.length - results.length;
  const fitted = fitResultsTable(results, width);
  const notes: string[] = [];
  const mixed = results.map(currencyCell).find((c) => c.includes('/'));
  if (mixed) {
    const [plan, platform] = mixed.split('/');
    notes.push(`CUR ${mixed}: the target in ${plan} (the plan), the actual in ${platform} (the platform).`);
  }
  if (!fitted.layout.escalationIds && results.some((r) => r.status === 'awaiting_approval'))
    notes.push('awaiting: an approver decides; `npx pacing pending` lists the questions.');
  if (!fitted.layout.cents)
    notes.push('Amounts in whole units to fit the terminal (COLUMNS); a wider one shows cents.');
  if (hidden > 0)
    notes.unshift(
      `…and ${hidden.toLocaleString('en-US')} more healthy and logged: \`--all\` lists every row (\`--json\` or \`--csv\` for a program).`,
    );
  return [...fitted.lines, ...notes.flatMap((n) => wrap(n, width))].join('\n');
}
