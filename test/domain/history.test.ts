// A campaign's last runs: off plan how often, chronic or not, within 10 runs and 14 days.
import { describe, expect, it } from 'vitest';
import { campaignHistories, decodePacing, encodePacing, type Pacing, runHistory } from '../../src/domain/history.js';

const warn = { severity: 'warning', variancePct: 15 } as const;
const ok = { severity: 'healthy', variancePct: 2 } as const;

describe('runHistory', () => {
  it.each([
    ['a first run', [], warn, { runs: 1, offPlanRuns: 1, chronic: false }],
    ['three off plan of three', [warn, warn], warn, { runs: 3, offPlanRuns: 3, chronic: true }],
    ['three off plan of six: half', [ok, ok, ok, warn, warn], warn, { runs: 6, offPlanRuns: 3, chronic: true }],
    [
      'three off plan of seven: under half',
      [ok, ok, ok, ok, warn, warn],
      warn,
      { runs: 7, offPlanRuns: 3, chronic: false },
    ],
    ['two off plan of two: too few', [warn], warn, { runs: 2, offPlanRuns: 2, chronic: false }],
  ] as const)('%s', (_name, earlier, now, expected) => {
    expect(runHistory(earlier, now)).toMatchObject(expected);
  });

  it('counts at most the last 10 runs', () => {
    const h = runHistory(
      Array.from({ length: 15 }, () => warn),
      ok,
    );
    expect(h).toMatchObject({ runs: 10, offPlanRuns: 9, chronic: true });
    expect(h.variances).toHaveLength(10);
  });
});

describe('pacing kept with each result', () => {
  const DAY = 86_400_000;
  it('round-trips severity and variance, oldest first, and drops runs older than 14 days', () => {
    const t0 = Date.parse('2026-11-01T00:00:00Z');
    let enc = encodePacing(null, t0, warn, t0 - 14 * DAY);
    enc = encodePacing(enc, t0 + DAY, { severity: null, variancePct: null }, t0 + DAY - 14 * DAY);
    enc = encodePacing(enc, t0 + 20 * DAY, ok, t0 + 6 * DAY);
    expect(decodePacing(enc, 0)).toEqual([{ severity: 'healthy', variancePct: 2 }]);
    expect(decodePacing(encodePacing(null, t0, warn, 0), 0)).toEqual([{ severity: 'warning', variancePct: 15 }]);
  });
});

