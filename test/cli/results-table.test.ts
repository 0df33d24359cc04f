// The pacing table of `run` / `status` fitted to the terminal: names and currency shown, names clipped with "…",
// the least useful columns left out first, numbers never cut.
import { describe, expect, it } from 'vitest';
import { terminalColumns } from '../../src/cli/cli.js';
import { currencyCell, fitResultsTable, resultsTable } from '../../src/cli/results-table.js';
import { formatMoney } from '../../src/domain/money.js';
import type { ResultRow } from '../../src/domain/records.js';
import { DEMO, row } from './rows.js';

const ALL = [
  'ID',
  'CAMPAIGN',
  'PLATFORM',
  'CUR',
  'TARGET',
  'ACTUAL',
  'VARIANCE',
  'SEVERITY',
  'CONF',
  'ACTION',
  'STATUS',
];
const headers = (text: string) => (text.split('\n')[0] ?? '').trim().split(/\s{2,}/);
const lineOf = (text: string, id: string) => text.split('\n').find((l) => l.startsWith(`${id} `)) ?? '';
const whole = (v: number) => Math.round(v).toLocaleString('en-US');

describe('the pacing table at each terminal width', () => {
  // Each narrower terminal gives up a little more: confidence, escalation ids, platform, severity, then ACTION and
  // STATUS become one OUTCOME column, then cents; names are clipped, never ids or numbers.
  const cases: { width: number; columns: string[]; cents: boolean; escalationIds: boolean; fits: boolean }[] = [
    { width: 200, columns: ALL, cents: true, escalationIds: true, fits: true },
    { width: 140, columns: ALL.filter((c) => c !== 'CONF'), cents: true, escalationIds: true, fits: true },
    { width: 120, columns: ALL.filter((c) => c !== 'CONF'), cents: true, escalationIds: false, fits: true },
    {
      width: 100,
      columns: ['ID', 'CAMPAIGN', 'CUR', 'TARGET', 'ACTUAL', 'VARIANCE', 'ACTION', 'STATUS'],
      cents: true,
      escalationIds: false,
      fits: true,
    },
    {
      width: 80,
      columns: ['ID', 'CAMPAIGN', 'CUR', 'TARGET', 'ACTUAL', 'VARIANCE', 'OUTCOME'],
      cents: false,
      escalationIds: false,
      fits: true,
    },
    {
      width: 50,
      columns: ['ID', 'CAMPAIGN', 'CUR', 'TARGET', 'ACTUAL', 'VARIANCE', 'OUTCOME'],
      cents: false,
      escalationIds: false,
      fits: false,
    },
  ];

  it.each(cases)('$width columns: $columns', ({ width, columns, cents, escalationIds, fits }) => {
    const text = resultsTable(DEMO, width);
    expect(headers(text)).toEqual(columns);
    const lines = text.split('\n');
    if (fits) for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(width);
    else expect(Math.max(...lines.map((l) => l.length))).toBeGreaterThan(width);

    for (const r of DEMO) {
      const id = r.campaignId ?? '(orphan)';
      const line = r.campaignId ? lineOf(text, id) : (lines.find((l) => l.startsWith('(orphan)')) ?? '');
      expect(line, id).not.toBe('');
      // The plan's name (an orphan: the platform's), whole or clipped with "…", never the id alone.
      const name = r.campaignName ?? r.platformCampaignName ?? '';
      const shown = line.slice(11).split(/\s{2,}/)[0] ?? '';
      if (shown.endsWith('…')) expect(name.startsWith(shown.slice(0, -1)), `${shown} of ${name}`).toBe(true);
      else expect(shown).toBe(name);
      // Amounts whole, with thousands separators: with cents, or rounded to whole units when the room is short.
      for (const v of [r.targetSpend, r.actualSpend]) {
        if (v === null) continue;
        expect(line, `${id} ${v}`).toContain(cents ? formatMoney(v) : whole(v));
      }
      if (r.variancePct !== null) expect(line).toContain(`${r.variancePct > 0 ? '+' : ''}${r.variancePct.toFixed(2)}%`);
      expect(line.split(/\s{2,}/).filter((c) => /\d/.test(c) && c.includes('…'))).toEqual([]);
      if (r.escalationId && r.status === 'awaiting_approval')
        expect(line.includes(r.escalationId), id).toBe(escalationIds);
    }
    expect(lineOf(text, 'ACM-G-007')).toMatch(/\sGBP\s/);
    expect(lineOf(text, 'ACM-M-005')).toMatch(/\sUSD\s/);
    expect(lineOf(text, 'ACM-M-001')).toMatch(/\sEUR\/USD\s/);
    // Notes under the table, wrapped to the width like the rest.
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('CUR EUR/USD: the target in EUR (the plan), the actual in USD (the platform).');
    expect(flat.includes('Amounts in whole units')).toBe(!cents);
    expect(flat.includes('`npx pacing pending` lists the questions')).toBe(!escalationIds);
  });

  it('gives names all the room there is, and no more', () => {
    const wide = fitResultsTable(DEMO, 300);
    expect(wide.lines.join('\n')).toContain('ACME | FR | Running | Retargeting');
    expect(wide.lines.join('\n')).not.toContain('…');
    const at120 = fitResultsTable(DEMO, 120);
    expect(at120.width).toBeLessThanOrEqual(120);
    expect(at120.width).toBeGreaterThanOrEqual(118);
  });

  it('merges action and status into what a buyer needs to know when they are one column', () => {
    const rows = [
      row({ campaignId: 'A', action: 'halt' }),
      row({ campaignId: 'B', action: 'halt', status: 'failed' }),
      row({ campaignId: 'C', action: 'escalate', status: 'awaiting_approval', escalationId: 'esc-1' }),
      row({ campaignId: 'D', action: 'escalate', status: 'approved', escalationId: 'esc-2' }),
    ];
    const text = resultsTable(
      rows.map((r) => ({ ...r, campaignName: 'A rather long campaign name that needs the room' })),
      60,
    );
    expect(headers(text).at(-1)).toBe('OUTCOME');
    expect(lineOf(text, 'A')).toMatch(/\shalt$/);
    expect(lineOf(text, 'B')).toMatch(/\shalt failed$/);
    expect(lineOf(text, 'C')).toMatch(/\sawaiting$/);
    expect(lineOf(text, 'D')).toMatch(/\sapproved$/);
  });

  it.each([
    ['ACME | DE | Sneakers | Prospecting | Q4', 'ACME | DE | Sneakers…'],
    ['Acme_DE_Running_PMax_Q4_Extended_Name', 'Acme_DE_Running_PMax…'],
  ])('clips %s without a dangling space or separator before the "…"', (name, shown) => {
    const text = resultsTable([row({ campaignId: 'C-1', campaignName: name })], 77);
    expect(lineOf(text, 'C-1')).toContain(`  ${shown}  `);
  });
});

