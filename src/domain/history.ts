// How a campaign paced over its last runs: off plan how often, and whether that makes it a chronic offender.
import type { RunHistory, Severity } from './types.js';

/** At most this many runs count, and only those within this many days. */
export const HISTORY_RUNS = 10;
export const HISTORY_DAYS = 14;

export interface Pacing {
  severity: Severity | string | null;
  variancePct: number | null;
}

/**
 * The history of the earlier runs (oldest first) plus this one: off plan = warning or critical; chronic = at
 * least 3 off-plan runs and at least half of them.
 */
export function runHistory(earlier: readonly Pacing[], now: Pacing): RunHistory {
  // One pass, no copies: every campaign of a run asks.
  const variances: (number | null)[] = [];
  let offPlanRuns = 0;
  for (let i = Math.max(0, earlier.length - (HISTORY_RUNS - 1)); i <= earlier.length; i++) {
    const r = i < earlier.length ? (earlier[i] as Pacing) : now;
    if (r.severity === 'warning' || r.severity === 'critical') offPlanRuns++;
    variances.push(r.variancePct);
  }
  return {
    runs: variances.length,
    offPlanRuns,
    chronic: offPlanRuns >= 3 && offPlanRuns * 2 >= variances.length,
    variances,
  };
}

/** What a run learns from its campaigns' stored pacing: each one's history, and what to store for the next run. */
export interface CampaignHistories {
  /** Each campaign's history over its last runs (this one included), in the order the campaigns were given. */
  histories: RunHistory[];
  /** Each campaign's recent pacing as it is stored with its result, by key. */
  pacing: Map<string, string>;
  /** Campaigns healthy in this run and the one before: nothing to record beyond their result. */
  steady: Set<string>;
}

/**
 * How each campaign of this run (at `now`) paced over its runs within HISTORY_DAYS, from the pacing the latest
 * earlier run stored by key. A key the earlier run did not store starts its history with this run.
 */
export function campaignHistories(
  campaigns: readonly (Pacing & { key: string })[],
  earlier: ReadonlyMap<string, string>,
  now: string,
): CampaignHistories {
  const at = Date.parse(now);
  const since = at - HISTORY_DAYS * 86_400_000;
  const out: CampaignHistories = { histories: [], pacing: new Map(), steady: new Set() };
  // The same as decodePacing, runHistory and encodePacing one after the other, in one pass over each stored text
  // and without an object per stored run: 10,000 campaigns of 10 runs each, every run.
  const scan = new StoredScan();
  for (const c of campaigns) {
    const stored = earlier.get(c.key) ?? null;
    if (!stored) {
      out.histories.push(runHistory([], c));
      out.pacing.set(c.key, encodePacing(stored, at, c, since));
      continue;
    }
    scan.read(stored, since);
    out.histories.push(scan.history(c));
    const tail = scan.keptTail(stored);
    out.pacing.set(
      c.key,
      tail === null
        ? encodePacing(stored, at, c, since)
        : `${tail};${spell(at, c.severity ?? '', c.variancePct === null ? '' : String(c.variancePct))}`,
    );
    if (c.severity === 'healthy' && scan.lastSeverity === 'healthy') out.steady.add(c.key);
  }
  return out;
}

const RING = HISTORY_RUNS - 1;

/**
 * One campaign's stored pacing read in one pass: the last RING runs decodePacing would give (their severity and
 * variance), the severity of the last of them, and where the last RING runs start when every run is kept as it is
 * written (as keptTail finds). Reused from campaign to campaign.
 */
class StoredScan {
  private readonly severities: (string | null)[] = new Array(RING).fill(null);
  private readonly variances: (number | null)[] = new Array(RING).fill(null);
  private readonly starts: number[] = new Array(RING).fill(0);
  /** Runs decoded. */
  private decoded = 0;
  /** Runs seen, and whether each was kept as written (else -1). */
  private entries = 0;
  lastSeverity: string | null = null;

  read(encoded: string, since: number): void {
    this.decoded = 0;
    this.lastSeverity = null;
    let entries = 0;
    let from = 0;
    while (from <= encoded.length) {
      let end = encoded.indexOf(';', from);
      if (end < 0) end = encoded.length;
      const a = encoded.indexOf('|', from);
      const time = a > from && a < end ? timeBefore(a - from, encoded.slice(from, a)) : Number.NaN;
      // As keptTail: a bar within 8 characters and a time after `since`, or nothing is kept as written.
      if (entries >= 0) {
        if (a >= from && a < end && a - from <= 8 && (a > from ? time : Number.NaN) > since) {
          this.starts[entries % RING] = from;
          entries++;
        } else entries = -1;
      }
      // As decodePacing (which stops at the end of the text: an empty last entry is no run).
      if (from < encoded.length) {
        const b = encoded.indexOf('|', a + 1);
        if (a > from && a < end && b > a && b < end && time > since) {
          const sev = encoded.slice(a + 1, b);
          const variance = encoded.slice(b + 1, end);
          const severity = SEVERITY_OF[sev] ?? (sev ? sev : null);
          this.severities[this.decoded % RING] = severity;
          this.variances[this.decoded % RING] = variance ? Number(variance) : null;
          this.lastSeverity = severity;
          this.decoded++;
        }
      }
      from = end + 1;
    }
    this.entries = entries;
  }

