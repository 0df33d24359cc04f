import { describe, expect, it } from 'vitest';
import { MIN_NAME_SIMILARITY, type Reconciliation, reconcile } from '../../src/domain/match.js';
import type { PlanRow, Platform, PlatformCampaign } from '../../src/domain/types.js';
import { campaign, planRow } from './builders.js';

/** A plan row identified by its tracker line, named `name`. */
const row = (line: number, name: string, overrides: Partial<PlanRow> = {}): PlanRow =>
  planRow({ line, campaignId: `c-${line}`, campaignName: name, ...overrides });

/** A platform campaign with spend, identified by `id`, named `name`. */
const camp = (id: string, name: string, overrides: Partial<PlatformCampaign> = {}): PlatformCampaign =>
  campaign({ id, name, spend: 100, ...overrides });

/** The pairs made, as "line→id (by)" strings in line order. */
const pairs = (r: Reconciliation) => r.matches.map((m) => `${m.row.line}→${m.campaign.id} (${m.by})`);
const orphanIds = (r: Reconciliation) => r.orphans.map((c) => c.id);
const unmatchedLines = (r: Reconciliation) => r.unmatched.map((u) => u.row.line);

describe('reconcile: pinned platform_campaign_id', () => {
  it('matches by the pinned id even when another campaign has the exact name', () => {
    const r = reconcile(
      [row(2, 'UK Brand Search', { platformCampaignId: 'g-2' })],
      [camp('g-1', 'UK Brand Search'), camp('g-2', 'Totally Different')],
    );
    expect(pairs(r)).toEqual(['2→g-2 (pinned_id)']);
    expect(orphanIds(r)).toEqual(['g-1']);
    expect(r.unmatched).toEqual([]);
  });

  it('reports the name similarity of a pinned pair', () => {
    // "abcd" vs "abce": 1 edit over 4.
    const r = reconcile([row(2, 'ABCD', { platformCampaignId: 'g-1' })], [camp('g-1', 'abce')]);
    expect(r.matches[0]?.similarity).toBe(0.75);
  });

  it('matches a pinned id even when the names are nothing alike', () => {
    const r = reconcile([row(2, 'abc', { platformCampaignId: 'g-1' })], [camp('g-1', 'xyz')]);
    expect(pairs(r)).toEqual(['2→g-1 (pinned_id)']);
    expect(r.matches[0]?.similarity).toBe(0);
  });

  it('leaves a row whose pinned id is not listed unmatched, never falling back to a same-named campaign', () => {
    const r = reconcile([row(2, 'UK Brand Search', { platformCampaignId: 'g-9' })], [camp('g-1', 'UK Brand Search')]);
    expect(r.matches).toEqual([]);
    expect(r.unmatched).toHaveLength(1);
    expect(r.unmatched[0]).toMatchObject({ reason: 'pinned_id_not_listed', closest: null });
    expect(r.unmatched[0]?.row.line).toBe(2);
    // The same-named campaign is left unclaimed, and as it spends it is an orphan.
    expect(orphanIds(r)).toEqual(['g-1']);
  });

  it('does not take a pinned id from another platform', () => {
    const r = reconcile(
      [row(2, 'UK Brand Search', { platform: 'google', platformCampaignId: 'x-1' })],
      [camp('x-1', 'UK Brand Search', { platform: 'meta' })],
    );
    expect(r.matches).toEqual([]);
    expect(r.unmatched[0]?.reason).toBe('pinned_id_not_listed');
    expect(orphanIds(r)).toEqual(['x-1']);
  });

  it('takes pinned campaigns out of the pool before names are matched', () => {
    // Line 3 would match g-1 by name, but line 2 pins it; line 3 is left with the fuzzy g-2.
    const r = reconcile(
      [row(2, 'something else', { platformCampaignId: 'g-1' }), row(3, 'uk brand search')],
      [camp('g-1', 'UK Brand Search'), camp('g-2', 'UK Brand Searchx')],
    );
    expect(pairs(r)).toEqual(['2→g-1 (pinned_id)', '3→g-2 (name)']);
  });

  it('a pinned row does not consume its name: an unpinned row of the same name matches the named campaign', () => {
    const r = reconcile(
      [row(2, 'UK Brand', { platformCampaignId: 'g-2' }), row(3, 'UK Brand')],
      [camp('g-1', 'UK Brand'), camp('g-2', 'UK Brand Old')],
    );
    expect(pairs(r)).toEqual(['2→g-2 (pinned_id)', '3→g-1 (name)']);
  });
});

