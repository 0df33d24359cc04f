import { describe, expect, it } from 'vitest';
import { decide, type Situation } from '../../src/domain/decision.js';
import { DEFAULT_THRESHOLDS } from '../../src/domain/types.js';

type Matched = Extract<Situation, { kind: 'matched' }>;

/** A matched, on-plan, confident campaign in one currency; override what the case needs. */
function matched(overrides: Partial<Omit<Matched, 'kind'>> = {}): Matched {
  return {
    kind: 'matched',
    planCurrency: 'EUR',
    platformCurrency: 'EUR',
    targetSpend: 1000,
    actualSpend: 1000,
    variancePct: 0,
    severity: 'healthy',
    zeroDelivery: false,
    confidence: 90,
    ...overrides,
  };
}

const warning = (confidence: number) =>
  matched({ actualSpend: 1150, variancePct: 15, severity: 'warning', confidence });
const critical = (confidence: number) =>
  matched({ actualSpend: 1400, variancePct: 40, severity: 'critical', confidence });
const zeroDelivery = (confidence: number) =>
  matched({ actualSpend: 0, variancePct: -100, severity: 'critical', zeroDelivery: true, confidence });

const act = (s: Situation, t = DEFAULT_THRESHOLDS) => {
  const d = decide(s, t);
  return { action: d.action, proposedAction: d.proposedAction };
};

describe('decide: the guardrail matrix', () => {
  it.each([0, 50, 69.99, 70, 100])('variance < 10 %% → log at confidence %d', (confidence) => {
    expect(act(matched({ variancePct: 9.99, actualSpend: 1099.9, confidence }))).toEqual({
      action: 'log',
      proposedAction: null,
    });
    expect(act(matched({ variancePct: -9.99, actualSpend: 900.1, confidence }))).toEqual({
      action: 'log',
      proposedAction: null,
    });
  });

  it.each([70, 70.01, 100])('warning at confidence %d (≥ 70) → alert', (confidence) => {
    expect(act(warning(confidence))).toEqual({ action: 'alert', proposedAction: null });
  });

  it.each([0, 50, 69.99])('warning at confidence %d (< 70) → escalate, proposing alert', (confidence) => {
    expect(act(warning(confidence))).toEqual({ action: 'escalate', proposedAction: 'alert' });
  });

  it.each([70, 70.01, 100])('critical at confidence %d (≥ 70) → halt', (confidence) => {
    expect(act(critical(confidence))).toEqual({ action: 'halt', proposedAction: null });
  });

  it.each([0, 50, 69.99])('critical at confidence %d (< 70) → escalate, proposing halt', (confidence) => {
    expect(act(critical(confidence))).toEqual({ action: 'escalate', proposedAction: 'halt' });
  });

  it.each([0, 30, 69.99, 70, 100])('zero delivery → halt at any confidence (%d)', (confidence) => {
    expect(act(zeroDelivery(confidence))).toEqual({ action: 'halt', proposedAction: null });
  });

  it('treats under-spend like over-spend', () => {
    expect(act(matched({ actualSpend: 850, variancePct: -15, severity: 'warning', confidence: 80 }))).toEqual({
      action: 'alert',
      proposedAction: null,
    });
    expect(act(matched({ actualSpend: 600, variancePct: -40, severity: 'critical', confidence: 80 }))).toEqual({
      action: 'halt',
      proposedAction: null,
    });
  });

  it('says why, with the variance and the confidence comparison', () => {
    expect(decide(warning(80), DEFAULT_THRESHOLDS).reason).toMatch(/\+?15(\.00)?%/);
    expect(decide(warning(80), DEFAULT_THRESHOLDS).reason).toContain('confidence 80 ≥ 70');
    expect(decide(critical(69.99), DEFAULT_THRESHOLDS).reason).toMatch(/\+?40(\.00)?%/);
    expect(decide(critical(69.99), DEFAULT_THRESHOLDS).reason).toContain('confidence 69.99 < 70');
  });
});

