// What a run did apart from what stands, in the CLI's summary and in /pacing run's reply (domain/run-counts.ts).
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/agent/cycle.js';
import { summaryLines } from '../../src/cli/format.js';
import type { ResultRow } from '../../src/domain/records.js';
import { runCounts, runCountsLine } from '../../src/domain/run-counts.js';
import { summaryText } from '../../src/slack/views/summary.js';
import { row } from './rows.js';

const paused = (id: string) => row({ campaignId: id, action: 'halt', pause: 'paused', notice: 'new' });
const foundPaused = (id: string) => row({ campaignId: id, action: 'halt', pause: 'already_paused', notice: 'repeat' });
const alert = (id: string, notice: ResultRow['notice']) => row({ campaignId: id, action: 'alert', notice });
const budgetAsked = (id: string, escalationId: string): ResultRow => ({
  ...row({ campaignId: id }),
  budgetProposal: {
    from: 100,
    to: 120,
    currency: 'EUR',
    recommended: 130,
    step: true,
    applicable: true,
    reason: 'lands the flight',
    escalationId,
  },
});
const asked = (id: string, escalationId: string) =>
  row({ campaignId: id, action: 'escalate', status: 'awaiting_approval', escalationId });
const logged = (id: string) => row({ campaignId: id });

describe('what this run did, apart from what stands', () => {
  const cases: { what: string; rows: ResultRow[]; opened?: string[]; line: string }[] = [
    {
      what: 'a first run: everything it did is new',
      rows: [
        paused('A'),
        paused('B'),
        foundPaused('C'),
        alert('D', 'new'),
        alert('E', 'changed'),
        asked('F', 'esc-1'),
        logged('G'),
      ],
      opened: ['esc-1'],
      line: 'This run: 2 paused, 2 new alerts, 1 escalated · Standing: 1 paused earlier',
    },
    {
      what: 'the same data again: nothing new, all of it stands',
      rows: [foundPaused('A'), foundPaused('B'), alert('D', 'repeat'), alert('E', 'repeat'), asked('F', 'esc-1')],
      opened: [],
      line: 'This run: nothing new · Standing: 2 paused earlier, 2 alerts unchanged, 1 still awaiting a decision',
    },
    {
      what: 'a new question beside an old one',
      rows: [asked('F', 'esc-1'), asked('H', 'esc-2'), alert('D', 'new')],
      opened: ['esc-2'],
      line: 'This run: 1 new alert, 1 escalated · Standing: 1 still awaiting a decision',
    },
    {
      what: 'one batch question about many campaigns',
      rows: ['A', 'B', 'C'].map((id) => asked(id, 'esc-batch')),
      opened: ['esc-batch'],
      line: 'This run: 3 escalated in 1 question',
    },
    {
      what: 'rows that do not say what is news (stored before notices): every alert counts',
      rows: [alert('D', undefined), alert('E', undefined), paused('A')],
      opened: [],
      line: 'This run: 1 paused, 2 alerts',
    },
    {
      what: 'not known which questions are new: they are awaiting, neither new nor standing',
      rows: [asked('F', 'esc-1'), asked('H', 'esc-2'), paused('A')],
      line: 'This run: 1 paused · 2 awaiting a decision',
    },
    {
      what: 'a dry run and a failed pause',
      rows: [
        row({ campaignId: 'A', action: 'halt', pause: 'would_pause' }),
        row({ campaignId: 'B', action: 'halt', pause: 'failed', status: 'failed' }),
      ],
      opened: [],
      line: 'This run: 1 would be paused (dry run), 1 pause failed',
    },
    {
      what: 'budget and pool questions count as escalated; a campaign asked twice counts once',
      rows: [
        budgetAsked('A', 'esc-budget-a'),
        { ...budgetAsked('B', 'esc-budget-b'), escalationId: 'esc-1', status: 'awaiting_approval' },
        { ...row({ campaignId: 'C' }), poolEscalationId: 'esc-pool' },
        { ...row({ campaignId: 'D' }), poolEscalationId: 'esc-pool' },
      ],
      opened: ['esc-budget-a', 'esc-budget-b', 'esc-1', 'esc-pool'],
      line: 'This run: 4 escalated',
    },
    {
      what: 'a campaign asked about its pacing and its budget: more questions than campaigns',
      rows: [
        budgetAsked('A', 'esc-budget-a'),
        { ...budgetAsked('B', 'esc-budget-b'), escalationId: 'esc-1', status: 'awaiting_approval' },
      ],
      opened: ['esc-budget-a', 'esc-budget-b', 'esc-1'],
      line: 'This run: 2 escalated in 3 questions',
    },
    {
      what: 'a budget question from an earlier run is not this run’s',
      rows: [budgetAsked('A', 'esc-old'), alert('D', 'new')],
      opened: [],
      line: 'This run: 1 new alert',
    },
  ];
  it.each(cases)('$what', ({ rows, opened, line }) => {
    expect(runCountsLine(runCounts(rows, opened ? new Set(opened) : undefined))).toBe(line);
  });
});