describe('pacing spelling', () => {
  const DAY = 86_400_000;
  const t0 = Date.parse('2026-11-01T09:00:00Z');

  it('writes base-36 seconds and one letter per severity, half the length of the earlier spelling', () => {
    const enc = encodePacing(null, t0, { severity: 'critical', variancePct: -27.5 }, 0);
    expect(enc).toBe(`${(t0 / 1000).toString(36)}|c|-27.5`);
    expect(decodePacing(enc, 0)).toEqual([{ severity: 'critical', variancePct: -27.5 }]);
  });

  it('reads what earlier versions wrote, and re-spells it on the next run', () => {
    const old = `${t0}|healthy|-0.08;${t0 + DAY}||;${t0 + 2 * DAY}|warning|12.5`;
    expect(decodePacing(old, 0)).toEqual([
      { severity: 'healthy', variancePct: -0.08 },
      { severity: null, variancePct: null },
      { severity: 'warning', variancePct: 12.5 },
    ]);
    const next = encodePacing(old, t0 + 3 * DAY, { severity: 'healthy', variancePct: 1 }, t0 + DAY / 2);
    expect(next).not.toContain('healthy');
    expect(decodePacing(next, 0)).toEqual([
      { severity: null, variancePct: null },
      { severity: 'warning', variancePct: 12.5 },
      { severity: 'healthy', variancePct: 1 },
    ]);
  });

  it('keeps the last 10 runs, and only those after `since`', () => {
    let enc: string | null = null;
    for (let i = 0; i < 15; i++)
      enc = encodePacing(enc, t0 + i * 3_600_000, { severity: 'healthy', variancePct: i }, 0);
    expect(decodePacing(enc, 0).map((p) => p.variancePct)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(decodePacing(enc, t0 + 12 * 3_600_000).map((p) => p.variancePct)).toEqual([13, 14]);
  });

  it('keeps what the run counted when run times go backwards (PACING_NOW, a clock set back)', () => {
    const since = t0 - 14 * DAY;
    // Nine recent runs, then one written with a clock 20 days back, then this run.
    let enc: string | null = null;
    for (let i = 0; i < 9; i++) enc = encodePacing(enc, t0 - i * 3_600_000, warnAt(i), 0);
    enc = encodePacing(enc, t0 - 20 * DAY, { severity: 'healthy', variancePct: 1 }, 0);
    const prior = decodePacing(enc, since);
    const history = runHistory(prior, warnAt(99));
    const stored = decodePacing(encodePacing(enc, t0, warnAt(99), since), 0);
    expect(runHistory(stored.slice(0, -1), stored.at(-1) as Pacing)).toEqual(history);
    expect(history).toMatchObject({ runs: 10, offPlanRuns: 10 });
  });
});

const warnAt = (v: number) => ({ severity: 'warning', variancePct: v }) as const;

describe('pacing stored again: the kept runs as written, then this run', () => {
  const t0 = Date.parse('2026-11-01T09:00:00Z');
  const HOUR = 3_600_000;
  const entry = (i: number, v = i) => `${Math.floor((t0 + i * HOUR) / 1000).toString(36)}|h|${v}`;
  const runs = (n: number) => Array.from({ length: n }, (_, i) => entry(i));
  const now = { severity: 'warning', variancePct: 11 } as const;
  const latest = entry(100).replace('|h|100', '|w|11');

  it.each([
    ['one run', runs(1), runs(1)],
    ['eight runs', runs(8), runs(8)],
    ['nine runs', runs(9), runs(9)],
    ['ten runs: the oldest goes', runs(10), runs(10).slice(1)],
    ['twelve runs', runs(12), runs(12).slice(3)],
    ['an empty entry (a stray separator)', [...runs(3), ''], runs(3)],
    ['a run before `since` among them', [entry(0), entry(-500), entry(2)], [entry(0), entry(2)]],
    ['a run in the earlier spelling, re-spelt', [...runs(2), `${t0 + 5 * HOUR}|healthy|5`], [...runs(2), entry(5)]],
    ['an entry without its bars', [...runs(2), 'junk'], runs(2)],
  ])('%s', (_, stored, kept) => {
    expect(encodePacing(stored.join(';'), t0 + 100 * HOUR, now, t0 - 24 * HOUR)).toBe([...kept, latest].join(';'));
  });
});

describe('campaignHistories: a run’s campaigns against the pacing the run before stored', () => {
  const DAY = 86_400_000;
  const now = '2026-11-20T09:00:00.000Z';
  const at = Date.parse(now);
  /** A stored pacing of these runs, one a day, the last one a day before `now`. */
  const stored = (...runs: Pacing[]) =>
    runs.reduce<string | null>((enc, p, i) => encodePacing(enc, at - (runs.length - i) * DAY, p, 0), null) as string;

  it.each([
    ['a campaign first seen now', null, warn, { runs: 1, offPlanRuns: 1, chronic: false }, false],
    ['healthy then and now: steady', [ok], ok, { runs: 2, offPlanRuns: 0, chronic: false }, true],
    ['back on plan after a warning: not steady', [warn], ok, { runs: 2, offPlanRuns: 1, chronic: false }, false],
    ['healthy before, off plan now', [ok], warn, { runs: 2, offPlanRuns: 1, chronic: false }, false],
    ['off plan three runs of four: chronic', [ok, warn, warn], warn, { runs: 4, offPlanRuns: 3, chronic: true }, false],
  ] as const)('%s', (_name, before, current, history, steady) => {
    const earlier = new Map(before ? [['plan:C1', stored(...before)]] : []);
    const h = campaignHistories([{ key: 'plan:C1', ...current }], earlier, now);
    expect(h.histories).toEqual([expect.objectContaining(history)]);
    expect(h.steady.has('plan:C1')).toBe(steady);
    // What is stored for the next run holds the earlier runs and this one, in order.
    expect(decodePacing(h.pacing.get('plan:C1') ?? null, 0)).toEqual([...(before ?? []), current]);
  });

  it('counts only runs within 14 days, and stores only those', () => {
    const old = encodePacing(null, at - 15 * DAY, warn, 0);
    const earlier = new Map([['plan:C1', encodePacing(old, at - DAY, warn, 0)]]);
    const h = campaignHistories([{ key: 'plan:C1', ...warn }], earlier, now);
    expect(h.histories[0]).toMatchObject({ runs: 2, offPlanRuns: 2, variances: [15, 15] });
    expect(decodePacing(h.pacing.get('plan:C1') ?? null, 0)).toHaveLength(2);
  });

  it('answers each campaign in the order given, by its own key', () => {
    const earlier = new Map([
      ['google:1', stored(warn, warn)],
      ['plan:C2', stored(ok)],
    ]);
    const h = campaignHistories(
      [
        { key: 'plan:C2', ...ok },
        { key: 'google:1', ...warn },
        { key: 'plan:C3', severity: null, variancePct: null },
      ],
      earlier,
      now,
    );
    expect(h.histories.map((x) => [x.runs, x.offPlanRuns, x.chronic])).toEqual([
      [2, 0, false],
      [3, 3, true],
      [1, 0, false],
    ]);
    expect([...h.steady]).toEqual(['plan:C2']);
    expect([...h.pacing.keys()]).toEqual(['plan:C2', 'google:1', 'plan:C3']);
  });
});

describe('campaignHistories against its parts', () => {
  const now = '2026-11-20T09:00:00Z';
  const at = Date.parse(now);
  const since = at - 14 * 86_400_000;
  const HOUR = 3_600_000;
  const run = (hoursAgo: number, s: string, v: string) =>
    `${Math.floor((at - hoursAgo * HOUR) / 1000).toString(36)}|${s}|${v}`;
  const many = (n: number, s = 'h') => Array.from({ length: n }, (_, i) => run(n - i, s, String(i / 4))).join(';');

  it.each([
    ['nothing stored', ''],
    ['one healthy run', run(1, 'h', '0.5')],
    ['twelve runs, off plan', many(12, 'w')],
    ['nine runs', many(9)],
    ['ten runs', many(10)],
    ['runs older than 14 days among them', `${run(400, 'c', '40')};${run(2, 'h', '1')};${run(1, 'w', '12')}`],
    ['the earlier spelling', `${at - 2 * HOUR}|warning|12.5;${at - HOUR}|healthy|-0.08`],
    ['a stray separator at the end', `${many(3)};`],
    ['a run without its variance bar', `${many(2)};${Math.floor(at / 1000 - 60).toString(36)}|h`],
    ['an empty severity and variance', `${many(2)};${run(1, '', '')}`],
    ['a time too long for base 36', `${many(2)};abcdefghij|h|2`],
    ['text that is no run', `${many(2)};junk`],
  ])('%s: the same as decoding, counting and encoding it', (_, stored) => {
    const campaign = { key: 'plan:C1', severity: 'healthy', variancePct: 3.5 } as const;
    const out = campaignHistories([campaign], new Map([['plan:C1', stored]]), now);
    const prior = decodePacing(stored, since);
    expect(out.histories).toEqual([runHistory(prior, campaign)]);
    expect(out.pacing.get('plan:C1')).toBe(encodePacing(stored, at, campaign, since));
    expect(out.steady.has('plan:C1')).toBe(prior.at(-1)?.severity === 'healthy');
  });
});