describe('decide: cases outside the matrix', () => {
  it('escalates an orphan, proposing halt', () => {
    const d = decide({ kind: 'orphan', actualSpend: 250 }, DEFAULT_THRESHOLDS);
    expect(d.action).toBe('escalate');
    expect(d.proposedAction).toBe('halt');
    expect(d.reason).toMatch(/no plan/i);
  });

  it('escalates an unmatched tracker row, proposing alert', () => {
    const d = decide({ kind: 'unmatched' }, DEFAULT_THRESHOLDS);
    expect(d.action).toBe('escalate');
    expect(d.proposedAction).toBe('alert');
    expect(d.reason).toMatch(/no matching campaign/i);
  });

  it('only logs when the platform is unavailable, naming it', () => {
    const d = decide({ kind: 'platform_unavailable', platform: 'meta' }, DEFAULT_THRESHOLDS);
    expect(d).toMatchObject({ action: 'log', proposedAction: null });
    expect(d.reason).toContain('meta');
  });

  describe('currency mismatch → escalate, proposing alert, never a pause', () => {
    it.each([
      ['healthy', matched({ platformCurrency: 'USD' })],
      [
        'warning, confident',
        matched({ platformCurrency: 'USD', actualSpend: 1150, variancePct: 15, severity: 'warning' }),
      ],
      [
        'critical, confident',
        matched({ platformCurrency: 'USD', actualSpend: 1400, variancePct: 40, severity: 'critical', confidence: 100 }),
      ],
      [
        'critical, not confident',
        matched({ platformCurrency: 'USD', actualSpend: 1400, variancePct: 40, severity: 'critical', confidence: 10 }),
      ],
      [
        'zero delivery',
        matched({
          platformCurrency: 'USD',
          actualSpend: 0,
          variancePct: -100,
          severity: 'critical',
          zeroDelivery: true,
        }),
      ],
      [
        'zero target with spend',
        matched({ platformCurrency: 'USD', targetSpend: 0, variancePct: null, severity: null }),
      ],
    ])('%s', (_label, s) => {
      const d = decide(s, DEFAULT_THRESHOLDS);
      expect({ action: d.action, proposedAction: d.proposedAction }).toEqual({
        action: 'escalate',
        proposedAction: 'alert',
      });
      expect(d.reason).toContain('EUR');
      expect(d.reason).toContain('USD');
    });

    it('is not a mismatch when either currency is unknown', () => {
      expect(act(critical(100))).toEqual({ action: 'halt', proposedAction: null });
      expect(act({ ...critical(100), planCurrency: null, platformCurrency: 'USD' })).toEqual({
        action: 'halt',
        proposedAction: null,
      });
      expect(act({ ...critical(100), planCurrency: 'EUR', platformCurrency: null })).toEqual({
        action: 'halt',
        proposedAction: null,
      });
    });
  });

  describe('target 0', () => {
    it('with spend → escalate, proposing halt (spend against a zero plan)', () => {
      const d = decide(
        matched({ targetSpend: 0, actualSpend: 50, variancePct: null, severity: null, confidence: 100 }),
        DEFAULT_THRESHOLDS,
      );
      expect(d).toMatchObject({ action: 'escalate', proposedAction: 'halt' });
      expect(d.reason).toMatch(/zero/i);
    });

    it('with spend escalates even at low confidence', () => {
      expect(
        act(matched({ targetSpend: 0, actualSpend: 50, variancePct: null, severity: null, confidence: 10 })),
      ).toEqual({
        action: 'escalate',
        proposedAction: 'halt',
      });
    });

    it('without spend → log', () => {
      expect(act(matched({ targetSpend: 0, actualSpend: 0, variancePct: null, severity: null }))).toEqual({
        action: 'log',
        proposedAction: null,
      });
    });
  });
});

