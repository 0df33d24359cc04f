// "Did you mean …?": the known ids closest to what someone typed, by edit distance, for not-found messages (CLI and Slack).
import { distance } from 'fastest-levenshtein';

/** Something that can be named on the command line: its id, and the names it also goes by. */
export interface Candidate {
  id: string;
  /** Shown in brackets after the id, e.g. the campaign's name. */
  label?: string | null;
  /**
   * Other spellings that lead to it (names), compared case-insensitively like the id, whole and by their start (a
   * typo in the first words of a name).
   */
  aliases?: readonly (string | null)[];
}

/** Case and separators (space, `_`, `-`, `.`, `|`, `/`) do not count as typos. */
const fold = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[\s_\-.|/]+/g, ' ')
    .trim();

/**
 * The candidates nearest to `query`: those at the smallest edit distance, at most `max`, and only when that distance
 * is small for the words compared (a third of the longer one, at least 1) — a guess, never a random id.
 */
export function closest(query: string, candidates: readonly Candidate[], max = 3): Candidate[] {
  const q = fold(query);
  if (q === '') return [];
  let best = Number.POSITIVE_INFINITY;
  let found: Candidate[] = [];
  for (const c of candidates) {
    let d = Number.POSITIVE_INFINITY;
    const names = [c.id, ...(c.aliases ?? [])].filter((n): n is string => Boolean(n)).map(fold);
    const starts = q.length >= 5 ? (c.aliases ?? []).filter((n): n is string => Boolean(n)).map(fold) : [];
    for (const n of [...names, ...starts.filter((n) => n.length > q.length).map((n) => n.slice(0, q.length))]) {
      const dn = distance(q, n);
      if (dn <= Math.max(1, Math.floor(Math.max(q.length, n.length) / 3))) d = Math.min(d, dn);
    }
    if (d < best) {
      best = d;
      found = [c];
    } else if (d === best && d !== Number.POSITIVE_INFINITY) found.push(c);
  }
  return found.sort((a, b) => a.id.localeCompare(b.id)).slice(0, max);
}

/** " Did you mean ACM-G-001 (Acme DE Sneakers)?" — or "" when nothing is close. */
export function didYouMean(query: string, candidates: readonly Candidate[]): string {
  const near = closest(query, candidates);
  if (near.length === 0) return '';
  const names = near.map((c) => (c.label ? `${c.id} (${c.label})` : c.id));
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  return ` Did you mean ${list}?`;
}
