// The tracker's fast path reads a plainly valid row exactly as the schema does, and leaves anything else to it.
import { describe, expect, it } from 'vitest';
import { plainRow, RowSchema } from '../../src/tracker/row.js';

const good: Record<string, string> = {
  campaign_id: 'ACM-G-001',
  campaign_name: 'ACM_DE_Garden_Search_Q4',
  platform: 'google',
  market: 'DE',
  product: 'Garden',
  start_date: '2026-10-01',
  end_date: '2026-12-31',
  target_spend: '12,500.50',
  budget: '30000',
  currency: 'eur',
  owner_slack_id: 'U0123ABCD',
  platform_campaign_id: '',
};

/** One field changed at a time to values the schema accepts, rejects, or reads with a transform. */
const variants: [string, string | undefined][] = [
  ['campaign_id', '  ACM-G-002 '],
  ['campaign_id', ''],
  ['campaign_id', '   '],
  ['campaign_id', undefined],
  ['campaign_name', ' spaced name '],
  ['platform', ' Meta '],
  ['platform', 'GOOGLE'],
  ['platform', 'tiktok'],
  ['platform', ''],
  ['market', ''],
  ['product', undefined],
  ['start_date', '2026-02-30'],
  ['start_date', '2026-13-01'],
  ['start_date', '2026/10/01'],
  ['start_date', ' 2026-10-01 '],
  ['start_date', '2027-01-01'],
  ['end_date', '2026-10-01'],
  ['target_spend', ''],
  ['target_spend', '  '],
  ['target_spend', '-5'],
  ['target_spend', '1e5'],
  ['target_spend', '12.5.5'],
  ['target_spend', '1,23'],
  ['target_spend', '30000.01'],
  ['target_spend', '30000'],
  ['target_spend', ` ${'9'.repeat(400)} `],
  ['target_spend', undefined],
  ['budget', ''],
  ['budget', 'abc'],
  ['budget', '100'],
  ['budget', undefined],
  ['currency', ''],
  ['currency', 'EURO'],
  ['currency', ' usd '],
  ['currency', 'E1R'],
  ['currency', undefined],
  ['owner_slack_id', 'u0123'],
  ['owner_slack_id', 'W0ABC'],
  ['owner_slack_id', ' U0ABC '],
  ['owner_slack_id', 'bob'],
  ['platform_campaign_id', ' 123 '],
  ['platform_campaign_id', undefined],
  ['budget_pool', ' DE Sneakers '],
  ['budget_pool', ''],
  ['budget_pool', undefined],
  ['budget_pool', 'x'.repeat(100)],
  ['budget_pool', 'x'.repeat(101)],
  ['budget_pool', 'DE\nSneakers'],
];

describe('plainRow', () => {
  it('reads a plainly valid row as the schema does', () => {
    expect(plainRow(good)).toEqual(RowSchema.parse(good));
  });

  it.each(variants)('%s = %j: same reading as the schema, or left to the schema', (field, value) => {
    const record: Record<string, string | undefined> = { ...good, [field]: value };
    if (value === undefined) delete record[field];
    const fast = plainRow(record);
    const schema = RowSchema.safeParse(record);
    if (fast === null) return;
    expect(schema.success).toBe(true);
    expect(fast).toEqual(schema.data);
  });

  it('takes both money columns empty to the schema, which says what is missing', () => {
    const record = { ...good, target_spend: '', budget: '' };
    expect(plainRow(record)).toBeNull();
    expect(RowSchema.safeParse(record).success).toBe(false);
  });

  it('reads most rows itself: only rows the schema rejects or that need its messages go to it', () => {
    const read = variants.filter(([field, value]) => {
      const record: Record<string, string | undefined> = { ...good, [field]: value };
      if (value === undefined) delete record[field];
      return plainRow(record) !== null;
    });
    const accepted = variants.filter(([field, value]) => {
      const record: Record<string, string | undefined> = { ...good, [field]: value };
      if (value === undefined) delete record[field];
      return RowSchema.safeParse(record).success;
    });
    expect(read).toEqual(accepted);
  });
});
