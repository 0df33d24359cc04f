// Finding what was typed: the same campaign lookup for the CLI and Slack, and `approve <plan id>` standing for
// that campaign's one open question.
import { describe, expect, it } from 'vitest';
import { campaignHint, campaignTitle, findCampaign, findPlanCampaign, findQuestion } from '../../src/domain/lookup.js';
import type { BatchMember } from '../../src/domain/records.js';
import { escalation, row } from '../cli/rows.js';

const RESULTS = [
  row({ campaignId: 'ACM-G-004', campaignName: 'Acme_NL_Outdoor_Awareness_Q4', platformCampaignId: '20512340004' }),
  row({
    campaignId: 'ACM-M-005',
    campaignName: 'ACME | US | Basketball | Launch',
    platform: 'meta',
    platformCampaignId: '23851200000000005',
  }),
  row({ campaignId: 'ACM-M-004', campaignName: 'ACME | UK | Trail', platform: 'meta', platformCampaignId: '2385' }),
  row({
    key: 'orphan:google:20599990001',
    campaignId: null,
    campaignName: null,
    platformCampaignId: '20599990001',
    platformCampaignName: 'Acme_IT_Sandals_Clearance_Test',
  }),
];

const member = (campaignId: string | null, platformCampaignId: string): BatchMember => ({
  key: `k-${platformCampaignId}`,
  campaignId,
  campaignName: null,
  platform: 'meta',
  platformCampaignId,
  platformCampaignName: null,
  currency: 'EUR',
  targetSpend: 1,
  actualSpend: 0,
  variancePct: -100,
  dropped: false,
});

const PENDING = [
  escalation({ id: 'esc-aaaaaa0001', campaignId: 'ACM-M-005', platformCampaignId: '23851200000000005' }),
  escalation({ id: 'esc-aaaaaa0002', campaignId: 'ACM-M-004', platformCampaignId: '2385' }),
  escalation({
    id: 'esc-aaaaaa0003',
    campaignId: null,
    platformCampaignId: null,
    proposedAction: 'halt',
    batch: { kind: 'data_fault', members: [member('ACM-M-004', '2385'), member('ACM-M-009', '2399')] },
  }),
  escalation({ id: 'esc-aaaaaa0004', campaignId: null, platform: 'google', platformCampaignId: '20599990001' }),
];

describe('findQuestion', () => {
  const cases: [string, string, string, string | RegExp][] = [
    ['an escalation id stands for itself', 'esc-aaaaaa0002', 'escalation', 'esc-aaaaaa0002'],
    ['an unknown escalation id is left to the agent', 'esc-ffffffffff', 'escalation', 'esc-ffffffffff'],
    ['a plan id with one open question', 'ACM-M-005', 'escalation', 'esc-aaaaaa0001'],
    ['a plan id in another case', 'acm-m-005', 'escalation', 'esc-aaaaaa0001'],
    ['a platform id with one open question', '23851200000000005', 'escalation', 'esc-aaaaaa0001'],
    ['an orphan by its platform id', '20599990001', 'escalation', 'esc-aaaaaa0004'],
    [
      'a plan id with two open questions (one a batch) lists both',
      'ACM-M-004',
      'ambiguous',
      'ACM-M-004 (ACME | UK | Trail) has 2 open questions: esc-aaaaaa0002 (proposes alert), esc-aaaaaa0003 (proposes halt, 2 campaigns). Name the one you mean by its escalation id.',
    ],
    [
      'a known campaign with no open question says so',
      'ACM-G-004',
      'none',
      'No open question about ACM-G-004 (Acme_NL_Outdoor_Awareness_Q4): there is nothing to decide.',
    ],
    ['something unknown is left to the caller', 'ACM-X-999', 'unknown', ''],
  ];
  it.each(cases)('%s: %s', (_what, typed, kind, expected) => {
    const found = findQuestion(typed, PENDING, RESULTS);
    expect(found.kind).toBe(kind);
    if (found.kind === 'escalation') expect(found.id).toBe(expected);
    if (found.kind === 'ambiguous' || found.kind === 'none') expect(found.message).toBe(expected);
  });

  it('never names a campaign by its platform id when it has a plan id', () => {
    const found = findQuestion('ACM-M-005', PENDING, RESULTS);
    expect(found).toEqual({
      kind: 'escalation',
      id: 'esc-aaaaaa0001',
      campaign: 'ACM-M-005 (ACME | US | Basketball | Launch)',
    });
  });
});

describe('campaign lookup shared by the CLI and Slack', () => {
  it('finds by id, platform id, or a part of a name', () => {
    expect(findCampaign(RESULTS, 'ACM-G-004').map((r) => r.campaignId)).toEqual(['ACM-G-004']);
    expect(findCampaign(RESULTS, '23851200000000005').map((r) => r.campaignId)).toEqual(['ACM-M-005']);
    expect(findCampaign(RESULTS, 'basketball').map((r) => r.campaignId)).toEqual(['ACM-M-005']);
  });

  it.each<[string, string, string | null]>([
    ['the plan id exactly', 'ACM-G-004', '20512340004'],
    ['the plan id in another case', 'acm-g-004', '20512340004'],
    ['a platform campaign id', '23851200000000005', '23851200000000005'],
    ['an orphan by its platform id', '20599990001', '20599990001'],
    ['never a part of a name (an undo takes no guesses)', 'basketball', null],
    ['never a part of an id', 'ACM-G-00', null],
    ['nothing for an unknown id', 'ACM-X-999', null],
  ])('the campaign to resume: %s', (_name, query, platformCampaignId) => {
    expect(findPlanCampaign(RESULTS, query)?.platformCampaignId ?? null).toBe(platformCampaignId);
  });

  it('suggests the nearest id when nothing matches', () => {
    expect(campaignHint('ACM-G-04', RESULTS)).toBe(' Did you mean ACM-G-004 (Acme_NL_Outdoor_Awareness_Q4)?');
    expect(campaignHint('zzz', RESULTS)).toBe('');
  });

  it('titles a campaign by plan id and name, an orphan by platform and name', () => {
    expect(campaignTitle(RESULTS[1] as (typeof RESULTS)[number])).toBe('ACM-M-005 (ACME | US | Basketball | Launch)');
    expect(campaignTitle(RESULTS[3] as (typeof RESULTS)[number])).toBe(
      'google campaign 20599990001 (Acme_IT_Sandals_Clearance_Test)',
    );
  });
});
