// Where names and ids stand in a model's note (SPEC, Explanations: grounded or dropped). Names typed by people and
// the row's ids are not figures, so they are masked before numbers are checked — but only where they stand as a
// name or an id: "campaign 555" is an id, "555 EUR" is an amount, and a name made of digits is masked only quoted.
import type { Evidence } from './explanation.js';

const literal = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const QUOTES = `"'\`“”‘’«»`;
/** What may follow an amount: a percent sign, a currency code or symbol. */
const AMOUNT_AFTER = /^\s?(?:%|[A-Z]{3}\b|[€$£¥])/;

/** Names typed by people in the evidence (the plan's, the platform's, an orphan's), longest first. */
export function namesOf(evidence: Evidence): string[] {
  const names = [evidence.campaign.untrustedNames.plan, evidence.campaign.untrustedNames.platform];
  for (const c of evidence.rootCauses)
    for (const [k, v] of Object.entries(c.evidence)) if (/name/i.test(k) && typeof v === 'string') names.push(v);
  return [...new Set(names.filter((n): n is string => typeof n === 'string' && n.trim() !== ''))].sort(
    (a, b) => b.length - a.length,
  );
}

/** The row's ids: the plan's and the platform's campaign ids. */
export function idsOf(evidence: Evidence): string[] {
  return [evidence.campaign.planId, evidence.campaign.platformCampaignId]
    .filter((i): i is string => typeof i === 'string' && i.trim() !== '')
    .sort((a, b) => b.length - a.length);
}

/**
 * A name stands in the text quoted, or (when it has a letter) as whole words; a name of digits alone only quoted, so
 * a campaign called "1" does not hide the 1 of "100". Case aside: a model may capitalise a name.
 */
function nameMatcher(names: readonly string[]): RegExp | null {
  if (names.length === 0) return null;
  const q = `[${QUOTES}]`;
  const alternatives = names.map((n) =>
    /\p{L}/u.test(n)
      ? `${q}${literal(n)}${q}|(?<![\\p{L}\\p{N}_])${literal(n)}(?![\\p{L}\\p{N}_])`
      : `${q}${literal(n)}${q}`,
  );
  return new RegExp(alternatives.join('|'), 'giu');
}

/**
 * An id stands as an id next to its word ("campaign 555", "id: 555", "#555"), never before a % or a currency; an id
 * with a letter or a dash ("ACM-G-001") is an id wherever it stands.
 */
function withoutIds(text: string, ids: readonly string[]): string {
  let out = text;
  for (const id of ids) {
    if (!/^\d+$/.test(id)) {
      out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${literal(id)}(?![\\p{L}\\p{N}])`, 'giu'), ' ');
      continue;
    }
    const asId = new RegExp(`((?:[Cc]ampaign|[Ii][Dd]|#)(?:\\s+[Ii][Dd])?\\s*[:#]?\\s*)${id}(?!\\d)`, 'g');
    out = out.replace(asId, (whole, before: string, at: number, all: string) =>
      AMOUNT_AFTER.test(all.slice(at + whole.length)) ? whole : `${before} `,
    );
  }
  return out;
}

/** The text with the names and ids masked where they stand as such: what is left is checked for figures. */
export function masked(text: string, names: readonly string[], ids: readonly string[]): string {
  const matcher = nameMatcher(names);
  return withoutIds(matcher ? text.replace(matcher, ' ') : text, ids);
}

/** The text with every name in quotes, so a reader sees a name typed by people, not the model's words. */
export function quoteNames(text: string, names: readonly string[]): string {
  const matcher = nameMatcher(names);
  if (!matcher) return text;
  return text.replace(matcher, (m) => (QUOTES.includes(m[0] ?? '') ? m : `"${m}"`));
}
