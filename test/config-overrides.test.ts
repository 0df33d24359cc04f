// `--set KEY=VALUE` as a table: each decision or guard setting lands where the policy reads it, read by the one
// config schema; anything else is refused naming the setting.
import { describe, expect, it } from 'vitest';
import { loadConfig, SETTING_NAMES } from '../src/config.js';
import { DECISION_SETTING_NAMES, withOverrides } from '../src/config-overrides.js';
import { ConfigError } from '../src/errors.js';

const base = loadConfig({});

describe('withOverrides', () => {
  it.each([
    ['CONFIDENCE_THRESHOLD=101', { CONFIDENCE_THRESHOLD: 101 }, (c: typeof base) => c.thresholds.confidence, 101],
    ['CONFIDENCE_THRESHOLD= 60 ', { CONFIDENCE_THRESHOLD: 60 }, (c: typeof base) => c.thresholds.confidence, 60],
    [
      'UNDERSPEND_ACTION=alert',
      { UNDERSPEND_ACTION: 'alert' },
      (c: typeof base) => c.thresholds.underspendAction,
      'alert',
    ],
    ['FRESHNESS_HOURS=6', { FRESHNESS_HOURS: 6 }, (c: typeof base) => c.thresholds.freshnessHours, 6],
    ['MAX_AUTONOMOUS_HALTS=5', { MAX_AUTONOMOUS_HALTS: 5 }, (c: typeof base) => c.guards.maxAutonomousHalts, 5],
    [
      'ZERO_DELIVERY_ANY_CONFIDENCE=true',
      { ZERO_DELIVERY_ANY_CONFIDENCE: true },
      (c: typeof base) => c.guards.zeroDeliveryAnyConfidence,
      true,
    ],
    ['HUMAN_DECISION_HOURS=0', { HUMAN_DECISION_HOURS: 0 }, (c: typeof base) => c.guards.humanDecisionHours, 0],
  ])('%s', (pair, settings, read, value) => {
    const o = withOverrides(base, [pair]);
    expect(o.settings).toEqual(settings);
    expect(read(o.config)).toBe(value);
    // The rest stays as it was, and the given config is not changed.
    expect(o.config.thresholds.healthyVariance).toBe(base.thresholds.healthyVariance);
    expect(read(base)).not.toBe(value);
  });

  it('takes several, the last of one name winning', () => {
    const o = withOverrides(base, ['CONFIDENCE_THRESHOLD=60', 'EARLY_FLIGHT_HOURS=0', 'CONFIDENCE_THRESHOLD=80']);
    expect(o.settings).toEqual({ CONFIDENCE_THRESHOLD: 80, EARLY_FLIGHT_HOURS: 0 });
    expect(o.config.thresholds.confidence).toBe(80);
    expect(o.config.guards.earlyFlightHours).toBe(0);
  });

  // Each value is read by its own field; the one cross check (HEALTHY ≤ WARNING) compares the merged values: the
  // configured ones (from the environment) with every override applied, in whatever order they were given.
  it.each([
    ['both raised, WARNING first', {}, ['WARNING_VARIANCE_THRESHOLD=40', 'HEALTHY_VARIANCE_THRESHOLD=30'], 30, 40],
    ['both raised, HEALTHY first', {}, ['HEALTHY_VARIANCE_THRESHOLD=30', 'WARNING_VARIANCE_THRESHOLD=40'], 30, 40],
    [
      'HEALTHY raised under a configured WARNING',
      { WARNING_VARIANCE_THRESHOLD: '40' },
      ['HEALTHY_VARIANCE_THRESHOLD=30'],
      30,
      40,
    ],
    [
      'WARNING lowered over a configured HEALTHY',
      { HEALTHY_VARIANCE_THRESHOLD: '5' },
      ['WARNING_VARIANCE_THRESHOLD=8'],
      5,
      8,
    ],
    ['both equal', {}, ['HEALTHY_VARIANCE_THRESHOLD=25'], 25, 25],
  ])('accepts variance thresholds checked against the merged values: %s', (_, env, pairs, healthy, warning) => {
    const o = withOverrides(loadConfig(env), pairs);
    expect(o.config.thresholds.healthyVariance).toBe(healthy);
    expect(o.config.thresholds.warningVariance).toBe(warning);
  });

  it.each([
    [
      'WARNING under the default HEALTHY',
      {},
      ['WARNING_VARIANCE_THRESHOLD=8'],
      /HEALTHY_VARIANCE_THRESHOLD \(10\) must not exceed WARNING_VARIANCE_THRESHOLD \(8\)/,
    ],
    [
      'HEALTHY over a configured WARNING',
      { WARNING_VARIANCE_THRESHOLD: '40' },
      ['HEALTHY_VARIANCE_THRESHOLD=41'],
      /\(41\) must not exceed WARNING_VARIANCE_THRESHOLD \(40\)/,
    ],
    [
      'the later override crossing the earlier',
      {},
      ['HEALTHY_VARIANCE_THRESHOLD=30', 'WARNING_VARIANCE_THRESHOLD=20'],
      /\(30\) must not exceed WARNING_VARIANCE_THRESHOLD \(20\)/,
    ],
  ])('refuses variance thresholds that cross once merged: %s', (_, env, pairs, message) => {
    expect(() => withOverrides(loadConfig(env), pairs)).toThrow(message);
  });

  it('names only settings the schema knows, each one the matrix or a guard reads', () => {
    expect(DECISION_SETTING_NAMES.length).toBe(11);
    for (const name of DECISION_SETTING_NAMES) expect(SETTING_NAMES).toContain(name);
  });

  it.each([
    ['CONFIDENCE_THRESHOLD=high', 'CONFIDENCE_THRESHOLD', /must be a decimal number \(got "high"\)/],
    ['CONFIDENCE_THRESHOLD=102', 'CONFIDENCE_THRESHOLD', /from 0 to 101/],
    ['UNDERSPEND_ACTION=pause', 'UNDERSPEND_ACTION', /UNDERSPEND_ACTION/],
    ['MAX_AUTONOMOUS_HALTS=2.5', 'MAX_AUTONOMOUS_HALTS', /whole number/],
    [
      'CONFIDENCE_TRESHOLD=60',
      'CONFIDENCE_TRESHOLD',
      /Unknown setting CONFIDENCE_TRESHOLD \(did you mean CONFIDENCE_THRESHOLD\?\)/,
    ],
    ['PACING_MODE=live', 'PACING_MODE', /PACING_MODE is not a decision or guard setting/],
    ['=60', 'setting', /KEY=VALUE/],
    ['WARNING_VARIANCE_THRESHOLD=5', 'HEALTHY_VARIANCE_THRESHOLD', /must not exceed WARNING_VARIANCE_THRESHOLD \(5\)/],
  ])('refuses %s naming %s', (pair, variable, message) => {
    let err: unknown;
    try {
      withOverrides(base, [pair]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(variable);
    expect((err as ConfigError).message).toMatch(message);
  });
});
