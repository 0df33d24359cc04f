// The shapes of single settings (numbers with ranges, times, zones, cron, id lists): validated by zod, each
// refusal a message that names what is allowed. config.ts puts them together.
import { z } from 'zod';

export const num = (min: number, max = Number.POSITIVE_INFINITY) =>
  z
    .string()
    .trim()
    .refine((v) => /^-?\d+(\.\d+)?$/.test(v), { message: 'must be a decimal number' })
    .transform(Number)
    .refine((v) => v >= min && v <= max, {
      message: `must be a number from ${min}${max < Number.POSITIVE_INFINITY ? ` to ${max}` : ' up'}`,
    });

export const whole = (min: number) =>
  z
    .string()
    .trim()
    .refine((v) => /^\d+$/.test(v) && Number(v) >= min && Number.isSafeInteger(Number(v)), {
      message: `must be a whole number from ${min} up`,
    })
    .transform(Number);

export const isoTime = z
  .string()
  .refine(
    (v) =>
      !Number.isNaN(Date.parse(v)) && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v),
    {
      message: 'must be an ISO 8601 time with a UTC offset, such as 2026-11-20T09:00:00Z',
    },
  );

export const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as Europe/Berlin or UTC' },
);

export const cron = z.string().refine((v) => v === 'off' || /^\S+(\s+\S+){4,5}$/.test(v.trim()), {
  message: 'must be a cron expression with 5 or 6 fields, or "off"',
});

export const slackUserList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .refine((ids) => ids.every((id) => /^[UW][A-Z0-9]+$/.test(id)), {
    message: 'must be comma-separated Slack user ids such as U0123ABCD',
  });

export type Source = 'fixtures' | 'live';
export const platformSources = z.string().transform((v, ctx) => {
  const text = v.trim().toLowerCase();
  if (text === 'fixtures' || text === 'live') return { google: text, meta: text } as Record<'google' | 'meta', Source>;
  const out: Record<'google' | 'meta', Source> = { google: 'fixtures', meta: 'fixtures' };
  for (const part of text.split(',')) {
    const [name, source] = part.split('=').map((x) => x.trim());
    if ((name !== 'google' && name !== 'meta') || (source !== 'fixtures' && source !== 'live')) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be fixtures, live, or per platform such as google=live,meta=fixtures',
      });
      return z.NEVER;
    }
    out[name] = source;
  }
  return out;
});

export const namingPattern = z.string().refine(
  (v) => {
    try {
      new RegExp(v);
      return v.includes('(?<market>') && v.includes('(?<product>');
    } catch {
      return false;
    }
  },
  { message: 'must be a regular expression with named groups (?<market>…) and (?<product>…)' },
);

export function idList(what: string, shape: RegExp, clean: (v: string) => string) {
  return z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => clean(s.trim()))
        .filter(Boolean),
    )
    .refine((ids) => ids.length > 0 && ids.every((id) => shape.test(id)), {
      message: `must be comma-separated ${what}`,
    });
}

/** The 32-character Integration Key of a PagerDuty "Events API v2" integration (or of an event ruleset). */
export const pagerDutyRoutingKey = z
  .string()
  .trim()
  .refine((v) => /^[A-Za-z0-9]{32}$/.test(v), {
    message: 'must be the 32-character Integration Key of a PagerDuty "Events API v2" integration',
  });

export const port = z
  .string()
  .refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535, {
    message: 'must be a port number from 1 to 65535',
  })
  .transform(Number);

/** A Slack id of one kind (its shape and leading letters); `what` names the kind with an example. */
export const slackId = (shape: RegExp, what: string) => z.string().trim().regex(shape, `must be a Slack ${what}`);

/** A Google Ads manager account id, dashes allowed. */
export const managerAccountId = z
  .string()
  .transform((v) => v.replaceAll('-', ''))
  .refine((v) => /^\d{10}$/.test(v), { message: 'must be a 10-digit manager account id' });

export const flag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no'].includes(v), { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const currencyCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter ISO currency code such as EUR')
  .transform((v) => v.toUpperCase());

/** One of a few words, in any case: "must be a, b or c" names them when it is not. */
export function choice<const T extends readonly [string, ...string[]]>(values: T) {
  const named = values.length === 1 ? values[0] : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
  return z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(values, { error: `must be ${named}` }));
}

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
