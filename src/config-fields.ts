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
