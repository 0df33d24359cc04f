// Market and product from a live campaign's name, by the team's naming convention (PACING_NAMING_PATTERN).

/**
 * Default convention: Brand_DE_Product_… with `_`, `-`, `|` or spaces between parts — the first part is the
 * brand (one word), the second the market (2–3 letters), the third the product; whatever follows is ignored.
 * The separator after the market decides where the product ends:
 * - `_`, `-` or `|` (spaces around it allowed): at the next `_`, `-` or `|`, so the product may have spaces
 *   (`Acme_US_Running Shoes_Broad` → `Running Shoes`; `ACME | FR | Running | Retargeting` → `Running`);
 * - spaces: at the next space, so with spaces the product is one word (`BRX DE Garden Holiday2026 Stories` →
 *   `Garden`): a multi-word product cannot be told apart from the parts that follow it. Name such campaigns
 *   with `_`, `-` or `|`, or set PACING_NAMING_PATTERN.
 * The product's two forms are told apart by a lookbehind: right after `_`, `-` or `|` (and spaces), or not.
 */
export const DEFAULT_NAMING_PATTERN = String.raw`^\s*[^_|\-\s]+\s*[_|\-\s]\s*(?<market>[A-Za-z]{2,3})\s*[_|\-\s]\s*(?<product>(?<=[_|\-]\s*)[^_|\-\s](?:[^_|\-]*[^_|\-\s])?|(?<![_|\-]\s*)[^_|\-\s]+)(?:\s*[_|\-\s].*)?$`;

export interface NameParts {
  market: string | null;
  product: string | null;
  /** Why the name did not give market and product, for the root cause. */
  problem: string | null;
}

export class NamingConvention {
  private readonly re: RegExp;

  constructor(readonly pattern: string = DEFAULT_NAMING_PATTERN) {
    this.re = new RegExp(pattern);
    const groups = pattern.includes('(?<market>') && pattern.includes('(?<product>');
    if (!groups) throw new Error('the pattern needs named groups (?<market>…) and (?<product>…)');
  }

  parse(name: string): NameParts {
    const m = this.re.exec(name);
    const market = m?.groups?.market?.trim() || null;
    const product = m?.groups?.product?.trim() || null;
    if (market && product) return { market: market.toUpperCase(), product, problem: null };
    return {
      market,
      product,
      problem: `"${name}" does not follow the naming convention (PACING_NAMING_PATTERN), so its market and product are unknown`,
    };
  }
}
