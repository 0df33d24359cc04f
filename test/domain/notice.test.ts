// When a run posts a campaign again (SPEC, No alert fatigue), as a table.
import { describe, expect, it } from 'vitest';
import { type Announced, noticeOf } from '../../src/domain/notice.js';
import type { ResultRow } from '../../src/domain/records.js';

type Row = Pick<ResultRow, 'severity' | 'action' | 'pause' | 'variancePct'>;
const warn: Announced = { severity: 'warning', action: 'alert', pause: null, variancePct: 14 };
const row = (o: Partial<Row> = {}): Row => ({
  severity: 'warning',
  action: 'alert',
  pause: null,
  variancePct: 14,
  ...o,
});

describe('noticeOf', () => {
  it.each([
    ['never posted', undefined, row(), 'new'],
    ['the same numbers', warn, row(), 'repeat'],
    ['moved 4.99 points', warn, row({ variancePct: 18.99 }), 'repeat'],
    ['moved exactly 5 points up', warn, row({ variancePct: 19 }), 'changed'],
    ['moved 5 points down', warn, row({ variancePct: 9 }), 'changed'],
    ['severity changed', warn, row({ severity: 'critical' }), 'changed'],
    ['action changed', warn, row({ action: 'halt', pause: 'would_pause' }), 'changed'],
    ['variance became unknown', warn, row({ variancePct: null }), 'changed'],
    ['variance still unknown', { ...warn, variancePct: null }, row({ variancePct: null }), 'repeat'],
    [
      'a pause the agent made is always news',
      { ...warn, severity: 'critical', action: 'halt', pause: 'paused' },
      row({ severity: 'critical', action: 'halt', pause: 'paused' }),
      'new',
    ],
    [
      'paused by the agent, found paused later',
      { ...warn, severity: 'critical', action: 'halt', pause: 'paused' },
      row({ severity: 'critical', action: 'halt', pause: 'already_paused' }),
      'repeat',
    ],
    [
      'a dry-run pause repeated',
      { ...warn, severity: 'critical', action: 'halt', pause: 'would_pause' },
      row({ severity: 'critical', action: 'halt', pause: 'would_pause' }),
      'repeat',
    ],
    [
      'a failed pause after a dry run',
      { ...warn, severity: 'critical', action: 'halt', pause: 'would_pause' },
      row({ severity: 'critical', action: 'halt', pause: 'failed' }),
      'changed',
    ],
  ] as const)('%s → %s', (_name, last, r, expected) => {
    expect(noticeOf(last, r)).toBe(expected);
  });
});