describe('reconcile: names', () => {
  it('matches names equal after normalisation, with similarity 1', () => {
    const r = reconcile([row(2, 'UK_Brand--Search')], [camp('g-1', ' uk | brand.search ')]);
    expect(pairs(r)).toEqual(['2→g-1 (name)']);
    expect(r.matches[0]?.similarity).toBe(1);
  });

  it('pairs duplicate exact names in plan order with platform order', () => {
    const r = reconcile([row(2, 'Promo'), row(3, 'PROMO')], [camp('g-1', 'promo'), camp('g-2', 'Promo')]);
    expect(pairs(r)).toEqual(['2→g-1 (name)', '3→g-2 (name)']);
  });

  it('prefers an exact name over a fuzzy one', () => {
    const r = reconcile([row(2, 'abcdefgh')], [camp('g-1', 'abcdefgx'), camp('g-2', 'abcdefgh')]);
    expect(pairs(r)).toEqual(['2→g-2 (name)']);
    expect(orphanIds(r)).toEqual(['g-1']);
  });

  it('matches a fuzzy name at exactly 0.5 similarity', () => {
    expect(MIN_NAME_SIMILARITY).toBe(0.5);
    // abcdef / abcxyz: 3 edits over 6 = 0.5
    const r = reconcile([row(2, 'abcdef')], [camp('g-1', 'abcxyz')]);
    expect(pairs(r)).toEqual(['2→g-1 (name)']);
    expect(r.matches[0]?.similarity).toBe(0.5);
  });

  it('does not match below 0.5, and names the closest campaign', () => {
    // abcdefg / abcwxyz: 4 edits over 7 → 3/7 ≈ 0.43
    const r = reconcile([row(2, 'abcdefg')], [camp('g-1', 'abcwxyz')]);
    expect(r.matches).toEqual([]);
    expect(r.unmatched).toHaveLength(1);
    const u = r.unmatched[0];
    expect(u?.reason).toBe('no_similar_name');
    expect(u?.closest?.id).toBe('g-1');
    expect(u?.closest?.name).toBe('abcwxyz');
    expect(u?.closest?.similarity).toBeCloseTo(3 / 7, 12);
    expect(orphanIds(r)).toEqual(['g-1']);
  });

  it('names as closest only a campaign left over, not one another row took', () => {
    // Line 2 takes g-1 exactly. Line 3 "abcdwxyz" is 0.5 similar to g-1 but it is taken; of the rest,
    // g-3 "abqqqqqq" (6 edits, 0.25) is closer than g-2 "qqqqqqqq" (0).
    const r = reconcile(
      [row(2, 'abcdefgh'), row(3, 'abcdwxyz')],
      [camp('g-1', 'abcdefgh'), camp('g-2', 'qqqqqqqq'), camp('g-3', 'abqqqqqq')],
    );
    expect(pairs(r)).toEqual(['2→g-1 (name)']);
    expect(r.unmatched[0]?.closest).toEqual({ id: 'g-3', name: 'abqqqqqq', similarity: 0.25 });
  });

  it('has no closest campaign when none is left on the platform', () => {
    const r = reconcile([row(2, 'abc'), row(3, 'abc')], [camp('g-1', 'abc')]);
    expect(pairs(r)).toEqual(['2→g-1 (name)']);
    expect(r.unmatched).toEqual([
      { row: expect.objectContaining({ line: 3 }), reason: 'no_similar_name', closest: null },
    ]);
  });

  it('takes the best pairs first, not each row its best in plan order', () => {
    // Similarities (normalised names):
    //   line 2 "abcdefgh"   – g-1 "abcdefghij": 2 insertions / 10 = 0.8;   – g-2 "abxyefgh": 2 subs / 8 = 0.75
    //   line 3 "abcdefghik" – g-1 "abcdefghij": 1 sub / 10 = 0.9;          – g-2 "abxyefgh": 4 / 10 = 0.6
    // Greedy in plan order would give line 2 → g-1 (0.8) and line 3 → g-2 (0.6).
    // Best pairs first gives line 3 → g-1 (0.9), then line 2 → g-2 (0.75).
    const r = reconcile(
      [row(2, 'abcdefgh'), row(3, 'abcdefghik')],
      [camp('g-1', 'abcdefghij'), camp('g-2', 'abxyefgh')],
    );
    expect(pairs(r)).toEqual(['2→g-2 (name)', '3→g-1 (name)']);
    expect(r.matches[0]?.similarity).toBe(0.75);
    expect(r.matches[1]?.similarity).toBeCloseTo(0.9, 12);
  });

  it('breaks similarity ties by plan order, then platform order', () => {
    // Both rows are one substitution (0.75) from both campaigns.
    const r = reconcile([row(3, 'abcx'), row(2, 'abcy')], [camp('g-1', 'abcz'), camp('g-2', 'abcw')]);
    // Plan order is the order given (line 3 first), not line number.
    expect(pairs(r)).toEqual(['2→g-2 (name)', '3→g-1 (name)']);
  });

  it('never matches across platforms', () => {
    const r = reconcile(
      [row(2, 'UK Brand Search', { platform: 'google' })],
      [camp('m-1', 'UK Brand Search', { platform: 'meta' })],
    );
    expect(r.matches).toEqual([]);
    expect(r.unmatched).toEqual([
      { row: expect.objectContaining({ line: 2 }), reason: 'no_similar_name', closest: null },
    ]);
    expect(orphanIds(r)).toEqual(['m-1']);
  });

  it('matches each platform separately, one to one', () => {
    const r = reconcile(
      [row(2, 'Brand', { platform: 'meta' }), row(3, 'Brand', { platform: 'google' })],
      [camp('g-1', 'Brand', { platform: 'google' }), camp('m-1', 'Brand', { platform: 'meta' })],
    );
    expect(pairs(r)).toEqual(['2→m-1 (name)', '3→g-1 (name)']);
    expect(r.orphans).toEqual([]);
  });

  it('gives the same pairs run after run, and sees renamed campaigns at once (nothing stale is reused)', () => {
    const plan = [row(2, 'UK Brand Search Q4'), row(3, 'DE Generic Shoes')];
    const before = [camp('g-1', 'UK Brand Search Q4 new'), camp('g-2', 'DE Generic Shoes v2')];
    const first = reconcile(plan, before);
    const again = reconcile(plan, before);
    expect(pairs(first)).toEqual(['2→g-1 (name)', '3→g-2 (name)']);
    expect(again).toEqual(first);
    const renamed = [camp('g-1', 'DE Generic Shoes v2'), camp('g-2', 'UK Brand Search Q4 new')];
    expect(pairs(reconcile(plan, renamed))).toEqual(['2→g-2 (name)', '3→g-1 (name)']);
    expect(pairs(reconcile([row(2, 'DE Generic Shoes'), row(3, 'UK Brand Search Q4')], before))).toEqual([
      '2→g-2 (name)',
      '3→g-1 (name)',
    ]);
  });

  it("never takes one run's leftover names for another's (names of separators alone normalise to nothing)", () => {
    const first = reconcile([row(2, 'Acme Spring Promo'), row(3, '-')], [camp('g-1', 'Acme Spring Promo 2')]);
    expect(pairs(first)).toEqual(['2→g-1 (name)']);
    const second = reconcile([row(2, 'Acme Spring Promo')], [camp('g-1', '_'), camp('g-2', 'Acme Spring Promo 2')]);
    expect(pairs(second)).toEqual(['2→g-2 (name)']);
  });

  it('skips distance computation for pairs whose lengths cannot reach 0.5', () => {
    // 3 against 8 characters: at best 3/8 similar.
    const r = reconcile([row(2, 'abc')], [camp('g-1', 'abcdefgh')]);
    expect(r.comparisons).toBe(0);
    expect(r.unmatched[0]?.closest?.id).toBe('g-1');
  });
});

