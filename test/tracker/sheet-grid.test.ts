// A sheet's values read as the CSV's rows: numbers that arrive as numbers, trailing cells left out, rows numbered
// as the sheet numbers them, and the CSV's own validation and messages.
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { parseTracker } from '../../src/tracker/csv.js';
import { cellText, firstRowOf, planFromSheet } from '../../src/tracker/sheet-grid.js';

const HEADER = ['campaign_id', 'campaign_name', 'platform', 'market', 'product', 'start_date', 'end_date'];
const COLUMNS = [...HEADER, 'target_spend', 'budget', 'currency', 'platform_campaign_id'];
const NAME = 'sheet "Plan" of spreadsheet test';

const sheet = (values: unknown[][], range = 'Plan!A1:K100') => planFromSheet({ range, values }, NAME);
const row = (id: string, ...rest: unknown[]) => [
  id,
  `Name ${id}`,
  'google',
  'DE',
  'X',
  '2026-11-01',
  '2026-11-30',
  ...rest,
];

/** The same rows as a CSV, cells written as Sheets would show them. */
function asCsv(values: unknown[][]): string {
  return values.map((r) => r.map((c) => cellText(c)).join(',')).join('\n');
}

describe('a sheet read as tracker rows', () => {
  it('takes numbers that arrive as numbers, and leaves trailing cells out as missing values', () => {
    const plan = sheet([COLUMNS, row('c-1', 22800, 36000.5, 'eur'), row('c-2', 4799.25)]);
    expect(plan.errors).toEqual([]);
    expect(plan.rows).toMatchObject([
      { line: 2, campaignId: 'c-1', targetSpend: 22800, budget: 36000.5, currency: 'EUR' },
      { line: 3, campaignId: 'c-2', targetSpend: 4799.25, budget: null, currency: null, platformCampaignId: null },
    ]);
  });

  it.each<[string, unknown[], string]>([
    ['a negative number', row('c-1', -5), 'target_spend -5 is negative'],
    ['a number given as text', row('c-1', 'TBD'), 'target_spend "TBD" is not a number'],
    [
      'a date shown in another format',
      ['c-1', 'A', 'google', 'DE', 'X', '11/1/2026', '2026-11-30', 1],
      'start_date "11/1/2026" is not a date as YYYY-MM-DD',
    ],
    [
      'a date cell formatted as a number',
      ['c-1', 'A', 'google', 'DE', 'X', 46327, '2026-11-30', 1],
      'start_date "46327" is not a date as YYYY-MM-DD; start_date is after end_date',
    ],
    [
      'a checkbox in the platform column',
      ['c-1', 'A', true, 'DE', 'X', '2026-11-01', '2026-11-30', 1],
      'platform "true" is not supported (use google or meta)',
    ],
    [
      'a row cut short before its dates',
      ['c-1', 'A', 'google', 'DE', 'X'],
      'start_date is missing; end_date is missing',
    ],
  ])('reports %s with the CSV message', (_name, cells, message) => {
    const plan = sheet([COLUMNS, cells]);
    expect(plan.errors).toEqual([{ line: 2, message }]);
    expect(parseTracker(asCsv([COLUMNS, cells])).errors).toEqual([{ line: 2, message }]);
  });

  it("gives the CSV reader's rows, errors and rejected rows for the same cells", () => {
    const values = [
      COLUMNS,
      row('c-1', 1000, 2000),
      row('c-2', 'TBD', 2000),
      row('c-3', 3000, 1000),
      ['c-4', 'D', 'tiktok', 'DE', 'X', '2026-11-01', '2026-11-30', 10],
      row('c-5', 5, '', 'gbp', '21098765432'),
    ];
    const fromSheet = sheet(values);
    const fromCsv = parseTracker(asCsv(values));
    expect(fromSheet).toEqual(fromCsv);
    expect(fromSheet.errors.map((e) => e.line)).toEqual([3, 4, 5]);
  });

  it("numbers rows as the sheet does: from the range's first row, blank rows counted and skipped", () => {
    const plan = sheet([[], COLUMNS, row('c-1', 1), [], ['', ''], row('c-2', 'x')], 'Plan!A3:K200');
    expect(plan.rows.map((r) => r.line)).toEqual([5]);
    expect(plan.errors).toEqual([{ line: 8, message: 'target_spend "x" is not a number' }]);
  });

  it('names sheet rows, not lines, where a message points at another row', () => {
    const plan = sheet([COLUMNS, row('c-1', 1), row('c-1', 2)]);
    expect(plan.errors).toEqual([
      { line: 3, message: 'campaign_id c-1 is a duplicate of row 2; only the first is used' },
    ]);
  });

  it('refuses an id typed as a number of more than 15 digits: Sheets has already changed its last digits', () => {
    const plan = sheet([COLUMNS, row('c-1', 1, '', '', 23850000000000100), row('c-2', 1, '', '', 21098765432)]);
    expect(plan.errors).toEqual([
      {
        line: 2,
        message: expect.stringMatching(
          /^platform_campaign_id 23850000000000100 is a number of more than 15 digits, .*format the column as plain text/,
        ),
      },
    ]);
    expect(plan.rejected).toMatchObject([{ line: 2, campaignName: 'Name c-1', platform: 'google' }]);
    expect(plan.rows).toMatchObject([{ campaignId: 'c-2', platformCampaignId: '21098765432' }]);
  });

  it.each<[string, unknown[][], RegExp]>([
    ['an empty sheet', [], /^The tracker sheet "Plan" of spreadsheet test is empty: it needs a header row\.$/],
    ['a sheet of blank rows', [[], ['']], /is empty: it needs a header row/],
    [
      'a header without target_spend',
      [HEADER, row('c-1')],
      /lacks required column\(s\) target_spend in its header \(row 1\)\.$/,
    ],
    [
      'a column named twice',
      [[...COLUMNS, 'Budget']],
      /names budget twice \(columns 9 and 12\) in its header \(row 1\)/,
    ],
  ])('stops at %s, naming the sheet and the row', (_name, values, message) => {
    const read = () => sheet(values);
    expect(read).toThrow(DataError);
    expect(read).toThrow(message);
  });

  it("names the header's own row when the range starts lower", () => {
    expect(() => sheet([[], HEADER], 'Plan!B4:M')).toThrow(/in its header \(row 5\)/);
  });
});

describe('the first row of a range', () => {
  it.each<[string, number]>([
    ['Plan!A1:M22', 1],
    ['Plan!B3:N', 3],
    ['Plan!$C$12:$M$40', 12],
    ['Plan!A:M', 1],
    ['Plan', 1],
    ["'Plan! Q4'!A7:M9", 7],
  ])('%s starts at row %i', (range, first) => {
    expect(firstRowOf(range)).toBe(first);
  });
});
