// The checks every tracker source shares (tracker.csv, a Google Sheet): its header, then each row through
// RowSchema, duplicate ids and pins, and twin rows. Bad rows are reported where they are (a CSV line, a sheet
// row) and good rows kept; only a header that cannot be used throws.
import type { Plan } from '../agent/ports.js';
import type { RowError } from '../domain/records.js';
import type { PlanRow, RejectedRow } from '../domain/types.js';
import { DataError } from '../errors.js';
import { plainRow, RowSchema } from './row.js';
import { twinRows } from './twins.js';

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

/** Where the rows come from, as messages name it. */
export interface TrackerPlace {
  /** "tracker.csv", or the sheet and its spreadsheet: "The tracker <name> …". */
  name: string;
  /** What a place in it is called: a CSV has lines, a sheet has rows. Both are counted from 1, the header included. */
  unit: 'line' | 'row';
  /** Where the header was read. */
  headerAt: number;
  /** Added to the message about missing columns (a CSV saved with ";" says so). */
  missingHint?: (header: readonly string[]) => string;
}

/** One row as read, its values by lower-cased column name; a value missing at the row's end is absent. */
export interface TrackerRecord {
  line: number;
  record: Record<string, string>;
}

/** A row its source could not read as a row (a stray quote, a number a sheet cannot hold exactly). */
export interface UnreadableRecord extends TrackerRecord {
  message: string;
}

/** Throws DataError when the header cannot be used: empty, a column named twice, a required one missing. */
export function checkHeader(header: readonly string[], place: TrackerPlace): void {
  const at = `${place.unit} ${place.headerAt}`;
  if (header.length === 0)
    throw new DataError(`The tracker ${place.name} is empty: it needs a header row.`, place.name, place.headerAt);
  const duplicated = [...new Set(header.filter((c, i) => c !== '' && header.indexOf(c) !== i))];
  if (duplicated.length > 0) {
    const named = duplicated.map((c) => {
      const cols = header.flatMap((h, i) => (h === c ? [i + 1] : []));
      return `${c} ${cols.length === 2 ? 'twice' : `${cols.length} times`} (columns ${cols.slice(0, -1).join(', ')} and ${cols.at(-1)})`;
    });
    throw new DataError(
      `The tracker ${place.name} names ${named.join(' and ')} in its header (${at}): it would be ambiguous which ${duplicated.join(' or ')} column holds the value. Keep one column of each name.`,
      place.name,
      place.headerAt,
    );
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new DataError(
      `The tracker ${place.name} lacks required column(s) ${missing.join(', ')} in its header (${at}).${place.missingHint?.(header) ?? ''}`,
      place.name,
      place.headerAt,
    );
  }
}

/**
 * Validates the rows under a checked header. `errors` are problems already found (they are kept, and sorted in
 * with the rest); `unreadable` rows are reported and remembered as rejected, so their campaigns are not orphans.
 */
export function validateRecords(
  records: readonly TrackerRecord[],
  place: Pick<TrackerPlace, 'unit'>,
  errors: RowError[] = [],
  unreadable: readonly UnreadableRecord[] = [],
): Plan {
  const unit = place.unit;
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
  for (const u of unreadable) reject(u.line, u.record, u.message);
  for (const { record, line } of records) {
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
      reject(
        line,
        record,
        `campaign_id ${r.campaign_id} is a duplicate of ${unit} ${firstLine}; only the first is used`,
      );
      continue;
    }
    const pinKey = `${r.platform}:${r.platform_campaign_id}`;
    const pinnedLine = r.platform_campaign_id === null ? undefined : pinned.get(pinKey);
    if (pinnedLine !== undefined) {
      reject(line, record, `platform_campaign_id ${r.platform_campaign_id} is already pinned by ${unit} ${pinnedLine}`);
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
      const message = `campaign_id ${r.campaignId} describes the same campaign as ${unit}${others.length > 1 ? 's' : ''} ${others.join(', ')} (same name, market, product and flight): which row is its plan cannot be told, so neither is used. Remove the extra row or pin each with platform_campaign_id`;
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
