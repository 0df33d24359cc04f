// Whether a YYYY-MM-DD string names a real day, checked once per distinct day: trackers and daily series
// repeat the same few hundred dates tens of thousands of times.

const known = new Map<string, boolean>();
const MAX_REMEMBERED = 100_000;

export function isCalendarDate(v: string): boolean {
  let ok = known.get(v);
  if (ok === undefined) {
    const d = new Date(`${v}T00:00:00Z`);
    ok = !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v);
    if (known.size < MAX_REMEMBERED) known.set(v, ok);
  }
  return ok;
}

const parsed = new Map<string, number>();

/**
 * Date.parse, remembered: a run parses the same few dates and fetch times (flight starts and ends, a file's
 * fetched_at, "now") hundreds of thousands of times.
 */
export function msOf(text: string): number {
  let ms = parsed.get(text);
  if (ms === undefined) {
    ms = Date.parse(text);
    if (parsed.size >= MAX_REMEMBERED) parsed.clear();
    parsed.set(text, ms);
  }
  return ms;
}
