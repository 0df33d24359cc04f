// The fixture platform refuses bad data campaign by campaign, and keeps the good campaigns beside it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CampaignStatus, Platform } from '../../src/domain/types.js';
import { FixturePlatform, type StatusOverrides } from '../../src/platforms/fixtures/adapter.js';

const NOW = '2026-11-20T09:00:00.000Z';

class MemoryOverrides implements StatusOverrides {
  private readonly statuses = new Map<string, CampaignStatus>();
  async all(platform: Platform): Promise<Map<string, CampaignStatus>> {
    const out = new Map<string, CampaignStatus>();
    for (const [key, status] of this.statuses)
      if (key.startsWith(`${platform}:`)) out.set(key.slice(platform.length + 1), status);
    return out;
  }
  async get(platform: Platform, campaignId: string): Promise<CampaignStatus | null> {
    return this.statuses.get(`${platform}:${campaignId}`) ?? null;
  }
  async set(platform: Platform, campaignId: string, status: CampaignStatus): Promise<void> {
    this.statuses.set(`${platform}:${campaignId}`, status);
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pacing-fixtures-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const campaign = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `Campaign ${id}`,
  market: 'DE',
  product: 'Sneakers',
  start_date: '2026-11-01',
  end_date: '2026-11-30',
  spend: 1000,
  status: 'ENABLED',
  currency: 'EUR',
  ...extra,
});

function platformWith(content: string, platform: Platform = 'google', now = NOW): FixturePlatform {
  writeFileSync(join(dir, `${platform}.json`), content);
  return new FixturePlatform(platform, dir, new MemoryOverrides(), () => now);
}
const fileOf = (campaigns: unknown[], fetchedAt: unknown = '2026-11-20T08:30:00Z') =>
  JSON.stringify({ fetched_at: fetchedAt, campaigns }, null, 2);

/** Reads one bad campaign beside a good one: the good one is returned, the bad one only reported. */
async function oneBad(extra: Record<string, unknown>) {
  const snapshot = await platformWith(fileOf([campaign('g-1'), campaign('g-2', extra)])).fetchCampaigns();
  expect(snapshot.campaigns.map((c) => c.id)).toEqual(['g-1']);
  expect(snapshot.errors).toHaveLength(1);
  return snapshot.errors[0] as string;
}