describe('reconcile: orphans and results', () => {
  it('reports unclaimed campaigns with spend as orphans, and ignores those without', () => {
    const r = reconcile(
      [row(2, 'UK Brand')],
      [
        camp('g-1', 'UK Brand'),
        camp('g-2', 'Zero spend', { spend: 0 }),
        camp('g-3', 'One cent', { spend: 0.01 }),
        camp('g-4', 'Paused but spent', { status: 'PAUSED', spend: 50 }),
      ],
    );
    expect(orphanIds(r)).toEqual(['g-3', 'g-4']);
  });

  it('never reports a matched campaign as an orphan', () => {
    const r = reconcile(
      [row(2, 'UK Brand', { platformCampaignId: 'g-1' }), row(3, 'DE Brand')],
      [camp('g-1', 'x'), camp('g-2', 'DE Brand')],
    );
    expect(r.orphans).toEqual([]);
  });

  it('sorts matches and unmatched rows by tracker line', () => {
    const r = reconcile(
      [
        row(5, 'meta one', { platform: 'meta' }),
        row(4, 'google two', { platform: 'google' }),
        row(3, 'nothing like it', { platform: 'meta' }),
        row(2, 'google one', { platform: 'google' }),
        row(6, 'qqqqqqqqqqqqq', { platform: 'google' }),
      ],
      [
        camp('m-1', 'Meta One', { platform: 'meta' }),
        camp('g-2', 'Google Two', { platform: 'google' }),
        camp('g-1', 'Google One', { platform: 'google' }),
      ],
    );
    expect(pairs(r)).toEqual(['2→g-1 (name)', '4→g-2 (name)', '5→m-1 (name)']);
    expect(unmatchedLines(r)).toEqual([3, 6]);
  });

  it('copes with nothing to match', () => {
    expect(reconcile([], [])).toEqual({ matches: [], unmatched: [], orphans: [], comparisons: 0 });
    const r = reconcile([], [camp('g-1', 'a'), camp('g-2', 'b', { spend: 0 })]);
    expect(orphanIds(r)).toEqual(['g-1']);
  });
});

