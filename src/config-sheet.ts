// The settings of plans read from Google Sheets (SPEC, Plans from Google Sheets): which sheet, which range, where the
// API is and how to sign in. config.ts puts the fields into the one schema; the checks that need several live here.
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/** A Google spreadsheet, by its id or its URL; a URL's `gid` names the sheet (tab) it shows. */
export interface SpreadsheetRef {
  id: string;
  /** The sheet id from the URL's `#gid=` or `?gid=`, or null. */
  gid: number | null;
}

/** The Google Sheet the plan is read from (SPEC, Plans from Google Sheets). */
export interface SheetSettings {
  spreadsheet: SpreadsheetRef;
  /** TRACKER_SHEET_RANGE; null reads the sheet the URL's gid names, else the first. */
  range: string | null;
  apiUrl: string;
  /** GOOGLE_APPLICATION_CREDENTIALS: a service-account key file; null signs in with the Google Ads OAuth client. */
  credentialsFile: string | null;
}

const SPREADSHEET_ID = /^[A-Za-z0-9_-]{20,}$/;
export const spreadsheet = z
  .string()
  .trim()
  .transform((v, ctx): SpreadsheetRef => {
    if (SPREADSHEET_ID.test(v)) return { id: v, gid: null };
    const fromUrl = /^https:\/\/docs\.google\.com\/spreadsheets\/(?:u\/\d+\/)?d\/([A-Za-z0-9_-]{20,})(?:[/?#]|$)/.exec(
      v,
    );
    if (fromUrl) {
      const gid = /[#?&]gid=(\d+)/.exec(v)?.[1];
      return { id: fromUrl[1] as string, gid: gid === undefined ? null : Number(gid) };
    }
    ctx.addIssue({
      code: 'custom',
      message:
        "must be a spreadsheet's id (the part after /d/ in its URL) or its URL, such as https://docs.google.com/spreadsheets/d/1AbC…/edit",
    });
    return z.NEVER;
  });

/** A range in A1 notation: a sheet's name ("Plan", "'Media plan'") or part of one ("Plan!A1:M500"). */
export const sheetRange = z
  .string()
  .trim()
  .refine((v) => v.length <= 200 && !/[\r\n]/.test(v), {
    message: "must be a sheet's name such as Plan, or a range such as Plan!A1:M500, on one line",
  });

export const SHEET_FIELDS = {
  TRACKER_SHEET: spreadsheet.optional(),
  TRACKER_SHEET_RANGE: sheetRange.optional(),
  SHEETS_API_URL: z
    .url({ error: 'must be a URL such as https://sheets.googleapis.com' })
    .default('https://sheets.googleapis.com'),
  GOOGLE_APPLICATION_CREDENTIALS: z.string().trim().optional(),
};

type SheetEnv = z.infer<z.ZodObject<typeof SHEET_FIELDS>>;

/** The sheet the plan is read from, or null for tracker.csv; a range without a sheet is named. */
export function sheetSettings(e: SheetEnv): SheetSettings | null {
  if (e.TRACKER_SHEET_RANGE && !e.TRACKER_SHEET)
    throw new ConfigError('TRACKER_SHEET_RANGE', 'TRACKER_SHEET_RANGE is set but TRACKER_SHEET is not: set both.');
  if (!e.TRACKER_SHEET) return null;
  return {
    spreadsheet: e.TRACKER_SHEET,
    range: e.TRACKER_SHEET_RANGE ?? null,
    apiUrl: e.SHEETS_API_URL.replace(/\/+$/, ''),
    credentialsFile: e.GOOGLE_APPLICATION_CREDENTIALS ? resolve(e.GOOGLE_APPLICATION_CREDENTIALS) : null,
  };
}
