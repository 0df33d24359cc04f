// `pending` for people: oldest first, each question's full reason on its own lines, times in words.
import { describe, expect, it } from 'vitest';
import { byAge, pendingTable, readableTime, relativeTime } from '../../src/cli/pending.js';
import type { BatchMember } from '../../src/domain/records.js';
import { escalation, row } from './rows.js';

const NOW = '2026-11-20T15:00:00.000Z';
const LONG =
  'Variance +35.00% is critical, but confidence 66.67 < 70: an approver must confirm the pause. The platform ' +
  'name differs from the plan (ACME | US | Basketball | Launch vs Acme US Basket Launch) and the flight dates too.';

const member = (campaignId: string): BatchMember => ({
  key: `plan:${campaignId}`,
  campaignId,
  campaignName: null,
  platform: 'google',
  platformCampaignId: campaignId,
  platformCampaignName: null,
  currency: 'EUR',
  targetSpend: 1,
  actualSpend: 0,
  variancePct: -100,
  dropped: false,
});

const QUESTIONS = [
  escalation({ id: 'esc-aaaa', campaignId: 'ACM-M-009', createdAt: '2026-11-20T13:00:00.000Z' }),
  escalation({ id: 'esc-0001', campaignId: 'ACM-M-005', createdAt: '2026-11-20T09:00:00.000Z', reason: LONG }),
  escalation({
    id: 'esc-ffff',
    campaignId: null,
    platform: 'google',
    platformCampaignId: '20599990001',
    proposedAction: 'halt',
    createdAt: '2026-11-20T09:00:00.000Z',
    reason: 'Campaign spends on the platform but is in no plan.',
    snapshot: row({ campaignId: null, campaignName: null, platformCampaignName: 'Acme_IT_Sandals_Clearance_Test' }),
  }),
  escalation({ id: 'esc-9999', campaignId: 'ACM-M-001', createdAt: '2026-11-20T09:00:00.000Z' }),
  escalation({
    id: 'esc-bbbb',
    campaignId: null,
    platformCampaignId: null,
    proposedAction: 'halt',
    createdAt: '2026-11-19T20:00:00.000Z',
    expiresAt: '2026-11-20T20:00:00.000Z',
    batch: { kind: 'data_fault', members: ['G1', 'G2', 'G3'].map(member) },
  }),
];

