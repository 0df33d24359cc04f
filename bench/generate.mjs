// Deterministic benchmark data: a tracker and two fixture platforms at scale, with the known truth.
//
//   generate({ rows, seed, now }) → { files: { 'tracker.csv', 'google.json', 'meta.json' }, truth, stats }
//   writeDataset(dir, options)     → writes the three files, scenario.json and truth.json into `dir`, returns the same
//
// `rows` tracker rows and as many platform campaigns. Most rows have a campaign on their platform, named like
// the plan; about 5 % of those platform names are noisy (typos, separators, case, suffixes). A few rows are
// pinned by platform_campaign_id (one of them to an id the platform does not list), a few rows have no
// campaign at all, and a few platform campaigns have no row (orphans with spend, drafts without).
// Spend is spread around plan so that most rows are healthy and some warning, critical or not delivering.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** mulberry32: small, fast, seedable. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BRANDS = [
  'Acme',
  'Northwind',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Hooli',
  'Soylent',
  'Vandelay',
  'Contoso',
  'Tyrell',
];
const MARKETS = [
  ['DE', 'EUR'],
  ['FR', 'EUR'],
  ['UK', 'GBP'],
  ['NL', 'EUR'],
  ['ES', 'EUR'],
  ['IT', 'EUR'],
  ['US', 'USD'],
  ['PL', 'PLN'],
  ['SE', 'SEK'],
  ['AT', 'EUR'],
  ['CH', 'CHF'],
  ['BE', 'EUR'],
];
/** Labels a platform may use instead of the plan's (metadata noise). */
const MARKET_ALIASES = { UK: 'GB', CH: 'Switzerland', DE: 'Germany', US: 'USA', NL: 'Netherlands' };
const PRODUCTS = [
  'Sneakers',
  'Running',
  'Football',
  'Outdoor',
  'Trail',
  'Basketball',
  'Tennis',
  'Golf',
  'Swim',
  'Yoga',
  'Kids',
  'Apparel',
  'Hiking',
  'Cycling',
];
const TACTICS = {
  google: [
    'Search_Brand',
    'Search_Generic',
    'PMax',
    'Display',
    'YouTube',
    'Shopping',
    'DemandGen',
    'Search_Competitor',
  ],
  meta: ['Prospecting', 'Retargeting', 'Awareness', 'Lookalike', 'AdvantagePlus', 'Reels', 'Catalog', 'Engagement'],
};
const FLIGHTS = [
  { tag: 'Q4', start: '2026-10-01', end: '2026-12-31', elapsed: 50, days: 92 },
  { tag: 'Nov', start: '2026-11-01', end: '2026-11-30', elapsed: 19, days: 30 },
  { tag: 'BF', start: '2026-11-16', end: '2026-11-30', elapsed: 4, days: 15 },
  { tag: 'Xmas', start: '2026-11-10', end: '2026-12-24', elapsed: 10, days: 45 },
];
const OWNERS = Array.from({ length: 40 }, (_, i) => `U0BUYER${String(i).padStart(2, '0')}`);

const round2 = (x) => Math.round(x * 100) / 100;
/** Budget pools: one per block of this many matched rows, of at most POOL_SIZE members. */
const POOL_BLOCK = 50;
const POOL_SIZE = 4;

/**
 * The last up to 14 days before `now` inside the flight, at the campaign's even daily rate (spend over the days
 * elapsed); the first day also carries what was spent before the window, so the series adds up to `spend`.
 */
function dailySeries(spend, start, elapsedDays, now) {
  if (!(spend > 0)) return null;
  const today = now.slice(0, 10);
  const days = [];
  for (let i = 14; i >= 1; i--) {
    const day = new Date(Date.parse(`${today}T00:00:00Z`) - i * 86_400_000).toISOString().slice(0, 10);
    if (day >= start) days.push(day);
  }
  if (days.length === 0) return null;
  const cents = Math.round(spend * 100);
  const each = Math.floor(cents / Math.max(elapsedDays, days.length));
  return days.map((date, i) => ({ date, spend: (i === 0 ? cents - each * (days.length - 1) : each) / 100 }));
}