const summary = (rows: ResultRow[]) => ({
  rows: rows.length,
  invalidRows: 1,
  orphans: 0,
  bySeverity: { healthy: 1, warning: 2, critical: 3, none: 0 },
  byAction: { log: 1, alert: 2, escalate: 1, halt: 2 },
  byStatus: {},
  platforms: {},
  comparisons: 0,
  durationMs: 12,
});

describe('the CLI summary', () => {
  it('counts campaigns and pacing, then this run, then what stands, each on its own line', () => {
    const rows = [paused('A'), foundPaused('B'), alert('C', 'new'), alert('D', 'repeat'), asked('E', 'esc-1')];
    expect(summaryLines(summary(rows), [{ line: 9, message: 'bad' }], runCounts(rows, new Set()), 120)).toEqual([
      '5 campaigns (5 planned, 0 orphans; 1 invalid tracker row skipped) in 12 ms',
      'Pacing:   1 healthy · 2 warning · 3 critical',
      'This run: 1 paused · 1 new alert',
      'Standing: 1 paused earlier · 1 alert unchanged · 1 still awaiting a decision',
    ]);
  });

  it('wraps between items, under the label, to fit the terminal', () => {
    const rows = [foundPaused('A'), alert('D', 'repeat'), alert('E', 'repeat'), asked('F', 'esc-1')];
    const lines = summaryLines(summary(rows), [], runCounts(rows, new Set()), 50);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(50);
    expect(lines.slice(-2)).toEqual([
      'Standing: 1 paused earlier · 2 alerts unchanged',
      '          1 still awaiting a decision',
    ]);
  });
});

describe("/pacing run's reply", () => {
  const report = (rows: ResultRow[]): RunReport => ({
    runId: 'run-1',
    startedAt: '2026-11-20T09:00:00.000Z',
    results: rows,
    errors: [],
    platformErrors: [],
    summary: summary(rows),
  });

  it('says what this run did apart from what stands, not the state as if it were news', () => {
    const rows = [foundPaused('A'), foundPaused('B'), alert('D', 'repeat'), asked('F', 'esc-1')];
    const text = summaryText(report(rows), new Set());
    expect(text).toBe(
      'Run run-1 done: 4 campaigns — 1 healthy, 2 warning, 3 critical. This run: nothing new · Standing: 2 paused earlier, 1 alert unchanged, 1 still awaiting a decision. `/pacing status` for details.',
    );
    expect(text).not.toMatch(/halted/);
  });

  it('counts a pause and a question of this run as this run’s', () => {
    const text = summaryText(report([paused('A'), asked('F', 'esc-1')]), new Set(['esc-1']));
    expect(text).toContain('This run: 1 paused, 1 escalated.');
  });
});
