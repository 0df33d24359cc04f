// Reads the plan from tracker.csv into validated rows; bad rows are reported by line, good rows kept.

import { readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Plan, PlanSource } from '../agent/ports.js';
import type { RowError } from '../domain/records.js';
import type { PlanRow, RejectedRow } from '../domain/types.js';
import { DataError } from '../errors.js';
import { plainRow, RowSchema } from './row.js';
import { twinRows } from './twins.js';

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

export const REQUIRED_COLUMNS = [
  'campaign_id',
  'campaign_name',
  'platform',
  'market',
  'product',
  'start_date',
  'end_date',
  'target_spend',
] as const;

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
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (header.length === 0) throw new DataError(`The tracker ${file} is empty: it needs a header row.`, file, 1);
  const duplicated = [...new Set(header.filter((c, i) => c !== '' && header.indexOf(c) !== i))];
  if (duplicated.length > 0) {
    const named = duplicated.map((c) => {
      const at = header.flatMap((h, i) => (h === c ? [i + 1] : []));
      return `${c} ${at.length === 2 ? 'twice' : `${at.length} times`} (columns ${at.slice(0, -1).join(', ')} and ${at.at(-1)})`;
    });
    throw new DataError(
      `The tracker ${file} names ${named.join(' and ')} in its header (line 1): it would be ambiguous which ${duplicated.join(' or ')} column holds the value. Keep one column of each name.`,
      file,
      1,
    );
  }
  if (missing.length > 0) {
    throw new DataError(
      `The tracker ${file} lacks required column(s) ${missing.join(', ')} in its header (line 1).${
        header.length === 1 && /[;\t]/.test(header[0] ?? '')
          ? ' It seems to use ";" or tabs between columns: save it as CSV with commas.'
          : ''
      }`,
      file,
      1,
    );
  }

  const rows: PlanRow[] = [];
  const rejected: RejectedRow[] = [];
  const ids = new Map<string, number>();
  const pinned = new Map<string, number>();
  /** Reports a bad row and remembers which campaign it was about, so that campaign is not taken for an orphan. */
  const reject = (line: number, record: Record<string, string>, message: string) => {
    errors.push({ line, message });
    const name = record.campaign_name?.trim();
    const platform = record.platform?.trim().toLowerCase();
    if (name && (platform === 'google' || platform === 'meta')) {
      rejected.push({
        line,
        campaignName: name,
        platform,
        platformCampaignId: record.platform_campaign_id?.trim() || null,
        message,
      });
    }
  };
  for (const q of skipped) {
    reject(
      q.open,
      naiveRecord(q.text, header),
      `an unclosed quote starts here (in ${header[q.field] || `column ${q.field + 1}`}), so the rows after it would be read as one value; the row was skipped. Remove the stray " or close the quote.`,
    );
  }
  for (const { record, info } of records) {
    const line = info.lines;
    if (Object.values(record).every((v) => (v ?? '').trim() === '')) {
      errors.push({ line, message: 'the row is empty (only separators); it was skipped' });
      continue;
    }
    let r = plainRow(record);
    if (r === null) {
      const parsed = RowSchema.safeParse(record);
      if (!parsed.success) {
        reject(line, record, parsed.error.issues.map((i) => i.message).join('; '));
        continue;
      }
      r = parsed.data;
    }
    const firstLine = ids.get(r.campaign_id);
    if (firstLine !== undefined) {
      reject(line, record, `campaign_id ${r.campaign_id} is a duplicate of line ${firstLine}; only the first is used`);
      continue;
    }
    const pinKey = `${r.platform}:${r.platform_campaign_id}`;
    const pinnedLine = r.platform_campaign_id === null ? undefined : pinned.get(pinKey);
    if (pinnedLine !== undefined) {
      reject(line, record, `platform_campaign_id ${r.platform_campaign_id} is already pinned by line ${pinnedLine}`);
      continue;
    }
    ids.set(r.campaign_id, line);
    if (r.platform_campaign_id !== null) pinned.set(pinKey, line);
    rows.push({
      line,
      campaignId: r.campaign_id,
      campaignName: r.campaign_name,
      platform: r.platform,
      market: r.market,
      product: r.product,
      startDate: r.start_date,
      endDate: r.end_date,
      targetSpend: r.target_spend,
      budget: r.budget,
      currency: r.currency?.toUpperCase() ?? null,
      ownerSlackId: r.owner_slack_id,
      platformCampaignId: r.platform_campaign_id,
      // Only when set: a tracker without pools reads exactly as before.
      ...(r.budget_pool === null ? {} : { budgetPool: r.budget_pool }),
    });
  }
  const twins = twinRows(rows);
  if (twins.size > 0) {
    for (const r of rows) {
      const others = twins.get(r.line);
      if (!others) continue;
      const message = `campaign_id ${r.campaignId} describes the same campaign as line${others.length > 1 ? 's' : ''} ${others.join(', ')} (same name, market, product and flight): which row is its plan cannot be told, so neither is used. Remove the extra row or pin each with platform_campaign_id`;
      errors.push({ line: r.line, message });
      rejected.push({
        line: r.line,
        campaignName: r.campaignName,
        platform: r.platform,
        platformCampaignId: null,
        message,
      });
    }
    return { rows: rows.filter((r) => !twins.has(r.line)), errors: errors.sort((a, b) => a.line - b.line), rejected };
  }
  errors.sort((a, b) => a.line - b.line);
  return { rows, errors, rejected };
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
