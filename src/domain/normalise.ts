// Name normalisation shared by matching and the name part of confidence.
import { distance } from 'fastest-levenshtein';

const SEPARATORS = /[\s_\-.|/]+/g;

/** Lower case; runs of space, `_`, `-`, `.`, `|`, `/` folded to one space; trimmed. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(SEPARATORS, ' ').trim();
}

/** 1 − levenshtein / longer length, on already-normalised names; two empty names are identical. */
export function similarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  if (longest === 0) return 1;
  return 1 - distance(a, b) / longest;
}

/** Case- and space-insensitive equality for short labels such as market and product. */
export function sameLabel(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  return normaliseName(a) === normaliseName(b);
}