describe('the currency column', () => {
  const cases: [string, Partial<ResultRow>, string][] = [
    ['plan and platform agree', { planCurrency: 'EUR', platformCurrency: 'EUR' }, 'EUR'],
    ['the platform reports another currency', { planCurrency: 'EUR', platformCurrency: 'USD' }, 'EUR/USD'],
    ['only the platform says', { planCurrency: null, currency: 'USD', platformCurrency: 'USD' }, 'USD'],
    ['only the row says', { planCurrency: null, currency: 'GBP', platformCurrency: null }, 'GBP'],
    ['nobody says', { planCurrency: null, currency: null, platformCurrency: null }, '—'],
  ];
  it.each(cases)('%s: %s', (_what, o, expected) => {
    expect(currencyCell(row(o))).toBe(expected);
  });
});

describe('how wide the terminal is', () => {
  const cases: [string, string | undefined, { isTTY?: boolean; columns?: number }, number | undefined][] = [
    ['COLUMNS wins over the terminal', '80', { isTTY: true, columns: 200 }, 80],
    ['COLUMNS for a pipe', '100', { isTTY: false }, 100],
    ['the terminal’s width without COLUMNS', undefined, { isTTY: true, columns: 132 }, 132],
    ['a pipe without COLUMNS: the default', undefined, { isTTY: false }, undefined],
    ['COLUMNS that is no width is ignored', 'wide', { isTTY: true, columns: 90 }, 90],
    ['COLUMNS too small to use is ignored', '5', { isTTY: false }, undefined],
    ['an empty COLUMNS counts as unset', '', { isTTY: false }, undefined],
  ];
  it.each(cases)('%s', (_what, env, stdout, expected) => {
    expect(terminalColumns(env, stdout)).toBe(expected);
  });
});