describe('fetched_at', () => {
  it.each(['5', '2026-11-20', 'yesterday', '2026-11-20T08:30:00', '2026-11-20 08:30:00Z', '2026-02-30T08:30:00Z'])(
    'refuses a campaign fetched_at of %s',
    async (value) => {
      expect(await oneBad({ fetched_at: value })).toBe(
        `google.json campaigns[1] (id g-2): fetched_at "${value}" is not an ISO time with a date, a time and a UTC offset (such as 2026-11-20T08:30:00Z)`,
      );
    },
  );

  it('refuses a fetched_at that is a number', async () => {
    expect(await oneBad({ fetched_at: 5 })).toMatch(/\(id g-2\): fetched_at 5 is not an ISO time/);
  });

  it('accepts offsets and Z, and keeps the time as UTC', async () => {
    const snapshot = await platformWith(
      fileOf([
        campaign('g-1', { fetched_at: '2026-11-20T09:30:00+01:00' }),
        campaign('g-2', { fetched_at: '2026-11-20T08:30:00.250Z' }),
        campaign('g-3'),
      ]),
    ).fetchCampaigns();
    expect(snapshot.errors).toEqual([]);
    expect(snapshot.campaigns.map((c) => c.fetchedAt)).toEqual([
      '2026-11-20T08:30:00.000Z',
      '2026-11-20T08:30:00.250Z',
      '2026-11-20T08:30:00.000Z',
    ]);
  });

  it('refuses a campaign fetched_at more than 1 hour in the future, not one within the hour', async () => {
    const snapshot = await platformWith(
      fileOf([
        campaign('g-1', { fetched_at: '2026-11-20T09:59:00Z' }),
        campaign('g-2', { fetched_at: '2026-11-20T10:01:00Z' }),
      ]),
    ).fetchCampaigns();
    expect(snapshot.campaigns.map((c) => c.id)).toEqual(['g-1']);
    expect(snapshot.errors).toEqual([
      `google.json campaigns[1] (id g-2): fetched_at "2026-11-20T10:01:00.000Z" lies in the future (more than 1 hour after ${NOW})`,
    ]);
  });

  it('judges the future by the clock of each read, not of the first', async () => {
    let now = NOW;
    writeFileSync(join(dir, 'google.json'), fileOf([campaign('g-1', { fetched_at: '2026-11-20T12:00:00Z' })]));
    const platform = new FixturePlatform('google', dir, new MemoryOverrides(), () => now);
    expect((await platform.fetchCampaigns()).campaigns).toEqual([]);
    now = '2026-11-20T12:30:00.000Z';
    expect((await platform.fetchCampaigns()).campaigns.map((c) => c.id)).toEqual(['g-1']);
  });

  it('leaves out, with one error, the campaigns that rely on a bad file fetched_at; the others count', async () => {
    const snapshot = await platformWith(
      fileOf([campaign('g-1'), campaign('g-2', { fetched_at: '2026-11-20T08:00:00Z' }), campaign('g-3')], 'yesterday'),
    ).fetchCampaigns();
    expect(snapshot.campaigns.map((c) => c.id)).toEqual(['g-2']);
    expect(snapshot.errors).toEqual([
      'google.json: fetched_at "yesterday" is not an ISO time with a date, a time and a UTC offset (such as 2026-11-20T08:30:00Z), so the 2 campaigns without a fetched_at of their own were left out (g-1, g-3)',
    ]);
  });

  it('leaves out the campaigns that rely on a file fetched_at in the future', async () => {
    const snapshot = await platformWith(fileOf([campaign('g-1')], '2026-11-21T09:00:00Z')).fetchCampaigns();
    expect(snapshot.campaigns).toEqual([]);
    expect(snapshot.errors).toEqual([
      `google.json: fetched_at "2026-11-21T09:00:00Z" lies in the future (more than 1 hour after ${NOW}), so the campaign without a fetched_at of its own was left out (g-1)`,
    ]);
  });

  it('needs no file fetched_at when every campaign has its own', async () => {
    const snapshot = await platformWith(
      JSON.stringify({ campaigns: [campaign('g-1', { fetched_at: '2026-11-20T08:00:00Z' })] }),
    ).fetchCampaigns();
    expect(snapshot).toMatchObject({ campaigns: [{ id: 'g-1' }], errors: [] });
  });
});

describe('shared_budget and lifetime_budget', () => {
  it('are carried on the campaign, and left off a campaign without them', async () => {
    const snapshot = await platformWith(
      fileOf([
        campaign('g-1', { daily_budget: 80, shared_budget: true }),
        campaign('g-2', { lifetime_budget: '30000.50', shared_budget: false }),
        campaign('g-3', { daily_budget: 80 }),
      ]),
    ).fetchCampaigns();
    expect(snapshot.errors).toEqual([]);
    const [shared, lifetime, plain] = snapshot.campaigns;
    expect(shared).toMatchObject({ dailyBudget: 80, sharedBudget: true });
    expect(shared).not.toHaveProperty('lifetimeBudget');
    expect(lifetime).toMatchObject({ dailyBudget: null, lifetimeBudget: 30000.5 });
    expect(lifetime).not.toHaveProperty('sharedBudget');
    expect(plain).not.toHaveProperty('sharedBudget');
    expect(plain).not.toHaveProperty('lifetimeBudget');
  });

  it('refuses a shared_budget that is not true or false, and a negative lifetime_budget', async () => {
    expect(await oneBad({ shared_budget: 'yes' })).toBe(
      'google.json campaigns[1] (id g-2): shared_budget "yes" must be true or false',
    );
    expect(await oneBad({ lifetime_budget: -1 })).toBe(
      'google.json campaigns[1] (id g-2): lifetime_budget -1 is negative',
    );
  });
});

