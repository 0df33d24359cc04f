// Pacing against the flight: the target to date a budget implies, where the flight ends at today's rate, and the
// daily budget that lands it on budget (SPEC, Pacing intelligence). Days are the account's (UTC for fixtures).
import { msOf } from './calendar.js';
import { round2 } from './money.js';
import type { Forecast } from './types.js';

const DAY_MS = 86_400_000;

let lastDay: { iso: string; day: string } | null = null;

/** The calendar day (YYYY-MM-DD) of an instant in a time zone (UTC when none is known). */
export function dayOf(iso: string, timeZone: string | null = null): string {
  if (timeZone === null || timeZone === 'UTC') {
    // Asked for the same "now" once per campaign: remembered.
    if (lastDay?.iso !== iso) lastDay = { iso, day: new Date(iso).toISOString().slice(0, 10) };
    return lastDay.day;
  }
  // The same "now" for every campaign of the zone: the zone's last answer is remembered.
  const last = lastDayIn.get(timeZone);
  if (last?.iso === iso) return last.day;
  const day = zoneFormat(dayFormats, timeZone, DAY_PARTS).format(new Date(iso));
  if (lastDayIn.size > 1000) lastDayIn.clear();
  lastDayIn.set(timeZone, { iso, day });
  return day;
}

const lastDayIn = new Map<string, { iso: string; day: string }>();

// One formatter per zone, made once: building an Intl.DateTimeFormat costs far more than using one, and every
// campaign of an account asks in the same zone.
const DAY_PARTS = { locale: 'en-CA', options: { year: 'numeric', month: '2-digit', day: '2-digit' } } as const;
const TIME_PARTS = {
  locale: 'en-US',
  options: {
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  },
} as const;
const dayFormats = new Map<string, Intl.DateTimeFormat>();
const timeFormats = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(
  cache: Map<string, Intl.DateTimeFormat>,
  timeZone: string,
  parts: { locale: string; options: Intl.DateTimeFormatOptions },
): Intl.DateTimeFormat {
  let f = cache.get(timeZone);
  if (!f) {
    // An unknown zone throws here, as it did when each call built its own formatter.
    f = new Intl.DateTimeFormat(parts.locale, { ...parts.options, timeZone });
    if (cache.size > 1000) cache.clear();
    cache.set(timeZone, f);
  }
  return f;
}

/** The instant a day starts (00:00) in a time zone, in ms. */
export function startOfDay(day: string, timeZone: string | null = null): number {
  const utc = utcMidnight(day);
  if (timeZone === null || timeZone === 'UTC') return utc;
  // Every campaign of a zone asks about the same few days: each day's start is worked out once.
  const key = `${timeZone} ${day}`;
  let start = zonedStarts.get(key);
  if (start === undefined) {
    // The zone's offset at that moment, found twice so a change of offset that day settles on the right side.
    start = utc - offsetMs(utc, timeZone);
    start = utc - offsetMs(start, timeZone);
    if (zonedStarts.size >= 100_000) zonedStarts.clear();
    zonedStarts.set(key, start);
  }
  return start;
}

const zonedStarts = new Map<string, number>();

function offsetMs(at: number, timeZone: string): number {
  const parts = zoneFormat(timeFormats, timeZone, TIME_PARTS).formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return local - Math.floor(at / 1000) * 1000;
}

const shifted = new Map<string, string>();

/** `day` moved by `n` days; remembered, since every campaign asks about the same few days of a run. */
export function addDays(day: string, n: number): string {
  const key = `${day}${n}`;
  let out = shifted.get(key);
  if (out === undefined) {
    out = new Date(utcMidnight(day) + n * DAY_MS).toISOString().slice(0, 10);
    if (shifted.size > 10_000) shifted.clear();
    shifted.set(key, out);
  }
  return out;
}

/** Days from `a` to `b` (b − a), both YYYY-MM-DD. */
export const daysBetween = (a: string, b: string): number => Math.round((utcMidnight(b) - utcMidnight(a)) / DAY_MS);

const midnights = new Map<string, number>();

/**
 * `msOf` of the day's 00:00 UTC, remembered by the day itself: every campaign asks about its flight's few days, and
 * building the timestamp text to look it up cost more than the lookup.
 */
function utcMidnight(day: string): number {
  let ms = midnights.get(day);
  if (ms === undefined) {
    ms = msOf(`${day}T00:00:00Z`);
    if (midnights.size >= 100_000) midnights.clear();
    midnights.set(day, ms);
  }
  return ms;
}

/** The later / earlier of two YYYY-MM-DD days (they compare as text). */
const laterDay = (a: string, b: string): string => (a >= b ? a : b);
const earlierDay = (a: string, b: string): string => (a <= b ? a : b);

let week: { today: string; days: string[] } | null = null;

/** The 7 days before `today`, oldest first; the same for every campaign of a run, so built once. */
function weekBefore(today: string): string[] {
  if (week?.today !== today) week = { today, days: [7, 6, 5, 4, 3, 2, 1].map((n) => addDays(today, -n)) };
  return week.days;
}

