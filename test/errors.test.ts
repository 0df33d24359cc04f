// asPacingError: every thrown value read as one of ours, with the message the old inline copies produced.
import { describe, expect, it } from 'vitest';
import { asPacingError, ConfigError, PacingError, PlatformError, UnknownError } from '../src/errors.js';

describe('asPacingError', () => {
  it.each([
    ['a PlatformError', new PlatformError('google', 'quota exhausted', true, 1000)],
    ['a ConfigError', new ConfigError('PORT', 'PORT must be a number')],
  ])('returns %s as it is, code and fields kept', (_, err) => {
    expect(asPacingError(err)).toBe(err);
  });

  it.each([
    ['an Error', new Error('socket hang up'), 'socket hang up'],
    ['a TypeError', new TypeError('fetch failed'), 'fetch failed'],
    ['a string', 'boom', 'boom'],
    ['a number', 42, '42'],
    ['undefined', undefined, 'undefined'],
    ['an object', { reason: 'x' }, '[object Object]'],
  ])('wraps %s with the message it would have printed, keeping the original', (_, thrown, message) => {
    const e = asPacingError(thrown);
    expect(e).toBeInstanceOf(UnknownError);
    expect(e).toBeInstanceOf(PacingError);
    expect(e.code).toBe('unknown');
    expect(e.message).toBe(message);
    expect((e as UnknownError).original).toBe(thrown);
  });
});
