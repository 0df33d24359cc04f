// Grounded or dropped (SPEC, Explanations): a model's answer is kept only when every number it writes is one of the
// evidence's numbers (with its currency, and a percentage with its sign) and every cause it cites is one of the
// row's root cause codes, and it carries no link. Names typed by people are data: a number inside a campaign name
// never grounds a claim, so a name cannot smuggle a figure into the note (note-names.ts).
import { z } from 'zod';
import type { Evidence, Explanation, ExplanationAnswer } from './explanation.js';
import { idsOf, masked, namesOf, quoteNames } from './note-names.js';
import type { CauseCode } from './types.js';

/** The structured output asked of the model (the providers' tool or JSON schema is made from it). */
export const ANSWER_SCHEMA = z.object({
  summary: z.string().min(1).max(400).describe('Two or three sentences connecting the causes, at most 400 characters.'),
  causes: z
    .array(
      z.object({
        text: z.string().min(1).max(400).describe('One cause in words, with the figures that show it.'),
        evidence: z.array(z.string()).min(1).describe('The root cause codes this cause rests on, from rootCauses.'),
      }),
    )
    .min(1)
    .max(6),
  next_step: z.string().min(1).max(300).describe('What the buyer should do next.'),
});

export type Grounding = { ok: true; explanation: Explanation } | { ok: false; reason: string };

const round2 = (n: number): number => Math.round(n * 100) / 100;
/** Numbers compare without their sign at 2 decimals (a percentage's sign is checked apart: wrongDirection). */
const key = (n: number): string => round2(Math.abs(n)).toFixed(2);