export interface Flight {
  startDate: string;
  endDate: string;
  timeZone?: string | null;
}

/** The share of the flight elapsed at `now`: 0 before the start date's 00:00, 1 from the end date's 24:00. */
export function elapsedShare(f: Flight, now: string): number {
  const start = startOfDay(f.startDate, f.timeZone ?? null);
  const end = startOfDay(addDays(f.endDate, 1), f.timeZone ?? null);
  if (!(end > start)) return 1;
  return Math.min(1, Math.max(0, (msOf(now) - start) / (end - start)));
}

/** What the budget plans to have spent by `now`: linear over the flight, capped at the budget. */
export function expectedToDate(budget: number, f: Flight, now: string): number {
  return round2(Math.min(budget, budget * elapsedShare(f, now)));
}

export interface ForecastInput extends Flight {
  budget: number | null;
  actualSpend: number | null;
  /** Spend per day in the account's zone, when the platform gives it (missing days spent nothing). */
  spendByDay?: Readonly<Record<string, number>> | undefined;
  /** The campaign is paused: it spends nothing more, whatever its recent days did. */
  paused?: boolean | undefined;
}

/**
 * At this rate, where the flight ends. Run rate: the mean daily spend over the last up to 7 full days before
 * today inside the flight; without a daily series (or before a full day has passed), spend to date over the
 * elapsed days. Null without a budget or spend.
 */
export function forecast(input: ForecastInput, now: string): Forecast | null {
  const { budget, actualSpend } = input;
  if (budget === null || !(budget > 0) || actualSpend === null) return null;
  const tz = input.timeZone ?? null;
  const today = dayOf(now, tz);
  const firstFull = laterDay(input.startDate, addDays(today, -7));
  const lastFull = earlierDay(input.endDate, addDays(today, -1));
  let dailyRunRate: number;
  let basis: Forecast['basis'];
  if (input.spendByDay && firstFull <= lastFull) {
    let cents = 0;
    let days = 0;
    for (const d of weekBefore(today)) {
      if (d < firstFull || d > lastFull) continue;
      cents += Math.round((input.spendByDay[d] ?? 0) * 100);
      days++;
    }
    dailyRunRate = cents / 100 / days;
    basis = 'last_7_days';
  } else {
    const elapsedDays = (msOf(now) - startOfDay(input.startDate, tz)) / DAY_MS;
    const flightDays = daysBetween(input.startDate, input.endDate) + 1;
    const days = Math.min(Math.max(elapsedDays, 0), flightDays);
    dailyRunRate = days > 0 ? actualSpend / days : 0;
    basis = 'flight_to_date';
  }
  // A paused flight's forecast is its spend so far: nothing more is spent unless someone resumes it.
  if (input.paused) dailyRunRate = 0;
  const daysLeft = today > input.endDate ? 0 : daysBetween(laterDay(today, input.startDate), input.endDate) + 1;
  const projectedSpend = round2(actualSpend + dailyRunRate * daysLeft);
  return {
    dailyRunRate: round2(dailyRunRate),
    projectedSpend,
    budget,
    projectedVariancePct: round2(((projectedSpend - budget) / budget) * 100),
    daysLeft,
    recommendedDailyBudget: daysLeft > 0 ? round2(Math.max(0, budget - actualSpend) / daysLeft) : 0,
    basis,
  };
}

/**
 * The forecast of a flight paused after it was made: its spend so far, a run rate of 0 for the days left. What
 * lands it on budget once resumed (`recommendedDailyBudget`) does not change.
 */
export function pausedForecast(f: Forecast, actualSpend: number): Forecast {
  const projectedSpend = round2(actualSpend);
  return {
    ...f,
    dailyRunRate: 0,
    projectedSpend,
    projectedVariancePct: round2(((projectedSpend - f.budget) / f.budget) * 100),
  };
}

/**
 * Yesterday against the mean of the 7 days before it, from the daily series: a spike (≥ 2×) or a stall
 * (≤ 0.25× of a mean above 0). Null without enough days.
 */
export function dailyTrend(
  spendByDay: Readonly<Record<string, number>>,
  f: Flight,
  now: string,
): { kind: 'spike' | 'stall'; yesterday: string; spend: number; mean: number } | null {
  const today = dayOf(now, f.timeZone ?? null);
  const yesterday = addDays(today, -1);
  if (yesterday < f.startDate || yesterday > f.endDate) return null;
  const from = addDays(yesterday, -7);
  if (from < f.startDate) return null; // a full week before yesterday inside the flight is needed
  let cents = 0;
  for (let d = from; d < yesterday; d = addDays(d, 1)) cents += Math.round((spendByDay[d] ?? 0) * 100);
  const mean = cents / 100 / 7;
  const spend = spendByDay[yesterday] ?? 0;
  if (mean > 0 && spend >= 2 * mean) return { kind: 'spike', yesterday, spend, mean: round2(mean) };
  if (mean > 0 && spend <= 0.25 * mean) return { kind: 'stall', yesterday, spend, mean: round2(mean) };
  return null;
}