  /** runHistory of the decoded runs and `now`. */
  history(now: Pacing): RunHistory {
    const variances: (number | null)[] = [];
    let offPlanRuns = 0;
    for (let i = Math.max(0, this.decoded - RING); i < this.decoded; i++) {
      const severity = this.severities[i % RING];
      if (severity === 'warning' || severity === 'critical') offPlanRuns++;
      variances.push(this.variances[i % RING] as number | null);
    }
    if (now.severity === 'warning' || now.severity === 'critical') offPlanRuns++;
    variances.push(now.variancePct);
    return {
      runs: variances.length,
      offPlanRuns,
      chronic: offPlanRuns >= 3 && offPlanRuns * 2 >= variances.length,
      variances,
    };
  }

  /** keptTail of the text read: null when a run is not kept as written. */
  keptTail(encoded: string): string | null {
    if (this.entries < 0) return null;
    const first = this.entries <= RING ? 0 : (this.starts[this.entries % RING] as number);
    return first === 0 ? encoded : encoded.slice(first);
  }
}

/**
 * One run's pacing, kept as text with the result: "at|s|variance" per run, ';'-separated, where `at` is the
 * run's time in whole seconds written in base 36 and `s` the severity's first letter (h, w, c; empty for none).
 * Ten thousand campaigns carry ten runs each every run: the earlier spelling ("1795165200000|healthy|-0.08",
 * milliseconds in decimal) was twice as long, and is still read.
 */
export function encodePacing(earlier: string | null, at: number, now: Pacing, since: number): string {
  const latest = spell(at, now.severity ?? '', now.variancePct === null ? '' : String(now.variancePct));
  // Most often every stored run is kept as written: its last runs are then a tail of the text, cut without a split.
  const tail = earlier ? keptTail(earlier, since) : null;
  if (tail !== null) return `${tail};${latest}`;
  const kept: string[] = [];
  // Every run after `since` (times are not always in order: PACING_NOW, a clock set back), the last HISTORY_RUNS − 1
  // of them kept, re-spelt when they were written the earlier way.
  for (const e of earlier ? earlier.split(';') : []) {
    const bar = e.indexOf('|');
    const ms = entryTime(e, bar);
    if (!(ms > since)) continue;
    const last = e.lastIndexOf('|');
    kept.push(bar <= 8 ? e : spell(ms, e.slice(bar + 1, last), e.slice(last + 1)));
  }
  const recent = kept.slice(-(HISTORY_RUNS - 1));
  recent.push(latest);
  return recent.join(';');
}

/**
 * The last HISTORY_RUNS − 1 runs of `encoded` as they are written, when each of its runs is kept exactly as written
 * (after `since`, in the base-36 spelling); null when one is not, and the runs must be gone through one by one.
 */
function keptTail(encoded: string, since: number): string | null {
  // Where each run starts, the last HISTORY_RUNS − 1 of them in a ring.
  const starts: number[] = [];
  let count = 0;
  let from = 0;
  while (from <= encoded.length) {
    let end = encoded.indexOf(';', from);
    if (end < 0) end = encoded.length;
    const bar = encoded.indexOf('|', from);
    if (bar < from || bar >= end || bar - from > 8) return null;
    if (!(Number.parseInt(encoded.slice(from, bar), 36) * 1000 > since)) return null;
    starts[count % (HISTORY_RUNS - 1)] = from;
    count++;
    from = end + 1;
  }
  const first = count <= HISTORY_RUNS - 1 ? 0 : (starts[count % (HISTORY_RUNS - 1)] as number);
  return first === 0 ? encoded : encoded.slice(first);
}

/** The runs an encoded pacing holds after `since` (ms), oldest first. */
export function decodePacing(encoded: string | null, since: number): Pacing[] {
  if (!encoded) return [];
  const out: Pacing[] = [];
  let from = 0;
  while (from < encoded.length) {
    let end = encoded.indexOf(';', from);
    if (end < 0) end = encoded.length;
    const a = encoded.indexOf('|', from);
    const b = encoded.indexOf('|', a + 1);
    // The entry's time, without cutting the whole entry out first.
    if (a > from && a < end && b > a && b < end && timeBefore(a - from, encoded.slice(from, a)) > since) {
      const sev = encoded.slice(a + 1, b);
      const variance = encoded.slice(b + 1, end);
      out.push({ severity: SEVERITY_OF[sev] ?? (sev ? sev : null), variancePct: variance ? Number(variance) : null });
    }
    from = end + 1;
  }
  return out;
}

const LETTER: Readonly<Record<string, string>> = { healthy: 'h', warning: 'w', critical: 'c' };
const SEVERITY_OF: Readonly<Record<string, Severity>> = { h: 'healthy', w: 'warning', c: 'critical' };

function spell(ms: number, severity: string, variance: string): string {
  return `${Math.floor(ms / 1000).toString(36)}|${LETTER[severity] ?? severity}|${variance}`;
}

/** An entry's time in ms: base-36 seconds (at most 8 characters), or the earlier decimal milliseconds. */
function entryTime(entry: string, bar: number): number {
  const at = entry.slice(0, bar);
  return bar > 8 ? Number(at) : Number.parseInt(at, 36) * 1000;
}

/** The time of an entry whose first bar is at `bar` (> 0), as entryTime reads it. */
function timeBefore(bar: number, at: string): number {
  return bar > 8 ? Number(at) : Number.parseInt(at, 36) * 1000;
}