export function generate({ rows = 10_000, seed = 20261120, now = '2026-11-20T09:00:00Z' } = {}) {
  const rand = rng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const between = (lo, hi) => lo + rand() * (hi - lo);
  const chance = (p) => rand() < p;
  const nowMs = Date.parse(now);
  const isoAgo = (hours) => new Date(nowMs - hours * 3_600_000).toISOString();

  // Shares of the tracker rows (the remainder are ordinary matched rows).
  const nUnmatched = Math.round(rows * 0.004); // planned, not on the platform
  const nPinnedMissing = Math.max(1, Math.round(rows * 0.0005)); // pinned id the platform does not list
  const nOrphans = Math.round(rows * 0.004); // spending on the platform, not planned
  // Platform campaigns: one per matched row, plus orphans and zero-spend drafts, totalling `rows`.
  const nMatched = rows - nUnmatched - nPinnedMissing;
  const nZeroDrafts = rows - nMatched - nOrphans; // the rest of the platform's list: unplanned, no spend

  const trackerRows = [];
  const campaigns = { google: [], meta: [] };
  const truth = {}; // campaign_id → { platform, platformCampaignId | null, kind }
  const noiseKinds = {};
  const stats = {
    noisyNames: 0,
    pinned: 0,
    metadataNoise: 0,
    stale: 0,
    currencyMismatch: 0,
    paused: 0,
    zeroDelivery: 0,
    dailySeries: 0,
    pools: 0,
    pooledRows: 0,
  };
  let googleSeq = 0;
  let metaSeq = 0;
  const newPlatformId = (platform) =>
    platform === 'google'
      ? String(20_500_000_000 + ++googleSeq * 7)
      : `23851${String(++metaSeq * 13).padStart(12, '0')}`;

  // Unique suffix numbers, shuffled so that name order is not platform order.
  const numbers = Array.from({ length: rows + nOrphans + nZeroDrafts }, (_, i) => 100 + i);
  for (let i = numbers.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [numbers[i], numbers[j]] = [numbers[j], numbers[i]];
  }
  let numberAt = 0;

  const planName = () => {
    const platform = chance(0.55) ? 'google' : 'meta';
    const [market, currency] = pick(MARKETS);
    const product = pick(PRODUCTS);
    const flight = pick(FLIGHTS);
    const brand = pick(BRANDS);
    const tactic = pick(TACTICS[platform]);
    const n = numbers[numberAt++];
    return {
      platform,
      market,
      currency,
      product,
      flight,
      brand,
      tactic,
      n,
      name: `${brand}_${market}_${product}_${tactic}_${flight.tag}_${n}`,
    };
  };

  /** A realistic variant of a platform name; returns [name, kind]. Digits are never touched by typos. */
  const noisy = (name) => {
    const kinds = [
      'typo',
      'separators',
      'case',
      'suffix',
      'typo+suffix',
      'separators+case',
      'double_typo',
      'dropped_token',
    ];
    const kind = pick(kinds);
    const typo = (s) => {
      const letters = [...s].map((ch, i) => (/[A-Za-z]/.test(ch) ? i : -1)).filter((i) => i >= 0);
      const i = pick(letters);
      const op = pick(['sub', 'del', 'ins', 'swap']);
      const letter = String.fromCharCode(97 + Math.floor(rand() * 26));
      if (op === 'sub') return s.slice(0, i) + letter + s.slice(i + 1);
      if (op === 'del') return s.slice(0, i) + s.slice(i + 1);
      if (op === 'ins') return s.slice(0, i) + letter + s.slice(i);
      const j = i + 1 < s.length && /[A-Za-z]/.test(s[i + 1]) ? i + 1 : i;
      return s.slice(0, i) + s[j] + s[i] + s.slice(j + 1);
    };
    const separators = (s) => s.replaceAll('_', pick([' - ', ' | ', '-', ' ', '.', ' / ']));
    const suffix = (s) => s + pick(['_v2', ' - copy', ' (copy)', '_new', '_FINAL', ' v3', '_test']);
    switch (kind) {
      case 'typo':
        return [typo(name), kind];
      case 'separators':
        return [separators(name), kind];
      case 'case':
        return [chance(0.5) ? name.toUpperCase() : name.toLowerCase(), kind];
      case 'suffix':
        return [suffix(name), kind];
      case 'typo+suffix':
        return [suffix(typo(name)), kind];
      case 'separators+case':
        return [separators(name).toUpperCase(), kind];
      case 'double_typo':
        return [typo(typo(name)), kind];
      case 'dropped_token': {
        const parts = name.split('_');
        parts.splice(3, 1); // the tactic goes missing
        return [parts.join('_'), kind];
      }
    }
  };

  /** Actual spend against target, with the realistic spread: mostly healthy. */
  const spendFor = (target) => {
    const r = rand();
    if (r < 0.005) {
      stats.zeroDelivery++;
      return { spend: 0, band: 'zero' };
    }
    if (r < 0.045) {
      const v = between(0.27, 0.9) * (chance(0.6) ? 1 : -1);
      return { spend: round2(target * (1 + v)), band: 'critical' };
    }
    if (r < 0.125) {
      const v = between(0.105, 0.245) * (chance(0.55) ? 1 : -1);
      return { spend: round2(target * (1 + v)), band: 'warning' };
    }
    // Healthy: roughly normal, kept inside ±9.5 %.
    const g = (rand() + rand() + rand() + rand() - 2) * 0.06;
    return { spend: round2(target * (1 + Math.max(-0.095, Math.min(0.095, g)))), band: 'healthy' };
  };

  const platformFetchedAt = { google: isoAgo(0.5), meta: isoAgo(0.25) };

  // Matched rows (incl. pinned ones).
  for (let i = 0; i < nMatched; i++) {
    const p = planName();
    const daily = round2(between(40, 2500));
    const budget = round2(daily * p.flight.days);
    const target = round2(daily * p.flight.elapsed);
    const campaignId = `BEN-${p.platform === 'google' ? 'G' : 'M'}-${String(i + 1).padStart(6, '0')}`;
    const platformId = newPlatformId(p.platform);
    let platformName = p.name;
    let noiseKind = null;
    if (chance(0.05)) {
      [platformName, noiseKind] = noisy(p.name);
      stats.noisyNames++;
      noiseKinds[noiseKind] = (noiseKinds[noiseKind] ?? 0) + 1;
    }
    const pinned = chance(0.03);
    if (pinned) {
      stats.pinned++;
      // Pinned rows may be named quite differently on the platform: the id decides.
      if (chance(0.3))
        platformName = `${p.brand.toUpperCase()} - ${p.product} - ${p.tactic.replaceAll('_', ' ')} (${p.market}) #${p.n}`;
    }
    const { spend, band } = spendFor(target);
    let status = 'ENABLED';
    if (chance(0.01)) {
      status = 'PAUSED';
      stats.paused++;
    }
    let market = p.market;
    let product = p.product;
    let start = p.flight.start;
    let end = p.flight.end;
    if (chance(0.02)) {
      stats.metadataNoise++;
      const what = pick(['market', 'product', 'dates', 'market+product']);
      if (what.includes('market')) market = MARKET_ALIASES[p.market] ?? `${p.market.toLowerCase()}x`;
      if (what.includes('product')) product = `${p.product} ${pick(['Shoes', 'Gear', 'Collection'])}`;
      if (what === 'dates') {
        start = '2026-11-05';
        end = '2027-01-15';
      }
    }
    let currency = p.currency;
    if (chance(0.001)) {
      currency = currency === 'USD' ? 'EUR' : 'USD';
      stats.currencyMismatch++;
    }
    const campaign = {
      id: platformId,
      name: platformName,
      market,
      product,
      start_date: start,
      end_date: end,
      spend,
      status,
      daily_budget: chance(0.03) ? round2(daily * between(1.3, 2)) : daily,
      currency,
    };
    if (chance(0.01)) {
      campaign.fetched_at = isoAgo(between(13, 30));
      stats.stale++;
    }
    // Spend per day: the last up to 14 full days of the flight, summing to the spend (in cents).
    const series = dailySeries(spend, p.flight.start, p.flight.elapsed, now);
    if (series) {
      campaign.daily = series;
      stats.dailySeries++;
    }
    campaigns[p.platform].push(campaign);
    trackerRows.push({
      campaign_id: campaignId,
      campaign_name: p.name,
      platform: p.platform,
      market: p.market,
      product: p.product,
      start_date: p.flight.start,
      end_date: p.flight.end,
      target_spend: target.toFixed(2),
      budget: chance(0.9) ? budget.toFixed(2) : '',
      currency: chance(0.97) ? p.currency : '',
      owner_slack_id: pick(OWNERS),
      platform_campaign_id: pinned ? platformId : '',
    });
    truth[campaignId] = {
      platform: p.platform,
      platformCampaignId: platformId,
      kind: pinned ? 'pinned' : noiseKind ? `noisy:${noiseKind}` : 'name',
      band,
    };
  }

  // Budget pools (the tracker's budget_pool): in each block of 50 matched rows, up to 4 with a budget in the block's
  // most common currency share one total. Chosen by position, not by chance, so the rest of the data is as it was.
  for (let block = 0; block * POOL_BLOCK < nMatched; block++) {
    const byCurrency = new Map();
    for (const r of trackerRows.slice(block * POOL_BLOCK, Math.min(nMatched, (block + 1) * POOL_BLOCK))) {
      if (r.budget === '' || r.currency === '') continue;
      byCurrency.set(r.currency, [...(byCurrency.get(r.currency) ?? []), r]);
    }
    const members = [...byCurrency.values()].sort((a, b) => b.length - a.length)[0]?.slice(0, POOL_SIZE) ?? [];
    if (members.length < 2) continue;
    for (const r of members) r.budget_pool = `Pool ${block + 1} ${r.currency}`;
    stats.pools++;
    stats.pooledRows += members.length;
  }

  // Rows with no campaign on their platform: planned but never launched.
  for (let i = 0; i < nUnmatched; i++) {
    const p = planName();
    const daily = round2(between(40, 1200));
    const campaignId = `BEN-${p.platform === 'google' ? 'G' : 'M'}-U${String(i + 1).padStart(5, '0')}`;
    trackerRows.push({
      campaign_id: campaignId,
      campaign_name: p.name,
      platform: p.platform,
      market: p.market,
      product: p.product,
      start_date: p.flight.start,
      end_date: p.flight.end,
      target_spend: round2(daily * p.flight.elapsed).toFixed(2),
      budget: round2(daily * p.flight.days).toFixed(2),
      currency: p.currency,
      owner_slack_id: pick(OWNERS),
      platform_campaign_id: '',
    });
    truth[campaignId] = { platform: p.platform, platformCampaignId: null, kind: 'unmatched' };
  }
  for (let i = 0; i < nPinnedMissing; i++) {
    const p = planName();
    const campaignId = `BEN-${p.platform === 'google' ? 'G' : 'M'}-P${String(i + 1).padStart(5, '0')}`;
    trackerRows.push({
      campaign_id: campaignId,
      campaign_name: p.name,
      platform: p.platform,
      market: p.market,
      product: p.product,
      start_date: p.flight.start,
      end_date: p.flight.end,
      target_spend: '1000.00',
      budget: '',
      currency: p.currency,
      owner_slack_id: pick(OWNERS),
      platform_campaign_id:
        p.platform === 'google' ? String(29_999_999_000 + i) : `238599999999${String(i).padStart(5, '0')}`,
    });
    truth[campaignId] = { platform: p.platform, platformCampaignId: null, kind: 'pinned_missing' };
  }

  // Campaigns no row plans: orphans spend, drafts do not. Platforms name these their own way.
  const orphanTruth = [];
  for (let i = 0; i < nOrphans + nZeroDrafts; i++) {
    const platform = chance(0.5) ? 'google' : 'meta';
    const [market, currency] = pick(MARKETS);
    const n = numbers[numberAt++];
    const orphan = i < nOrphans;
    const name = orphan
      ? pick([
          `Auto-created Smart campaign ${n}`,
          `[TEST] pixel audience ${market.toLowerCase()} ${n}`,
          `Boosted post ${2026}-11-${String(1 + (n % 19)).padStart(2, '0')} #${n}`,
          `Agency import ${n} (do not edit)`,
        ])
      : `Draft ${n}`;
    const id = newPlatformId(platform);
    campaigns[platform].push({
      id,
      name,
      market,
      product: null,
      start_date: '2026-11-01',
      end_date: '2026-11-30',
      spend: orphan ? round2(between(50, 4000)) : 0,
      status: orphan ? 'ENABLED' : 'PAUSED',
      daily_budget: null,
      currency,
    });
    if (orphan) orphanTruth.push(`${platform}:${id}`);
  }

  // Platform order is not plan order: shuffle each list.
  for (const list of Object.values(campaigns)) {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [list[i], list[j]] = [list[j], list[i]];
    }
  }
  // Plan order: shuffled too, so unmatched rows are not all at the end.
  for (let i = trackerRows.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [trackerRows[i], trackerRows[j]] = [trackerRows[j], trackerRows[i]];
  }

  const header = [
    'campaign_id',
    'campaign_name',
    'platform',
    'market',
    'product',
    'start_date',
    'end_date',
    'target_spend',
    'budget',
    'currency',
    'owner_slack_id',
    'platform_campaign_id',
    'budget_pool',
  ];
  const csvCell = (v) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const csv = `${[header.join(','), ...trackerRows.map((r) => header.map((h) => csvCell(String(r[h] ?? ''))).join(','))].join('\n')}\n`;
  const platformJson = (p) => JSON.stringify({ fetched_at: platformFetchedAt[p], campaigns: campaigns[p] });

  return {
    files: {
      'tracker.csv': csv,
      'google.json': platformJson('google'),
      'meta.json': platformJson('meta'),
      // The data is as fresh as `now`: the folder keeps that clock (it stands for PACING_NOW when that is unset),
      // or every campaign would look days stale and be judged on freshness 0.
      'scenario.json': JSON.stringify({ now }),
    },
    truth: { rows: truth, orphans: orphanTruth },
    stats: {
      ...stats,
      trackerRows: trackerRows.length,
      platformCampaigns: campaigns.google.length + campaigns.meta.length,
      google: campaigns.google.length,
      meta: campaigns.meta.length,
      matchedTruth: nMatched,
      unmatchedTruth: nUnmatched + nPinnedMissing,
      orphansTruth: nOrphans,
      zeroSpendUnplanned: nZeroDrafts,
      noiseKinds,
    },
  };
}

