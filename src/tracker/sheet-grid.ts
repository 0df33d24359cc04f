// A Google Sheet's values (Sheets API v4 `values.get`, unformatted) as the tracker's rows: the records the CSV
// reader would give, numbered as the sheet numbers its rows, then the same validation.
import type { Plan } from '../agent/ports.js';
import { DataError } from '../errors.js';
import { checkHeader, type TrackerRecord, type UnreadableRecord, validateRecords } from './validate.js';

/** A `ValueRange` as values.get answers it: `values` is left out when the range is empty. */
export interface SheetValues {
  /** The range the values cover, in A1 notation ("Plan!A1:M22"): its first row is the sheet row of `values[0]`. */
  range: string;
  values?: unknown[][];
}

/** Columns holding ids: a long id typed as a number has lost its last digits in the sheet already. */
const ID_COLUMNS = new Set(['campaign_id', 'platform_campaign_id']);
/** Sheets keeps 15 significant digits of a number; an integer this long may not be what was typed. */
const EXACT_DIGITS = 1e15;

/**
 * The plan in a sheet's values. `name` names the sheet in messages ("sheet "Plan" of spreadsheet 1AbC…"). Rows
 * before the header and blank rows are skipped, as a CSV's blank lines are; a row's cells missing at its end are
 * missing values (Sheets leaves empty trailing cells out).
 */
export function planFromSheet(sheet: SheetValues, name: string): Plan {
  const first = firstRowOf(sheet.range);
  const grid = sheet.values ?? [];
  const headerIndex = grid.findIndex((row) => !isBlank(row));
  if (headerIndex < 0)
    throw new DataError(`The tracker ${name} is empty: it needs a header row.`, name, first, 'data_invalid');
  const headerAt = first + headerIndex;
  const header = (grid[headerIndex] ?? []).map((c) => cellText(c).trim().toLowerCase());
  checkHeader(header, { name, unit: 'row', headerAt });

  const records: TrackerRecord[] = [];
  const unreadable: UnreadableRecord[] = [];
  for (let i = headerIndex + 1; i < grid.length; i++) {
    const cells = grid[i] ?? [];
    if (isBlank(cells)) continue;
    const line = first + i;
    const record: Record<string, string> = {};
    let inexact: string | null = null;
    const n = Math.min(cells.length, header.length);
    for (let c = 0; c < n; c++) {
      const column = header[c] as string;
      const cell = cells[c];
      record[column] = cellText(cell);
      if (inexact === null && ID_COLUMNS.has(column) && isInexactInteger(cell)) {
        inexact = `${column} ${record[column]} is a number of more than 15 digits, which Sheets does not keep exactly (the id may have lost its last digits): format the column as plain text (Format > Number > Plain text) and type the id again`;
      }
    }
    if (inexact === null) records.push({ line, record });
    else unreadable.push({ line, record, message: inexact });
  }
  return validateRecords(records, { unit: 'row' }, [], unreadable);
}

/**
 * A cell as the CSV would hold it: text as it is, a number in plain digits (22800, 4799.5), a boolean as Sheets
 * shows it. A number too large or small for plain digits keeps its exponent and is refused by the money check.
 */
export function cellText(cell: unknown): string {
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number') return String(cell);
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  if (cell === null || cell === undefined) return '';
  return JSON.stringify(cell);
}

function isInexactInteger(cell: unknown): boolean {
  return typeof cell === 'number' && Number.isInteger(cell) && Math.abs(cell) >= EXACT_DIGITS;
}

const isBlank = (row: readonly unknown[]): boolean => row.every((c) => cellText(c).trim() === '');

/**
 * The sheet row of a range's first cell: "Plan!B3:N" starts at row 3; a range of whole columns ("Plan!A:M") or a
 * whole sheet ("Plan") at row 1. The sheet's name may itself hold "!" (quoted), so only the part after the last
 * "!" is read.
 */
export function firstRowOf(range: string): number {
  const cells = range.slice(range.lastIndexOf('!') + 1);
  const row = /^\$?[A-Za-z]*\$?(\d+)/.exec(cells)?.[1];
  return row === undefined ? 1 : Number(row);
}