describe('decide: configurable confidence threshold', () => {
  it('a stricter threshold turns an alert into an escalation', () => {
    expect(act(warning(75), { ...DEFAULT_THRESHOLDS, confidence: 80 })).toEqual({
      action: 'escalate',
      proposedAction: 'alert',
    });
    expect(act(warning(80), { ...DEFAULT_THRESHOLDS, confidence: 80 })).toEqual({
      action: 'alert',
      proposedAction: null,
    });
  });

  it('a looser threshold lets the agent halt alone', () => {
    expect(act(critical(60), { ...DEFAULT_THRESHOLDS, confidence: 50 })).toEqual({
      action: 'halt',
      proposedAction: null,
    });
    expect(act(critical(49.99), { ...DEFAULT_THRESHOLDS, confidence: 50 })).toEqual({
      action: 'escalate',
      proposedAction: 'halt',
    });
  });
});

describe('decide: UNDERSPEND_ACTION on a critical under-delivery', () => {
  const under = (confidence: number) =>
    matched({ actualSpend: 600, variancePct: -40, severity: 'critical', confidence });
  const over = (confidence: number) => critical(confidence);
  const withUnderspend = (underspendAction: 'halt' | 'alert' | undefined) => ({
    ...DEFAULT_THRESHOLDS,
    ...(underspendAction ? { underspendAction } : {}),
  });
  it.each([
    // situation, confidence, UNDERSPEND_ACTION, action, proposal
    ['under', 90, undefined, 'halt', null],
    ['under', 50, undefined, 'escalate', 'halt'],
    ['under', 90, 'halt', 'halt', null],
    ['under', 50, 'halt', 'escalate', 'halt'],
    ['under', 90, 'alert', 'alert', null],
    ['under', 70, 'alert', 'alert', null],
    ['under', 69.99, 'alert', 'escalate', 'alert'],
    ['over', 90, 'alert', 'halt', null], // overspend still pauses
    ['over', 50, 'alert', 'escalate', 'halt'],
    ['zero', 90, 'alert', 'halt', null], // zero delivery is its own matrix row
    ['zero', 50, 'alert', 'halt', null], // (guard 1 escalates it later, in the policy)
    ['warning under', 90, 'alert', 'alert', null],
  ] as const)('%s at confidence %d, UNDERSPEND_ACTION=%s → %s / %s', (kind, confidence, setting, action, proposal) => {
    const s =
      kind === 'under'
        ? under(confidence)
        : kind === 'over'
          ? over(confidence)
          : kind === 'zero'
            ? zeroDelivery(confidence)
            : matched({ actualSpend: 850, variancePct: -15, severity: 'warning', confidence });
    expect(act(s, withUnderspend(setting))).toEqual({ action, proposedAction: proposal });
  });

  it.each([
    ['paused alone', 90, /it is paused because UNDERSPEND_ACTION is halt/, /If approved|if approved/],
    [
      'asked',
      50,
      /if approved, the pause deepens the underspend; set UNDERSPEND_ACTION=alert to only alert/,
      /it is paused/,
    ],
  ] as const)('words the underspend note for a pause %s (confidence %d)', (_, confidence, says, never) => {
    const reason = decide(under(confidence), withUnderspend('halt')).reason;
    expect(reason).toMatch(says);
    expect(reason).not.toMatch(never);
  });

  it('says plainly why an under-delivering campaign is paused, and how to only alert', () => {
    const pause = decide(under(90), withUnderspend('halt'));
    expect(pause.reason).toMatch(/pausing deepens the underspend.*set UNDERSPEND_ACTION=alert to only alert/);
    expect(decide(under(50), withUnderspend(undefined)).reason).toMatch(/set UNDERSPEND_ACTION=alert/);
    // An overspend's pause needs no such note.
    expect(decide(over(90), withUnderspend('halt')).reason).not.toMatch(/UNDERSPEND_ACTION/);
    expect(decide(under(90), withUnderspend('alert')).reason).toMatch(/Alerted, not paused/);
  });
});