export function writeDataset(dir, options) {
  const data = generate(options);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(data.files)) writeFileSync(join(dir, name), content);
  writeFileSync(join(dir, 'truth.json'), JSON.stringify(data.truth));
  return data;
}

const USAGE = `Usage: node bench/generate.mjs [dir] [rows] [seed]

Writes a deterministic benchmark dataset (tracker.csv, google.json, meta.json, scenario.json, truth.json)
into dir, for manual runs with PACING_DATA_DIR=<dir>. scenario.json pins "now" to the data's own time
(2026-11-20T09:00:00Z) so that its spend is fresh; PACING_NOW overrides it.

  dir    the folder to write into (default bench/out/data); for one whose name starts with "-", write ./-name
  rows   tracker rows, and as many platform campaigns (a whole number, default 10000)
  seed   the random seed (a whole number, default 20261120)

Options:
  -h, --help   this text`;

/**
 * The command line: `node bench/generate.mjs [dir] [rows] [seed]`. Returns the exit status; nothing is written
 * unless the arguments are usable (an option such as `--help` is never taken for a folder name).
 */
export function cli(argv, io = { out: (t) => console.log(t), err: (t) => console.error(t) }) {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  const usageError = (message) => {
    io.err(`generate.mjs: ${message}\n\n${USAGE}`);
    return 2;
  };
  const option = argv.find((a) => a.startsWith('-'));
  if (option !== undefined) return usageError(`unknown option "${option}".`);
  if (argv.length > 3) return usageError(`too many arguments (${argv.length}); expected at most dir, rows and seed.`);
  const [dir = 'bench/out/data', rows = '10000', seed = '20261120'] = argv;
  if (dir.trim() === '') return usageError('dir is empty.');
  if (!/^\d+$/.test(rows) || Number(rows) < 1) return usageError(`rows must be a whole number above 0, not "${rows}".`);
  if (!/^\d+$/.test(seed)) return usageError(`seed must be a whole number, not "${seed}".`);
  const { stats } = writeDataset(dir, { rows: Number(rows), seed: Number(seed) });
  io.out(JSON.stringify(stats, null, 2));
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = cli(process.argv.slice(2));
}