const DATE = /\b\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\b/g;
/** A number as people write it: thousands separated by commas, apostrophes or (narrow) no-break spaces. */
const NUMBER = /\d{1,3}(?:[,'\u00a0\u202f]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?/g;

/** The numbers written in `text`, separators and currency left out. */
export function numbersIn(text: string): { written: string; value: number }[] {
  return [...text.matchAll(NUMBER)].map((m) => ({
    written: m[0],
    value: Number(m[0].replace(/[,'\u00a0\u202f]/g, '')),
  }));
}

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
/** A number written next to an ISO currency code, either side: "5,400 USD", "EUR 4,800". */
const WITH_CURRENCY = new RegExp(`(${NUMBER.source})\\s?([A-Z]{3})\\b|\\b([A-Z]{3})\\s?(${NUMBER.source})`, 'g');

/** The amounts written with a currency in `text`: `[key of the number, currency code]`. */
function amountsIn(text: string): { written: string; key: string; currency: string }[] {
  return [...text.matchAll(WITH_CURRENCY)]
    .map((m) => ({ written: m[0], number: m[1] ?? m[4] ?? '', currency: m[2] ?? m[3] ?? '' }))
    .filter((a) => CURRENCIES.has(a.currency))
    .map((a) => ({
      written: a.written,
      key: key(Number(a.number.replace(/[,'\u00a0\u202f]/g, ''))),
      currency: a.currency,
    }));
}

/**
 * The currencies the evidence holds amounts in, and each amount with its currency: from the figures (an amount and
 * its currency), the forecast and platform facts (each in one currency), and our own texts ("5,400.00 USD").
 */
function currenciesOf(evidence: Evidence): { currencies: Set<string>; amounts: Set<string> } {
  const currencies = new Set<string>();
  const amounts = new Set<string>();
  const add = (n: unknown, currency: unknown): void => {
    if (typeof currency !== 'string') return;
    currencies.add(currency);
    if (typeof n === 'number') amounts.add(`${key(n)} ${currency}`);
  };
  for (const v of Object.values(evidence.figures)) if (v !== null && typeof v === 'object') add(v.amount, v.currency);
  add(null, evidence.figures.currency);
  add(null, evidence.figures.platformCurrency);
  for (const v of Object.values(evidence.forecast ?? {})) add(v, evidence.forecast?.currency);
  for (const v of Object.values(evidence.platformFacts)) add(v, evidence.platformFacts.budgetCurrency);
  const texts = [evidence.decision.reason, ...evidence.rootCauses.map((c) => c.message)];
  for (const t of texts)
    for (const a of amountsIn(masked(t, namesOf(evidence), idsOf(evidence)))) amounts.add(`${a.key} ${a.currency}`);
  return { currencies, amounts };
}

/**
 * A currency written with a number must be one the evidence holds amounts in; when the row has amounts in two
 * currencies (spend in another than the plan), the number must be an amount in that very currency.
 */
function wrongCurrency(text: string, evidence: Evidence): string | null {
  const { currencies, amounts } = currenciesOf(evidence);
  for (const a of amountsIn(text)) {
    if (!currencies.has(a.currency)) return `writes ${a.written}, but the evidence has no amount in ${a.currency}`;
    if (currencies.size > 1 && !amounts.has(`${a.key} ${a.currency}`))
      return `writes ${a.written}, but the evidence has no such amount in ${a.currency}`;
  }
  return null;
}

/** The numbers and dates the evidence holds: its figures, and those our own texts (causes, reason) state. */
export function groundsOf(evidence: Evidence): { numbers: Set<string>; dates: Set<string> } {
  const numbers = new Set<string>();
  const dates = new Set<string>();
  const names = namesOf(evidence);
  const ids = idsOf(evidence);
  const visit = (value: unknown, path: string): void => {
    if (typeof value === 'number' && Number.isFinite(value)) numbers.add(key(value));
    else if (typeof value === 'string') {
      const field = path.split('.').at(-1) ?? '';
      // Names and ids are no figures: "campaign 555" grounds no 555.
      if (path.startsWith('campaign.untrustedNames') || (/name/i.test(field) && field !== 'message')) return;
      if (field === 'id' || /Id$/.test(field)) return;
      const text = masked(value, names, ids);
      for (const d of text.match(DATE) ?? []) {
        dates.add(d);
        dates.add(d.slice(0, 10));
      }
      for (const n of numbersIn(text.replace(DATE, ' '))) numbers.add(key(n.value));
    } else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) visit(v, `${path}.${i}`);
    } else if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) visit(v, path ? `${path}.${k}` : k);
  };
  visit(evidence, '');
  return { numbers, dates };
}

/** A web address, with or without its scheme: "https://…", "hxxp://…", "www.…". */
const LINK = /\S*:\/\/\S*|\bwww\.\S*/i;

const OVER = 'over|above|ahead';
const UNDER = 'under|below|behind';
/** A percentage, its sign if written, and the over/under word right after it or right before ("under plan by"). */
const PERCENT = new RegExp(
  `(?:\\b(${OVER}|${UNDER})(?:\\s+(?:plan|target|budget))?\\s+by\\s+)?([+\\-−]?)(${NUMBER.source})\\s?%(?:\\s+(${OVER}|${UNDER})\\b)?`,
  'gi',
);

/** The signs the evidence gives each percentage's size: the variance, the forecast's, the history's, the causes'. */
function signedPercentages(evidence: Evidence): Map<string, Set<number>> {
  const signs = new Map<string, Set<number>>();
  const add = (v: unknown): void => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return;
    const set = signs.get(key(v)) ?? new Set<number>();
    if (v >= 0) set.add(1);
    if (v <= 0) set.add(-1);
    signs.set(key(v), set);
  };
  add(evidence.figures.variancePct);
  add(evidence.forecast?.projectedVariancePct);
  for (const v of evidence.history?.variances ?? []) add(v);
  for (const c of evidence.rootCauses)
    for (const [k, v] of Object.entries(c.evidence)) if (/pct|percent|variance/i.test(k)) add(v);
  return signs;
}

/**
 * Percentages as given (SPEC): one written with a sign, or with "over"/"under" next to it, must have that sign in
 * the evidence — "40 % under plan" for a +40 % variance is dropped, though the number is right.
 */
function wrongDirection(text: string, evidence: Evidence): string | null {
  const signs = signedPercentages(evidence);
  for (const m of text.matchAll(PERCENT)) {
    const [written, before, sign, number, after] = m;
    const allowed = signs.get(key(Number((number ?? '').replace(/[,'\u00a0\u202f]/g, ''))));
    const word = (after ?? before ?? '').toLowerCase();
    const direction = sign ? (sign === '+' ? 1 : -1) : word ? (new RegExp(`^(${OVER})$`).test(word) ? 1 : -1) : 0;
    if (!allowed || direction === 0 || allowed.has(direction)) continue;
    return `writes ${written.trim()}, but the evidence has that percentage ${direction > 0 ? 'under' : 'over'} plan`;
  }
  return null;
}

/**
 * Checks a model's answer against the row's evidence: the shape (SPEC's structured output), every cited code one
 * of the row's root causes, every date and number one the evidence holds. Returns the note, or why it was dropped.
 */
export function ground(answer: unknown, evidence: Evidence, model: string): Grounding {
  // Fake models and lenient servers do not hold the answer to the schema: it is checked here, always.
  const parsed = ANSWER_SCHEMA.safeParse(answer);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      reason: `malformed answer: ${issue?.path.join('.') || 'answer'} ${issue?.message ?? ''}`.trim(),
    };
  }
  const a: ExplanationAnswer = parsed.data;
  const codes = new Set<string>(evidence.rootCauses.map((c) => c.code));
  for (const c of a.causes)
    for (const code of c.evidence)
      if (!codes.has(code)) return { ok: false, reason: `cites ${code}, which is not one of the row's root causes` };
  const { numbers, dates } = groundsOf(evidence);
  const texts = [a.summary, ...a.causes.map((c) => c.text), a.next_step];
  const names = namesOf(evidence);
  const ids = idsOf(evidence);
  // A note has no reason to link, and Slack turns a bare address into a link on an approval card: dropped.
  const link = texts.join(' ').match(LINK);
  if (link) return { ok: false, reason: `writes a link (${link[0]}): a note never links` };
  for (const text of texts) {
    const plain = masked(text, names, ids);
    for (const d of plain.match(DATE) ?? [])
      if (!dates.has(d) && !dates.has(d.slice(0, 10)))
        return { ok: false, reason: `writes the date ${d}, which the evidence does not hold` };
    for (const n of numbersIn(plain.replace(DATE, ' ')))
      if (!numbers.has(key(n.value)))
        return { ok: false, reason: `writes the number ${n.written}, which the evidence does not hold` };
    const wrong = wrongCurrency(plain, evidence) ?? wrongDirection(plain, evidence);
    if (wrong) return { ok: false, reason: wrong };
  }
  return {
    ok: true,
    explanation: {
      // Names in quotes: what a name says is shown as a name typed by people, never as the model's analysis.
      summary: plainText(quoteNames(a.summary, names)),
      causes: a.causes.map((c) => ({
        text: plainText(quoteNames(c.text, names)),
        evidence: [...new Set(c.evidence)] as CauseCode[],
      })),
      nextStep: plainText(quoteNames(a.next_step, names)),
      model: plainText(model),
    },
  };
}

/** One line of plain text: control characters (a terminal's escape sequences, line breaks) become spaces. */
const plainText = (text: string): string =>
  text
    .replace(/\p{Cc}/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