// ————————————————————————————————————————————————————————————————————————————————
// Property: the implementation (pinned ids, exact names first, length pre-filter, then fuzzy best-first)
// makes exactly the pairs of a naive best-pairs-first reference, on random noisy names.

/** mulberry32: a small seeded PRNG, so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reference normalisation, written independently of the code under test. */
function refNormalise(name: string): string {
  let out = '';
  let pendingSpace = false;
  for (const ch of name.toLowerCase()) {
    if (' _-.|/'.includes(ch)) {
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace) out += ' ';
    pendingSpace = false;
    out += ch;
  }
  return out;
}

/** Reference Levenshtein distance: the textbook dynamic programme. */
function refLevenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, sub));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

function refSimilarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - refLevenshtein(a, b) / longest;
}

interface RefResult {
  matches: string[];
  unmatched: string[];
  orphans: string[];
}

/** Naive reference: pinned ids; then every pair ≥ 0.5 sorted by similarity desc, plan order, platform order; greedy. */
function referenceReconcile(plan: PlanRow[], campaigns: PlatformCampaign[]): RefResult {
  const matches: { line: number; text: string }[] = [];
  const unmatched: { line: number; text: string }[] = [];
  const orphans: string[] = [];
  for (const platform of ['google', 'meta'] as Platform[]) {
    const rows = plan.filter((r) => r.platform === platform);
    const camps = campaigns.filter((c) => c.platform === platform);
    const taken = camps.map(() => false);
    const byName: number[] = [];
    rows.forEach((r, ri) => {
      if (r.platformCampaignId === null) {
        byName.push(ri);
        return;
      }
      const ci = camps.findIndex((c) => c.id === r.platformCampaignId);
      if (ci < 0 || taken[ci]) {
        unmatched.push({ line: r.line, text: `${r.line} pinned_id_not_listed` });
        return;
      }
      taken[ci] = true;
      const s = refSimilarity(refNormalise(r.campaignName), refNormalise(camps[ci]?.name ?? ''));
      matches.push({ line: r.line, text: `${r.line}→${camps[ci]?.id} pinned_id ${s}` });
    });
    const all: { ri: number; ci: number; s: number }[] = [];
    for (const ri of byName) {
      for (let ci = 0; ci < camps.length; ci++) {
        if (taken[ci]) continue;
        const s = refSimilarity(refNormalise(rows[ri]?.campaignName ?? ''), refNormalise(camps[ci]?.name ?? ''));
        if (s >= 0.5) all.push({ ri, ci, s });
      }
    }
    all.sort((x, y) => y.s - x.s || x.ri - y.ri || x.ci - y.ci);
    const rowDone = new Set<number>();
    for (const p of all) {
      if (rowDone.has(p.ri) || taken[p.ci]) continue;
      rowDone.add(p.ri);
      taken[p.ci] = true;
      const r = rows[p.ri] as PlanRow;
      matches.push({ line: r.line, text: `${r.line}→${camps[p.ci]?.id} name ${p.s}` });
    }
    for (const ri of byName) {
      if (rowDone.has(ri)) continue;
      const r = rows[ri] as PlanRow;
      let best: { id: string; s: number } | null = null;
      camps.forEach((c, ci) => {
        if (taken[ci]) return;
        const s = refSimilarity(refNormalise(r.campaignName), refNormalise(c.name));
        if (best === null || s > best.s) best = { id: c.id, s };
      });
      const closest = best as { id: string; s: number } | null;
      unmatched.push({
        line: r.line,
        text: `${r.line} no_similar_name ${closest ? `${closest.id} ${closest.s}` : '-'}`,
      });
    }
    camps.forEach((c, ci) => {
      if (!taken[ci] && c.spend > 0) orphans.push(`${c.platform}:${c.id}`);
    });
  }
  return {
    matches: matches.sort((a, b) => a.line - b.line).map((m) => m.text),
    unmatched: unmatched.sort((a, b) => a.line - b.line).map((u) => u.text),
    orphans: orphans.sort(),
  };
}

