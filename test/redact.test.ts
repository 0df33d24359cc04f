import { describe, expect, it } from 'vitest';
import { redact, redactText } from '../src/redact.js';

describe('redact', () => {
  it('hides tokens by key and by shape, and Slack reply URLs', () => {
    const out = redact({
      token: 'anything',
      nested: { clientSecret: 's3cr3t', note: 'bot xoxb-123-456-abc and app xapp-1-A0-xyz' },
      url: 'https://hooks.slack.com/actions/T0/123/abc',
    });
    expect(out).toEqual({
      token: '[redacted]',
      nested: { clientSecret: '[redacted]', note: 'bot [redacted] and app [redacted]' },
      url: '[redacted]',
    });
    expect(redactText('Bearer ya29.a0AfH6SMB-xyz')).toBe('Bearer [redacted]');
  });

  it('keeps an error’s message and stack (redacted) instead of dropping them', () => {
    const err = Object.assign(new Error('Slack said no to xoxb-1-2-3'), { code: 'slack_webapi_platform_error' });
    const out = redact({ err }) as unknown as { err: { type: string; message: string; stack: string; code: string } };
    expect(out.err.type).toBe('Error');
    expect(out.err.message).toBe('Slack said no to [redacted]');
    expect(out.err.code).toBe('slack_webapi_platform_error');
    expect(out.err.stack).toContain('redact.test.ts');
    expect(out.err.stack).not.toContain('xoxb-1-2-3');
  });
});
