// Reads the plan from tracker.csv into validated rows; bad rows are reported by line, good rows kept.

import { readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Plan, PlanSource } from '../agent/ports.js';
import type { RowError } from '../domain/records.js';
import { DataError } from '../errors.js';
import { checkHeader, validateRecords } from './validate.js';

/** The tracker as a CSV file. */
export class CsvPlanSource implements PlanSource {
  readonly description: string;
  /**
   * The last plan read, kept while the file's size and modification time stay the same: a server's scheduled
   * runs read an unchanged tracker again and again, and validating 10,000 rows costs a quarter of a second.
   */
  private cache: { key: string; plan: Plan } | null = null;

  constructor(private readonly file: string) {
    this.description = `tracker ${file}`;
  }

  async read(): Promise<Plan> {
    let key: string | null = null;
    try {
      const st = statSync(this.file);
      key = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      // readTracker says what is wrong with the file.
    }
    if (key !== null && this.cache?.key === key) return copyPlan(this.cache.plan);
    const plan = readTracker(this.file);
    if (key !== null) this.cache = { key, plan };
    return copyPlan(plan);
  }
}

/** A copy a run may change without touching the kept plan (rows are replaced, never edited in place). */
const copyPlan = (p: Plan): Plan => ({
  rows: [...p.rows],
  errors: [...p.errors],
  ...(p.rejected ? { rejected: [...p.rejected] } : {}),
});

/** Reads and validates the tracker; throws DataError only when the file as a whole is unusable. */
export function readTracker(file: string): Plan {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DataError(
      `Cannot read the tracker ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}. Set PACING_DATA_DIR to a folder with tracker.csv.`,
      file,
      null,
      'data_unreadable',
    );
  }
  return parseTracker(content, file);
}

export function parseTracker(content: string, file = 'tracker.csv'): Plan {
  const first = parseCsv(content);
  let { records, header, errors, headerLine } = first;
  // A stray quote makes csv-parse read every row after it as one value: skip the row where it opens, read the rest.
  let skipped: (StrayQuote & { text: string })[] = [];
  if (first.quoteTrouble) {
    const delimiter = /\r\n|\n|\r/.exec(content)?.[0] ?? '\n';
    const lines = content.split(delimiter);
    const strays = findStrayQuotes(lines);
    if (strays.some((q) => q.start === 1)) {
      throw new DataError(
        `The tracker ${file} has an unclosed quote in its header (line 1): it swallows the rows after it. Remove the stray " or close the quote.`,
        file,
        1,
      );
    }
    if (strays.length > 0) {
      skipped = strays.map((q) => ({ ...q, text: lines.slice(q.start - 1, q.open).join('\n') }));
      for (const q of strays) lines.fill('', q.start - 1, q.open); // blanked, so the lines after keep their numbers
      ({ records, header, errors, headerLine } = parseCsv(lines.join(delimiter)));
    }
  }

  // A header csv-parse could not read is skipped like a bad row: the next row would then be taken for it.
  const unreadableHeader = errors.find((e) => headerLine === null || e.line <= headerLine);
  if (unreadableHeader) {
    throw new DataError(
      `The tracker ${file} has a header it cannot read (line ${unreadableHeader.line}): ${unreadableHeader.message.replace(/^Unreadable CSV: /, '')}. Fix the header row.`,
      file,
      unreadableHeader.line,
    );
  }
  checkHeader(header, {
    name: file,
    unit: 'line',
    headerAt: 1,
    missingHint: (h) =>
      h.length === 1 && /[;\t]/.test(h[0] ?? '')
        ? ' It seems to use ";" or tabs between columns: save it as CSV with commas.'
        : '',
  });
  const unreadable = skipped.map((q) => ({
    line: q.open,
    record: naiveRecord(q.text, header),
    message: `an unclosed quote starts here (in ${header[q.field] || `column ${q.field + 1}`}), so the rows after it would be read as one value; the row was skipped. Remove the stray " or close the quote.`,
  }));
  return validateRecords(
    records.map((r) => ({ line: r.info.lines, record: r.record })),
    { unit: 'line' },
    errors,
    unreadable,
  );
}

