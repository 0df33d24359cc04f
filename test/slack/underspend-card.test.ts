// A pause of an under-delivering campaign says on its card why it was paused, and how to only be alerted.
import { describe, expect, it } from 'vitest';
import { alertBlocks } from '../../src/slack/views/alert.js';
import { row } from '../cli/rows.js';

const text = (blocks: unknown[]) => JSON.stringify(blocks);
const paused = { action: 'halt', severity: 'critical', pause: 'paused' } as const;

describe('the card of an under-delivering campaign the agent paused', () => {
  it('says that pausing deepens the underspend and names UNDERSPEND_ACTION=alert', () => {
    const r = row({ ...paused, targetSpend: 10_000, actualSpend: 6_000, variancePct: -40 });
    expect(text(alertBlocks(r))).toMatch(/pausing deepens the underspend.*set UNDERSPEND_ACTION=alert to only alert/);
  });

  it.each([
    ['an overspend', { targetSpend: 10_000, actualSpend: 14_000, variancePct: 40 }],
    ['zero delivery', { targetSpend: 10_000, actualSpend: 0, variancePct: -100, zeroDelivery: true }],
  ])('does not say it on %s', (_name, figures) => {
    expect(text(alertBlocks(row({ ...paused, ...figures })))).not.toMatch(/UNDERSPEND_ACTION/);
  });
});
