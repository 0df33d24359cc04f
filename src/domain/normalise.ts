// Name normalisation shared by matching and the name part of confidence.
import { distance } from 'fastest-levenshtein';

const SEPARATORS = /[\s_\-.|/]+/g;

/** Lower case; runs of space, `_`, `-`, `.`, `|`, `/` folded to one space; trimmed. */
export function normaliseName(name: string): string {
  // Each name is normalised by matching and again by confidence, run after run: remembered (bounded).
  let n = normalised.get(name);
  if (n === undefined) {
    n = name.toLowerCase().replace(SEPARATORS, ' ').trim();
    if (normalised.size >= MAX_REMEMBERED) normalised.clear();
    normalised.set(name, n);
  }
  return n;
}

const normalised = new Map<string, string>();
const MAX_REMEMBERED = 200_000;

/** 1 − levenshtein / longer length, on already-normalised names; two empty names are identical. */
export function similarity(a: string, b: string): number {
  // Most matched pairs carry the same name: no distance to compute.
  if (a === b) return 1;
  const longest = Math.max(a.length, b.length);
  if (longest === 0) return 1;
  return 1 - distance(a, b) / longest;
}

/** Case- and space-insensitive equality for short labels such as market and product. */
export function sameLabel(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  return normaliseName(a) === normaliseName(b);
}

/**
 * Market codes compared as ISO 3166-1 alpha-2: trackers and naming conventions often use the EU's or everyday
 * codes that ISO spells otherwise (UK for GB, EL for GR). Anything else is compared as a label.
 */
const MARKET_ALIASES: Readonly<Record<string, string>> = { UK: 'GB', EL: 'GR' };

export function marketCode(market: string): string {
  const code = normaliseName(market).toUpperCase();
  return MARKET_ALIASES[code] ?? code;
}

export function sameMarket(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  return marketCode(a) === marketCode(b);
}
