// The fixture adapter's fast path reads a plainly valid campaign exactly as the schema does, and leaves
// anything else to the schema (and its messages).
import { describe, expect, it } from 'vitest';
import { CampaignSchema, plainCampaign } from '../../src/platforms/fixtures/campaign.js';

const good = {
  id: '20500001141',
  name: 'ACM_DE_Garden_Search_Q4',
  market: 'DE',
  product: 'Garden',
  start_date: '2026-10-01',
  end_date: '2026-12-31',
  spend: 30.5,
  daily: [
    { date: '2026-11-02', spend: 10.25 },
    { date: '2026-11-01', spend: 20.25 },
  ],
  status: 'ENABLED',
  fetched_at: '2026-11-20T08:30:00Z',
  daily_budget: 25,
  currency: 'eur',
};

/**
 * One field changed at a time: read plainly (`plain`), accepted by the schema only (`schema`: text read as a
 * number), or refused (`refused`, by the schema with its message).
 */
const variants: [string, unknown, 'plain' | 'schema' | 'refused'][] = [
  ['id', 20500001141, 'plain'],
  ['id', '', 'refused'],
  ['id', null, 'refused'],
  ['id', undefined, 'refused'],
  ['name', '', 'refused'],
  ['name', 5, 'refused'],
  ['market', null, 'plain'],
  ['market', undefined, 'plain'],
  ['market', 3, 'refused'],
  ['product', null, 'plain'],
  ['start_date', null, 'plain'],
  ['start_date', undefined, 'plain'],
  ['start_date', '2026-02-30', 'refused'],
  ['start_date', '2026/10/01', 'refused'],
  ['end_date', 20261231, 'refused'],
  ['spend', undefined, 'plain'],
  ['spend', null, 'refused'],
  ['spend', '30.5', 'schema'],
  ['spend', 30.49, 'refused'],
  ['spend', -1, 'refused'],
  ['spend', -0, 'refused'],
  ['daily', undefined, 'plain'],
  ['daily', [], 'refused'],
  ['daily', [{ date: '2026-11-01', spend: 30.5 }], 'plain'],
  ['daily', [{ date: '2026-11-01', spend: '30.5' }], 'schema'],
  [
    'daily',
    [
      { date: '2026-11-01', spend: 10 },
      { date: '2026-11-01', spend: 20.5 },
    ],
    'refused',
  ],
  ['daily', 'none', 'refused'],
  ['status', 'REMOVED', 'refused'],
  ['status', undefined, 'refused'],
  ['fetched_at', undefined, 'plain'],
  ['fetched_at', null, 'plain'],
  ['fetched_at', 'yesterday', 'refused'],
  ['fetched_at', '2026-11-20T09:30:00+01:00', 'plain'],
  ['daily_budget', null, 'plain'],
  ['daily_budget', undefined, 'plain'],
  ['daily_budget', '25', 'schema'],
  ['daily_budget', -5, 'refused'],
  ['currency', null, 'plain'],
  ['currency', 'EURO', 'refused'],
  ['currency', 'usd', 'plain'],
  ['currency', 12, 'refused'],
  ['shared_budget', true, 'plain'],
  ['shared_budget', false, 'plain'],
  ['shared_budget', null, 'plain'],
  ['shared_budget', 'true', 'refused'],
  ['shared_budget', 1, 'refused'],
  ['lifetime_budget', 30000, 'plain'],
  ['lifetime_budget', null, 'plain'],
  ['lifetime_budget', '30000', 'schema'],
  ['lifetime_budget', -1, 'refused'],
  ['lifetime_budget', 'lots', 'refused'],
  ['extra', 'ignored', 'plain'],
];

const withVariant = (field: string, value: unknown) => {
  const item: Record<string, unknown> = { ...good, [field]: value };
  if (value === undefined) delete item[field];
  return item;
};

describe('plainCampaign', () => {
  it('reads a plainly valid campaign as the schema does', () => {
    expect(plainCampaign(good)).toEqual(CampaignSchema.parse(good));
  });

  it.each(variants)('%s = %j: %s', (field, value, expected) => {
    const item = withVariant(field, value);
    const fast = plainCampaign(item);
    const schema = CampaignSchema.safeParse(item);
    expect(fast === null ? (schema.success ? 'schema' : 'refused') : 'plain').toBe(expected);
    if (fast !== null) expect(fast).toEqual(schema.data);
  });

  it('refuses what is not an object', () => {
    for (const item of [null, 5, 'x', [good]]) expect(plainCampaign(item)).toBeNull();
  });
});
