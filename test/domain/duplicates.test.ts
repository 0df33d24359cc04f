// A platform listing one campaign id twice: both copies are reported, neither is used.
import { describe, expect, it } from 'vitest';
import { withoutDuplicateIds } from '../../src/domain/duplicates.js';
import { campaign } from './builders.js';

describe('withoutDuplicateIds', () => {
  it('leaves a list without repeats as it is', () => {
    const list = [campaign({ id: 'g-1' }), campaign({ id: 'g-2' })];
    const got = withoutDuplicateIds(list);
    expect(got.campaigns).toBe(list);
    expect(got.errors).toEqual([]);
    expect(got.unusable).toEqual([]);
  });

  it('drops every copy of a repeated id, reports it once and names each copy as unusable', () => {
    const got = withoutDuplicateIds([
      campaign({ id: 'g-1', spend: 0 }),
      campaign({ id: 'g-2' }),
      campaign({ id: 'g-1', spend: 1400 }),
    ]);
    expect(got.campaigns.map((c) => c.id)).toEqual(['g-2']);
    expect(got.errors).toEqual([
      'Google Ads returned campaign g-1 2 times (spend 0 and 1400): which copy is right cannot be told, so neither is used',
    ]);
    expect(got.unusable.map((u) => u.id)).toEqual(['g-1', 'g-1']);
  });
});
