// Did-you-mean: the nearest ids (and names) to what was typed, and only when they are near.
import { describe, expect, it } from 'vitest';
import { type Candidate, closest, didYouMean } from '../../src/domain/suggest.js';

const CAMPAIGNS: Candidate[] = [
  { id: 'ACM-G-001', label: 'Acme_DE_Sneakers_Prospecting_Q4', aliases: ['Acme_DE_Sneakers_Prospecting_Q4'] },
  { id: 'ACM-G-002', label: 'Acme_FR_Running_Search_Brand_Q4', aliases: ['Acme_FR_Running_Search_Brand_Q4'] },
  { id: 'ACM-G-004', label: 'Acme_NL_Outdoor_Awareness_Q4', aliases: ['Acme_NL_Outdoor_Awareness_Q4'] },
  { id: 'ACM-M-001', label: 'ACME | FR | Running | Retargeting', aliases: ['ACME | FR | Running | Retargeting'] },
  { id: 'ACM-M-005', label: 'ACME | US | Basketball | Launch', aliases: ['ACME | US | Basketball | Launch'] },
  { id: '20599990001', label: 'Acme_IT_Sandals_Clearance_Test', aliases: ['Acme_IT_Sandals_Clearance_Test'] },
];

describe('closest', () => {
  const cases: [string, string, string[]][] = [
    ['a digit left out', 'ACM-G-01', ['ACM-G-001']],
    ['a digit too many', 'ACM-G-0001', ['ACM-G-001']],
    ['another case', 'acm-m-005', ['ACM-M-005']],
    ['a swapped platform letter', 'ACM-X-004', ['ACM-G-004']],
    ['a typo in a whole name', 'Acme_NL_Outdor_Awareness_Q4', ['ACM-G-004']],
    ['a name with other separators', 'acme us basketball launch', ['ACM-M-005']],
    ['a typo in the start of a name', 'acme it sandls', ['20599990001']],
    ['an orphan’s platform id with a digit wrong', '20599990002', ['20599990001']],
    ['nothing near', 'zzz', []],
    ['an id too far off', 'XYZ-Q-999', []],
    ['empty', '  ', []],
  ];
  it.each(cases)('%s: %s → %j', (_what, query, expected) => {
    expect(closest(query, CAMPAIGNS).map((c) => c.id)).toEqual(expected);
  });

  it('offers every candidate equally near, at most three, in id order', () => {
    const ids = ['ACM-G-002', 'ACM-G-001', 'ACM-G-003', 'ACM-G-004'].map((id) => ({ id }));
    expect(closest('ACM-G-00', ids).map((c) => c.id)).toEqual(['ACM-G-001', 'ACM-G-002', 'ACM-G-003']);
  });

  it('finds an escalation id with a character wrong, never a random other one', () => {
    const open = [{ id: 'esc-494a571951' }, { id: 'esc-c0d37adb88' }, { id: 'esc-454ee06946' }];
    expect(closest('esc-494a571952', open).map((c) => c.id)).toEqual(['esc-494a571951']);
    expect(closest('esc-0000000000', open)).toEqual([]);
  });
});

describe('didYouMean', () => {
  it('names one candidate with its label', () => {
    expect(didYouMean('ACM-G-01', CAMPAIGNS)).toBe(' Did you mean ACM-G-001 (Acme_DE_Sneakers_Prospecting_Q4)?');
  });
  it('joins several with "or"', () => {
    expect(didYouMean('b', [{ id: 'a' }, { id: 'c' }])).toBe(' Did you mean a or c?');
  });
  it('says nothing when nothing is near', () => {
    expect(didYouMean('zzz', CAMPAIGNS)).toBe('');
  });
});