describe('reading order and what a large run lists', () => {
  const ids = (text: string) =>
    text
      .split('\n')
      .slice(2)
      .map((l) => l.split(/\s+/)[0])
      .filter((id) => id && /^[A-Z(]/.test(id) && id !== 'CUR' && id !== 'awaiting:');

  it('sorts by severity (rows without variance after warnings), then by money at stake', () => {
    const rows = [
      row({ campaignId: 'H-BIG', severity: 'healthy', targetSpend: 100_000, actualSpend: 105_000 }),
      row({ campaignId: 'W-SMALL', severity: 'warning', action: 'alert', targetSpend: 1_000, actualSpend: 1_150 }),
      row({ campaignId: 'C-SMALL', severity: 'critical', action: 'halt', targetSpend: 100, actualSpend: 0 }),
      row({ campaignId: 'N-ORPHANISH', severity: null, variancePct: null, action: 'escalate', targetSpend: null }),
      row({ campaignId: 'C-BIG', severity: 'critical', action: 'halt', targetSpend: 10_000, actualSpend: 14_000 }),
      row({ campaignId: 'W-BIG', severity: 'warning', action: 'alert', targetSpend: 50_000, actualSpend: 40_000 }),
    ];
    expect(ids(resultsTable(rows, 200))).toEqual(['C-BIG', 'C-SMALL', 'W-BIG', 'W-SMALL', 'N-ORPHANISH', 'H-BIG']);
  });

  it('says `paused` for a halt that left the campaign paused, not `done`', () => {
    const rows = [
      row({ campaignId: 'P1', severity: 'critical', action: 'halt', pause: 'paused' }),
      row({ campaignId: 'P2', severity: 'critical', action: 'halt', pause: 'already_paused' }),
      row({ campaignId: 'P3', severity: 'critical', action: 'halt', pause: 'would_pause' }),
      row({ campaignId: 'L1' }),
    ];
    const wide = resultsTable(rows, 200);
    expect(lineOf(wide, 'P1')).toMatch(/\shalt\s+paused$/);
    expect(lineOf(wide, 'P2')).toMatch(/\shalt\s+paused$/);
    expect(lineOf(wide, 'P3')).toMatch(/\shalt\s+would pause$/);
    expect(lineOf(wide, 'L1')).toMatch(/\slog\s+done$/);
    const narrow = resultsTable(
      rows.map((r) => ({ ...r, campaignName: 'A rather long campaign name that needs the room' })),
      60,
    );
    expect(lineOf(narrow, 'P1')).toMatch(/\spaused$/);
  });

  it('lists only the rows that need attention past 100 rows, counts the rest, and lists all with --all', () => {
    const healthy = Array.from({ length: 10_000 }, (_, i) => row({ campaignId: `H-${String(i).padStart(5, '0')}` }));
    const attention = [
      row({ campaignId: 'X-CRIT', severity: 'critical', action: 'halt', pause: 'paused', variancePct: 40 }),
      row({ campaignId: 'X-ASK', severity: 'warning', action: 'escalate', status: 'awaiting_approval' }),
    ];
    const all = [...healthy.slice(0, 5_000), ...attention, ...healthy.slice(5_000)];
    const text = resultsTable(all, 120);
    expect(ids(text).slice(0, 2)).toEqual(['X-CRIT', 'X-ASK']);
    expect(text.split('\n').filter((l) => l.startsWith('H-'))).toEqual([]);
    expect(text).toContain('…and 10,000 more healthy and logged: `--all` lists every row');
    const everything = resultsTable(all, 120, { all: true });
    expect(everything.split('\n').filter((l) => l.startsWith('H-'))).toHaveLength(10_000);
    expect(everything).not.toContain('more healthy and logged');
    // A small run lists every row.
    expect(
      resultsTable(healthy.slice(0, 100), 120)
        .split('\n')
        .filter((l) => l.startsWith('H-')),
    ).toHaveLength(100);
  });
});