function summarise(r: Reconciliation): RefResult {
  return {
    matches: r.matches.map((m) => `${m.row.line}→${m.campaign.id} ${m.by} ${m.similarity}`),
    unmatched: r.unmatched.map(
      (u) =>
        `${u.row.line} ${u.reason}${u.reason === 'no_similar_name' ? ` ${u.closest ? `${u.closest.id} ${u.closest.similarity}` : '-'}` : ''}`,
    ),
    orphans: r.orphans.map((c) => `${c.platform}:${c.id}`).sort(),
  };
}

const WORDS = [
  'uk',
  'de',
  'fr',
  'brand',
  'search',
  'generic',
  'promo',
  'sale',
  'summer',
  'q1',
  'q2',
  'video',
  'app',
  'retarget',
];
const SEPARATORS = [' ', '_', '-', '.', '|', '/', ' - ', '__', ' | '];
const LETTERS = 'abcdeiosuxyz12';

function noisyNames(rand: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const base = (): string[] => Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(WORDS));
  /** Re-spell a name: random separators and case, and 0–3 character edits. */
  const noisy = (words: string[]): string => {
    let text = words.map((w) => (rand() < 0.3 ? w.toUpperCase() : w)).join(pick(SEPARATORS));
    if (rand() < 0.2) text = pick(SEPARATORS) + text;
    const edits = Math.floor(rand() * 4) * (rand() < 0.35 ? 0 : 1);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rand() * (text.length + 1));
      const op = rand();
      if (op < 0.4) text = text.slice(0, at) + pick([...LETTERS]) + text.slice(at + 1);
      else if (op < 0.7) text = text.slice(0, at) + pick([...LETTERS]) + text.slice(at);
      else text = text.slice(0, at) + text.slice(at + 1);
    }
    return text;
  };
  return { pick, base, noisy };
}