describe('pending', () => {
  it('puts the oldest question first; questions of one run by campaign id, orphans after', () => {
    expect(byAge(QUESTIONS).map((e) => e.id)).toEqual(['esc-bbbb', 'esc-9999', 'esc-0001', 'esc-ffff', 'esc-aaaa']);
    const text = pendingTable(QUESTIONS, NOW, 'UTC', 120);
    const heads = text.split('\n').filter((l) => l.startsWith('esc-'));
    expect(heads.map((l) => l.split(' ')[0])).toEqual(['esc-bbbb', 'esc-9999', 'esc-0001', 'esc-ffff', 'esc-aaaa']);
  });

  it('names the campaign by id and name, an orphan by platform id and name, a batch by its size', () => {
    const heads = pendingTable(QUESTIONS, NOW, 'UTC', 120)
      .split('\n')
      .filter((l) => l.startsWith('esc-'));
    expect(heads).toEqual([
      'esc-bbbb  proposes halt   3 campaigns (batch)',
      'esc-9999  proposes alert  ACM-M-001 · Name of ACM-M-001',
      'esc-0001  proposes alert  ACM-M-005 · Name of ACM-M-005',
      'esc-ffff  proposes halt   (orphan) Google Ads 20599990001 · Acme_IT_Sandals_Clearance_Test',
      'esc-aaaa  proposes alert  ACM-M-009 · Name of ACM-M-009',
    ]);
  });

  it('lines the campaigns up below the longest proposal, a rebalance or a budget too', () => {
    const mixed = [
      ...QUESTIONS.slice(0, 2),
      escalation({ id: 'esc-cccc', campaignId: 'ACM-G-002', proposedAction: 'budget' }),
      escalation({ id: 'esc-dddd', campaignId: 'ACM-G-020', proposedAction: 'rebalance' }),
    ];
    const heads = pendingTable(mixed, NOW, 'UTC', 120)
      .split('\n')
      .filter((l) => l.startsWith('esc-'));
    const at = heads.map((l) => l.indexOf('ACM-'));
    expect(new Set(at).size, heads.join('\n')).toBe(1);
    expect(heads.some((l) => l.startsWith('esc-dddd  proposes rebalance  ACM-G-020'))).toBe(true);
  });

  it.each([120, 80, 50])('gives the whole reason on lines of its own, never cut (%i columns)', (width) => {
    const text = pendingTable(QUESTIONS, NOW, 'UTC', width);
    const lines = text.split('\n');
    const head = lines.findIndex((l) => l.startsWith('esc-0001'));
    const block = lines.slice(head + 1, lines.indexOf('', head));
    const reason = block.filter((l) => !/^ {2}(at stake|raised|expires) /.test(l));
    expect(reason.every((l) => l.startsWith('  '))).toBe(true);
    expect(reason.map((l) => l.trim()).join(' ')).toBe(LONG);
    // Every line fits a terminal of 80 or more; below that the reason still wraps to it.
    for (const l of width >= 80 ? lines : block) expect(l.length, l).toBeLessThanOrEqual(width);
  });

  it('says when in words: how long ago it was raised, how long is left, dates people read', () => {
    const text = pendingTable(QUESTIONS, NOW, 'UTC', 120);
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT/);
    expect(text).toContain('raised 6 h ago (Fri 20 Nov 09:00 UTC) · expires in 18 h (Sat 21 Nov 09:00 UTC)');
    expect(text).toContain('raised 19 h ago (Thu 19 Nov 20:00 UTC) · expires in 5 h (Fri 20 Nov 20:00 UTC)');
    expect(pendingTable(QUESTIONS, NOW, 'Europe/Berlin', 120)).toContain('(Fri 20 Nov 10:00 CET)');
  });

  it('shows the money each question is about, in its currency: a batch per currency, unplanned spend whole', () => {
    const questions = [
      escalation({
        id: 'esc-over',
        snapshot: row({
          campaignName: 'Over',
          targetSpend: 6_000,
          actualSpend: 8_100,
          variancePct: 35,
          currency: 'USD',
        }),
      }),
      escalation({
        id: 'esc-yen',
        snapshot: row({
          campaignName: 'Yen',
          targetSpend: 1_000_000,
          actualSpend: 1_250_000.4,
          variancePct: 25,
          currency: 'JPY',
        }),
      }),
      escalation({
        id: 'esc-fx',
        snapshot: row({
          campaignName: 'FX',
          planCurrency: 'EUR',
          platformCurrency: 'USD',
          targetSpend: 5_000,
          actualSpend: 5_400,
          variancePct: null,
        }),
      }),
      escalation({
        id: 'esc-batch',
        batch: {
          kind: 'data_fault',
          members: [
            { ...member('G1'), targetSpend: 1_200 },
            { ...member('G2'), targetSpend: 800.5 },
            { ...member('G3'), targetSpend: 300, currency: 'GBP' },
            { ...member('G4'), targetSpend: 9_999, dropped: true },
          ],
        },
      }),
    ];
    const text = pendingTable(questions, NOW, 'UTC', 120);
    const stakeOf = (id: string) => {
      const lines = text.split('\n');
      return lines[lines.findIndex((l) => l.startsWith(id)) + 1]?.trim().split(' · raised')[0];
    };
    expect(stakeOf('esc-over')).toBe('at stake 2,100.00 USD');
    expect(stakeOf('esc-yen')).toBe('at stake 250,000 JPY');
    expect(stakeOf('esc-fx')).toBe('at stake 5,400.00 USD');
    expect(stakeOf('esc-batch')).toBe('at stake 2,000.50 EUR · 300.00 GBP');
  });

  it('says so when nothing waits', () => {
    expect(pendingTable([], NOW)).toBe('No escalations are waiting for a decision.');
  });
});

describe('times for people', () => {
  const relative: [string, string][] = [
    ['2026-11-20T15:00:20.000Z', 'just now'],
    ['2026-11-20T14:20:00.000Z', '40 min ago'],
    ['2026-11-20T12:00:00.000Z', '3 h ago'],
    ['2026-11-21T12:00:00.000Z', 'in 21 h'],
    ['2026-11-18T11:00:00.000Z', '2 days ago'],
    ['2026-11-29T15:00:00.000Z', 'in 9 days'],
  ];
  it.each(relative)('%s is %s', (iso, expected) => {
    expect(relativeTime(iso, NOW)).toBe(expected);
  });

  const absolute: [string, string, string][] = [
    ['2026-11-20T09:00:00.000Z', 'UTC', 'Fri 20 Nov 09:00 UTC'],
    ['2026-11-20T09:00:00.000Z', 'Europe/London', 'Fri 20 Nov 09:00 GMT'],
    ['2027-01-05T09:00:00.000Z', 'UTC', 'Tue 5 Jan 2027 09:00 UTC'],
  ];
  it.each(absolute)('%s in %s is %s', (iso, tz, expected) => {
    expect(readableTime(iso, tz, NOW)).toBe(expected);
  });
});