describe('spend and daily_budget', () => {
  it.each([
    ['0x1388', 'spend "0x1388" is not a number'],
    ['0b1', 'spend "0b1" is not a number'],
    ['0o7', 'spend "0o7" is not a number'],
    ['1e3', 'spend "1e3" is not a number'],
    ['Infinity', 'spend "Infinity" is not a number'],
    ['1,000', 'spend "1,000" is not a number'],
    [' ', 'spend " " is not a number (it is blank)'],
    ['-0', 'spend "-0" is negative'],
    ['-10', 'spend "-10" is negative'],
  ])('refuses the string %j', async (value, message) => {
    expect(await oneBad({ spend: value })).toBe(`google.json campaigns[1] (id g-2): ${message}`);
  });

  it('reads a plain decimal string', async () => {
    const snapshot = await platformWith(
      fileOf([campaign('g-1', { spend: ' 1250.50 ', daily_budget: '80' })]),
    ).fetchCampaigns();
    expect(snapshot.campaigns[0]).toMatchObject({ spend: 1250.5, dailyBudget: 80 });
  });

  it('refuses -0 as a JSON number as negative', async () => {
    writeFileSync(
      join(dir, 'google.json'),
      `{"fetched_at":"2026-11-20T08:30:00Z","campaigns":[${JSON.stringify(campaign('g-1'))},${JSON.stringify(campaign('g-2')).replace('"spend":1000', '"spend":-0')}]}`,
    );
    const snapshot = await new FixturePlatform('google', dir, new MemoryOverrides(), () => NOW).fetchCampaigns();
    expect(snapshot.campaigns.map((c) => c.id)).toEqual(['g-1']);
    expect(snapshot.errors).toEqual(['google.json campaigns[1] (id g-2): spend -0 is negative']);
  });

  it('says a boolean is not a number, not that spend is missing', async () => {
    expect(await oneBad({ spend: true })).toBe('google.json campaigns[1] (id g-2): spend true is not a number');
  });

  it('says spend is missing when it is', async () => {
    expect(await oneBad({ spend: undefined })).toBe(
      'google.json campaigns[1] (id g-2): spend is missing (give spend, or a daily series)',
    );
  });

  it('refuses a JSON number too big to be finite', async () => {
    writeFileSync(
      join(dir, 'google.json'),
      `{"fetched_at":"2026-11-20T08:30:00Z","campaigns":[${JSON.stringify(campaign('g-1'))},${JSON.stringify(campaign('g-2', { daily_budget: 7 })).replace('"daily_budget":7', '"daily_budget":1e309')}]}`,
    );
    const snapshot = await new FixturePlatform('google', dir, new MemoryOverrides(), () => NOW).fetchCampaigns();
    expect(snapshot.campaigns.map((c) => c.id)).toEqual(['g-1']);
    expect(snapshot.errors).toEqual([
      'google.json campaigns[1] (id g-2): daily_budget Infinity is not a finite number',
    ]);
  });

  it('refuses a daily_budget string in hex, and a negative number', async () => {
    expect(await oneBad({ daily_budget: '0x10' })).toBe(
      'google.json campaigns[1] (id g-2): daily_budget "0x10" is not a number',
    );
    expect(await oneBad({ spend: -5 })).toBe('google.json campaigns[1] (id g-2): spend -5 is negative');
  });
});