type CsvRecord = { record: Record<string, string>; info: { lines: number } };

/**
 * One pass of csv-parse; `quoteTrouble` tells a quote that may have swallowed rows (never closed, or closed amiss).
 * Records are read as arrays and named here, as csv-parse's `columns` would (the first record is the header,
 * missing fields are absent, extra ones dropped): its own naming is a third of the parse at 10,000 rows.
 */
function parseCsv(content: string): {
  records: CsvRecord[];
  header: string[];
  errors: RowError[];
  quoteTrouble: boolean;
  /** The line the header was read from; null when no record could be read at all. */
  headerLine: number | null;
} {
  const errors: RowError[] = [];
  let quoteTrouble = false;
  const raw = parse(content, {
    info: true,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      if (err) {
        if (err.code === 'CSV_QUOTE_NOT_CLOSED' || err.code === 'CSV_INVALID_CLOSING_QUOTE') quoteTrouble = true;
        errors.push({ line: Number(err.lines) || 0, message: `Unreadable CSV: ${err.message}` });
      }
      return undefined;
    },
  }) as unknown as { record: string[]; info: { lines: number } }[];
  const header = (raw[0]?.record ?? []).map((c) => c.trim().toLowerCase());
  const records: CsvRecord[] = [];
  for (let i = 1; i < raw.length; i++) {
    const { record: values, info } = raw[i] as { record: string[]; info: { lines: number } };
    const record: Record<string, string> = {};
    const n = Math.min(values.length, header.length);
    for (let c = 0; c < n; c++) record[header[c] as string] = values[c] as string;
    records.push({ record, info: { lines: info.lines } });
  }
  return { records, header, errors, quoteTrouble, headerLine: raw[0]?.info.lines ?? null };
}

/** A quote that opens a field and runs past the end of its line into an error. Lines are 1-based. */
interface StrayQuote {
  /** The line where the record holding the quote starts (the same line unless an earlier field spans lines). */
  start: number;
  /** The line where the quote opens. */
  open: number;
  /** The field, 0-based, that the quote opens. */
  field: number;
}

/**
 * Finds the quotes that open a field and are not closed on their line, but only at the end of the file or by a
 * quote followed by more text (where csv-parse reports an error): each such quote is most likely stray, and
 * swallows the rows after it. A quoted value that spans lines and closes properly is left alone. Scans the way
 * csv-parse reads: a quote opens a field only as its first character, and `""` inside quotes is a quote.
 */
function findStrayQuotes(lines: string[]): StrayQuote[] {
  const strays: StrayQuote[] = [];
  let li = 0;
  while (li < lines.length) {
    // One record at a time from line li: a stray quote found, the scan goes on at the line after it.
    const start = li;
    let field = 0;
    let atFieldStart = true;
    let quote: { line: number; field: number } | null = null;
    let stray: { line: number; field: number } | null = null;
    for (; li < lines.length && stray === null; li++) {
      const l = lines[li] as string;
      for (let i = li === 0 && l.startsWith('\uFEFF') ? 1 : 0; i < l.length; i++) {
        const ch = l[i];
        if (quote) {
          if (ch !== '"') continue;
          const next = l[i + 1];
          if (next === '"') i++;
          else if (next === undefined || next === ',') quote = null;
          else if (li > quote.line) {
            stray = quote;
            break;
          }
        } else if (ch === ',') {
          field++;
          atFieldStart = true;
        } else {
          if (ch === '"' && atFieldStart) quote = { line: li, field };
          atFieldStart = false;
        }
      }
      if (stray === null && quote === null) break; // the record ends with its line
    }
    stray ??= quote;
    if (stray === null) {
      li++;
      continue;
    }
    strays.push({ start: start + 1, open: stray.line + 1, field: stray.field });
    li = stray.line + 1;
  }
  return strays;
}

/** A skipped row's values by a plain comma split, enough to name its campaign. */
function naiveRecord(text: string, header: string[]): Record<string, string> {
  const values = text.split(',').map((v) =>
    v
      .trim()
      .replace(/^"+|"+$/g, '')
      .trim(),
  );
  return Object.fromEntries(header.map((h, i) => [h, values[i] ?? '']));
}
