// Reads the plan from tracker.csv into validated rows; bad rows are reported by line, good rows kept.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Plan, PlanSource, RowError } from '../agent/ports.js';
import { PLATFORMS, type PlanRow, type RejectedRow } from '../domain/types.js';
import { DataError } from '../errors.js';

export type { Plan, RowError };

/** The tracker as a CSV file. */
export class CsvPlanSource implements PlanSource {
  readonly description: string;
  constructor(private readonly file: string) {
    this.description = `tracker ${file}`;
  }
  async read(): Promise<Plan> {
    return readTracker(this.file);
  }
}

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

const text = (column: string) =>
  z
    .string({ error: `${column} is missing` })
    .trim()
    .min(1, `${column} is empty`);
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : null));

const MONEY = /^(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$/;
const money = (column: string) =>
  z
    .string({ error: `${column} is missing` })
    .trim()
    .min(1, `${column} is empty`)
    .superRefine((v, ctx) => {
      if (/^-/.test(v) && MONEY.test(v.slice(1)))
        ctx.addIssue({ code: 'custom', message: `${column} ${v} is negative` });
      else if (!MONEY.test(v)) ctx.addIssue({ code: 'custom', message: `${column} "${v}" is not a number` });
    })
    .transform((v) => Number(v.replaceAll(',', '')));
const optionalMoney = (column: string) =>
  z
    .string()
    .trim()
    .optional()
    .pipe(z.union([z.literal('').transform(() => null), z.undefined().transform(() => null), money(column)]));

const date = (column: string) =>
  text(column).superRefine((v, ctx) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || !isCalendarDate(v)) {
      ctx.addIssue({ code: 'custom', message: `${column} "${v}" is not a date as YYYY-MM-DD` });
    }
  });

function isCalendarDate(v: string): boolean {
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v);
}

const RowSchema = z
  .object({
    campaign_id: text('campaign_id'),
    campaign_name: text('campaign_name'),
    platform: z
      .string({ error: 'platform is missing' })
      .trim()
      .transform((v) => v.toLowerCase())
      .pipe(z.enum(PLATFORMS, { error: (i) => `platform "${String(i.input)}" is not supported (use google or meta)` })),
    market: text('market'),
    product: text('product'),
    start_date: date('start_date'),
    end_date: date('end_date'),
    target_spend: money('target_spend'),
    budget: optionalMoney('budget'),
    currency: optionalText.refine((v) => v === null || /^[A-Za-z]{3}$/.test(v), {
      message: 'currency must be a 3-letter ISO code such as EUR',
    }),
    owner_slack_id: optionalText.refine((v) => v === null || /^[UW][A-Z0-9]+$/.test(v), {
      message: 'owner_slack_id must be a Slack user id such as U0123ABCD',
    }),
    platform_campaign_id: optionalText,
  })
  .refine((r) => r.start_date <= r.end_date, { message: 'start_date is after end_date', path: ['start_date'] });

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
  const errors: RowError[] = [];
  let header: string[] = [];
  const records = parse(content, {
    columns: (h: string[]) => {
      header = h.map((c) => c.trim().toLowerCase());
      return header;
    },
    info: true,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      if (err) errors.push({ line: Number(err.lines) || 0, message: `Unreadable CSV: ${err.message}` });
      return undefined;
    },
  }) as { record: Record<string, string>; info: { lines: number } }[];

  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (header.length === 0) throw new DataError(`The tracker ${file} is empty: it needs a header row.`, file, 1);
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
  for (const { record, info } of records) {
    const line = info.lines;
    if (Object.values(record).every((v) => (v ?? '').trim() === '')) {
      errors.push({ line, message: 'the row is empty (only separators); it was skipped' });
      continue;
    }
    const parsed = RowSchema.safeParse(record);
    if (!parsed.success) {
      reject(line, record, parsed.error.issues.map((i) => i.message).join('; '));
      continue;
    }
    const r = parsed.data;
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
    });
  }
  errors.sort((a, b) => a.line - b.line);
  return { rows, errors, rejected };
}