describe('the file', () => {
  it('is read with a UTF-8 byte order mark', async () => {
    const snapshot = await platformWith(`\uFEFF${fileOf([campaign('g-1')])}`).fetchCampaigns();
    expect(snapshot).toMatchObject({ campaigns: [{ id: 'g-1' }], errors: [] });
  });

  it('reports a JSON syntax error with its line and column', async () => {
    const text = fileOf([campaign('g-1')]).replace('"status": "ENABLED",', '"status": "ENABLED",,');
    const line = text.split('\n').findIndex((l) => l.includes(',,')) + 1;
    const column = (text.split('\n')[line - 1] as string).indexOf(',,') + 2;
    await expect(platformWith(text).fetchCampaigns()).rejects.toThrow(
      new RegExp(`google\\.json is not valid JSON (at )?\\(?line ${line},? column ${column}`),
    );
  });

  it('reports an unfinished file at its end', async () => {
    await expect(platformWith('{\n  "fetched_at": "2026-11-20T08:30:00Z"\n').fetchCampaigns()).rejects.toThrow(
      /is not valid JSON at line 3, column 1 \(/,
    );
  });
});

describe('flight dates', () => {
  it('refuses a date that is not in the calendar', async () => {
    expect(await oneBad({ start_date: '2026-02-30' })).toBe(
      'google.json campaigns[1] (id g-2): start_date "2026-02-30" is not a calendar date',
    );
    expect(await oneBad({ end_date: '2026-11-31' })).toBe(
      'google.json campaigns[1] (id g-2): end_date "2026-11-31" is not a calendar date',
    );
  });

  it('still says the form when it is not YYYY-MM-DD', async () => {
    expect(await oneBad({ end_date: '30/11/2026' })).toBe(
      'google.json campaigns[1] (id g-2): end_date must be YYYY-MM-DD',
    );
  });
});

describe('a daily spend series', () => {
  const daily = [
    { date: '2026-11-18', spend: 100 },
    { date: '2026-11-19', spend: 250.5 },
  ];
  it('gives spend per day, and the total when spend is left out', async () => {
    const snapshot = await platformWith(fileOf([campaign('g-1', { spend: undefined, daily })])).fetchCampaigns();
    expect(snapshot.campaigns[0]).toMatchObject({
      spend: 350.5,
      spendByDay: { '2026-11-18': 100, '2026-11-19': 250.5 },
    });
  });
  it('accepts a spend that is the sum, to the cent', async () => {
    const snapshot = await platformWith(fileOf([campaign('g-1', { spend: 350.5, daily })])).fetchCampaigns();
    expect(snapshot.errors).toEqual([]);
  });
  it.each([
    [{ spend: 350.51, daily }, 'spend 350.51 is not the sum of its daily series (350.5)'],
    [{ daily: [...daily, { date: '2026-11-19', spend: 1 }] }, 'daily lists 2026-11-19 twice'],
    [{ daily: [{ date: '2026-11-31', spend: 1 }] }, '"2026-11-31" is not a calendar date'],
    [{ daily: [{ date: '2026-11-18', spend: '0x10' }] }, 'daily spend'],
  ])('refuses %j', async (extra, message) => {
    expect(await oneBad(extra)).toContain(message);
  });
});

describe('ids', () => {
  it('uses neither copy of an id listed twice, and reports both', async () => {
    const platform = platformWith(
      fileOf([campaign('g-1', { spend: 0 }), campaign('g-2'), campaign('g-1', { spend: 1200 })]),
    );
    const snapshot = await platform.fetchCampaigns();
    expect(snapshot.campaigns.map((c) => c.id)).toEqual(['g-2']);
    expect(snapshot.errors).toEqual([
      'google.json campaigns[2] (id g-1): duplicate id g-1 (also at campaigns[0]); neither copy is used',
    ]);
    expect(snapshot.unusable?.map((u) => u.id)).toEqual(['g-1', 'g-1']);
    // Nothing the run could act on by that id.
    await expect(platform.pause('g-1')).rejects.toThrow(/has no campaign g-1/);
  });

  it('refuses an id sent as a JSON number too large to be exact, naming the field', async () => {
    const text = fileOf([campaign('g-1'), campaign('ID')]).replace('"id": "ID"', '"id": 12345678901234567891');
    const snapshot = await platformWith(text).fetchCampaigns();
    expect(snapshot.campaigns.map((c) => c.id)).toEqual(['g-1']);
    expect(snapshot.errors).toHaveLength(1);
    expect(snapshot.errors[0]).toMatch(
      /^google\.json campaigns\[1\] \(id 12345678901234567000\): id 12345678901234567000 is a JSON number too large to be exact .*write the id as a string$/,
    );
  });

  it('accepts an id sent as a safe whole number', async () => {
    const text = fileOf([campaign('ID')]).replace('"id": "ID"', '"id": 9007199254740991');
    expect((await platformWith(text).fetchCampaigns()).campaigns.map((c) => c.id)).toEqual(['9007199254740991']);
  });
});