function randomCase(seed: number): { plan: PlanRow[]; campaigns: PlatformCampaign[] } {
  const rand = prng(seed);
  const { pick, base, noisy } = noisyNames(rand);
  const themes = Array.from({ length: 2 + Math.floor(rand() * 4) }, base);
  const campaigns: PlatformCampaign[] = [];
  const nCampaigns = 1 + Math.floor(rand() * 8);
  for (let i = 0; i < nCampaigns; i++) {
    const platform: Platform = rand() < 0.7 ? 'google' : 'meta';
    campaigns.push(camp(`${platform[0]}-${i}`, noisy(pick(themes)), { platform, spend: rand() < 0.25 ? 0 : 10 }));
  }
  const plan: PlanRow[] = [];
  const nRows = 1 + Math.floor(rand() * 8);
  const lines = Array.from({ length: nRows }, (_, i) => i + 2).sort(() => rand() - 0.5);
  for (const line of lines) {
    const platform: Platform = rand() < 0.7 ? 'google' : 'meta';
    let pinned: string | null = null;
    if (rand() < 0.12) pinned = rand() < 0.6 && campaigns.length > 0 ? pick(campaigns).id : 'zz-missing';
    plan.push(row(line, noisy(pick(themes)), { platform, platformCampaignId: pinned }));
  }
  return { plan, campaigns };
}

describe('reconcile: property — same pairs as the naive best-pairs-first reference', () => {
  it('on 400 random cases of noisy names', () => {
    let names = 0;
    let fuzzy = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const { plan, campaigns } = randomCase(seed);
      names += plan.length + campaigns.length;
      const actual = reconcile(plan, campaigns);
      fuzzy += actual.matches.filter((m) => m.by === 'name' && m.similarity < 1).length;
      expect(summarise(actual), `seed ${seed}`).toEqual(referenceReconcile(plan, campaigns));
    }
    // The generator really exercises the interesting paths.
    expect(names).toBeGreaterThan(2000);
    expect(fuzzy).toBeGreaterThan(100);
  });

  it('on crowded cases where many names tie (few themes, many copies)', () => {
    for (let seed = 1000; seed < 1200; seed++) {
      const rand = prng(seed);
      const { pick, noisy } = noisyNames(rand);
      const themes = [
        ['uk', 'brand'],
        ['uk', 'brands'],
        ['de', 'brand'],
      ];
      const campaigns = Array.from({ length: 6 }, (_, i) => camp(`g-${i}`, noisy(pick(themes))));
      const plan = Array.from({ length: 6 }, (_, i) => row(i + 2, noisy(pick(themes))));
      expect(summarise(reconcile(plan, campaigns)), `seed ${seed}`).toEqual(referenceReconcile(plan, campaigns));
    }
  });

  it('the reference itself differs from greedy-in-plan-order on the constructed case', () => {
    const plan = [row(2, 'abcdefgh'), row(3, 'abcdefghik')];
    const campaigns = [camp('g-1', 'abcdefghij'), camp('g-2', 'abxyefgh')];
    expect(referenceReconcile(plan, campaigns).matches).toEqual(['2→g-2 name 0.75', '3→g-1 name 0.9']);
  });
});
