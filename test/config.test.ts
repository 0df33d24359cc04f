// Settings: every bad one is named in one go, so an operator fixes them all in one edit.
import { describe, expect, it } from 'vitest';
import { type Config, loadConfig, requireLive } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

function failure(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('lists every bad setting at once, one a line, naming the first', () => {
    const err = failure(() =>
      loadConfig({ PORT: 'x', CONFIDENCE_THRESHOLD: 'high', PACING_MODE: 'yolo', SLACK_BOT_TOKEN: 'oops-secret' }),
    );
    const lines = err.message.split('\n');
    expect(lines[0]).toBe('4 settings are invalid:');
    for (const v of ['PORT', 'CONFIDENCE_THRESHOLD', 'PACING_MODE', 'SLACK_BOT_TOKEN'])
      expect(lines.filter((l) => l.startsWith(`  ${v} `))).toHaveLength(1);
    expect(err.message).toContain('(got "yolo")');
    // A token's value is never echoed, not even when it is wrong.
    expect(err.message).not.toContain('oops-secret');
    expect(['PORT', 'CONFIDENCE_THRESHOLD', 'PACING_MODE', 'SLACK_BOT_TOKEN']).toContain(err.variable);
  });

  it('keeps the one-line message for a single bad setting', () => {
    const err = failure(() => loadConfig({ PORT: '0' }));
    expect(err.variable).toBe('PORT');
    expect(err.message).toBe('PORT must be a port number from 1 to 65535 (got "0").');
  });
});

describe('budget steering settings', () => {
  it('default to showing proposals only, a 10 % trigger, 20 % steps and 20 changes alone a run', () => {
    expect(loadConfig({}).budgets).toEqual({
      actions: 'off',
      triggerPct: 10,
      maxChangePct: 20,
      maxAutonomousChanges: 20,
    });
  });

  it('are read from the environment', () => {
    const config = loadConfig({
      BUDGET_ACTIONS: ' AUTO ',
      BUDGET_TRIGGER_PCT: '12.5',
      MAX_BUDGET_CHANGE_PCT: '15',
      MAX_AUTONOMOUS_BUDGET_CHANGES: '0',
    });
    expect(config.budgets).toEqual({ actions: 'auto', triggerPct: 12.5, maxChangePct: 15, maxAutonomousChanges: 0 });
  });

  const bad: [string, string, string][] = [
    ['BUDGET_ACTIONS', 'sometimes', 'must be off, ask or auto'],
    ['BUDGET_TRIGGER_PCT', '-1', 'must be a number from 0 to 1000'],
    ['BUDGET_TRIGGER_PCT', 'ten', 'must be a decimal number'],
    ['MAX_BUDGET_CHANGE_PCT', '0', 'must be a number from 0.01 to 99'],
    ['MAX_BUDGET_CHANGE_PCT', '100', 'must be a number from 0.01 to 99'],
    ['MAX_AUTONOMOUS_BUDGET_CHANGES', '2.5', 'must be a whole number from 0 up'],
  ];
  it.each(bad)('%s=%s is refused, naming it', (name, value, message) => {
    const err = failure(() => loadConfig({ [name]: value }));
    expect(err.variable).toBe(name);
    expect(err.message).toContain(`${name} ${message}`);
  });
});

describe('SLACK_CHANNEL_PACE_MS', () => {
  it("is Slack's one message a second per channel unless set, and a whole number of ms when set", () => {
    expect(loadConfig({}).slack.channelPaceMs).toBe(1000);
    expect(loadConfig({ SLACK_CHANNEL_PACE_MS: '10' }).slack.channelPaceMs).toBe(10);
    expect(failure(() => loadConfig({ SLACK_CHANNEL_PACE_MS: '-5' })).variable).toBe('SLACK_CHANNEL_PACE_MS');
  });
});

describe('SLACK_STOP_FLUSH_MS', () => {
  it('gives a stopping server 5 s to deliver unless set', () => {
    expect(loadConfig({}).slack.stopFlushMs).toBe(5000);
    expect(loadConfig({ SLACK_STOP_FLUSH_MS: '800' }).slack.stopFlushMs).toBe(800);
    expect(failure(() => loadConfig({ SLACK_STOP_FLUSH_MS: '1.5' })).variable).toBe('SLACK_STOP_FLUSH_MS');
  });
});

describe('requireLive', () => {
  it('names every missing live setting at once', () => {
    const config: Config = loadConfig({ PACING_PLATFORMS: 'meta=live' });
    const err = failure(() => requireLive(config, 'meta'));
    expect(err.message.split('\n')[0]).toBe('2 settings are invalid:');
    expect(err.message).toContain('META_ACCESS_TOKEN is not set');
    expect(err.message).toContain('META_AD_ACCOUNT_IDS is not set');
  });
});

describe("serve's Slack settings", () => {
  it('names every missing one at once', async () => {
    const { requireSlack } = await import('../src/slack/serve.js');
    const err = failure(() => requireSlack(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })));
    const lines = err.message.split('\n');
    expect(lines[0]).toBe('3 settings are invalid:');
    expect(err.message).toContain('Set SLACK_SIGNING_SECRET (HTTP mode');
    expect(err.message).toContain('SLACK_APPROVAL_CHANNEL is not set');
    expect(err.message).toContain('SLACK_ALERT_CHANNEL is not set');
    expect(err.message).not.toContain('xoxb-1');
  });
});
