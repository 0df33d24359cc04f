// The explanation settings: off by default, and a provider switched on without what it needs is named.
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { clearSecrets, redactText } from '../src/redact.js';

beforeEach(() => clearSecrets());

function failure(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('loadConfig accepted the settings');
}

describe('LLM settings', () => {
  it('default to none: no model, a 15 s step and 20 calls a run', () => {
    expect(loadConfig({}).llm).toEqual({
      provider: 'none',
      model: null,
      apiKey: null,
      baseUrl: null,
      timeoutMs: 15000,
      maxCallsPerRun: 20,
    });
  });

  it('reads a provider with its model, key and base URL (trailing slash dropped), in any case', () => {
    const llm = loadConfig({
      LLM_PROVIDER: 'OpenAI',
      LLM_MODEL: 'gpt-4o-mini',
      LLM_API_KEY: 'sk-test-0123456789',
      LLM_BASE_URL: 'http://127.0.0.1:9/v1/',
      LLM_TIMEOUT_MS: '2000',
      LLM_MAX_CALLS_PER_RUN: '3',
    }).llm;
    expect(llm).toEqual({
      provider: 'openai',
      model: 'gpt-4o-mini',
      apiKey: 'sk-test-0123456789',
      baseUrl: 'http://127.0.0.1:9/v1',
      timeoutMs: 2000,
      maxCallsPerRun: 3,
    });
  });

  it('registers the key as a secret: redacted wherever it would be written', () => {
    loadConfig({ LLM_PROVIDER: 'anthropic', LLM_MODEL: 'claude-x', LLM_API_KEY: 'sk-ant-secret-value-42' });
    expect(redactText('sent sk-ant-secret-value-42 to the proxy')).not.toContain('sk-ant-secret-value-42');
  });

  it.each<[string, Record<string, string>, string, RegExp]>([
    [
      'a provider without a model',
      { LLM_PROVIDER: 'openai', LLM_API_KEY: 'sk-0123456789' },
      'LLM_MODEL',
      /name the model/,
    ],
    ['a provider without a key or base URL', { LLM_PROVIDER: 'anthropic', LLM_MODEL: 'm' }, 'LLM_API_KEY', /API key/],
    ['an unknown provider', { LLM_PROVIDER: 'gemini' }, 'LLM_PROVIDER', /must be none, openai or anthropic/],
    ['a timeout under 100 ms', { LLM_TIMEOUT_MS: '5' }, 'LLM_TIMEOUT_MS', /whole number from 100 up/],
    ['a cap that is not a whole number', { LLM_MAX_CALLS_PER_RUN: 'many' }, 'LLM_MAX_CALLS_PER_RUN', /whole number/],
    ['a base URL that is not one', { LLM_BASE_URL: 'localhost:11434' }, 'LLM_BASE_URL', /must be an http\(s\) URL/],
  ])('refuses %s, naming the variable', (_, env, variable, message) => {
    const err = failure(env);
    expect(err.variable).toBe(variable);
    expect(err.message).toMatch(message);
  });

  it('needs no key for a local server named by its base URL (Ollama, vLLM)', () => {
    const llm = loadConfig({
      LLM_PROVIDER: 'openai',
      LLM_MODEL: 'llama3',
      LLM_BASE_URL: 'http://localhost:11434/v1',
    }).llm;
    expect(llm.apiKey).toBeNull();
  });

  it('never echoes a key in an error', () => {
    const err = failure({ LLM_PROVIDER: 'openai', LLM_API_KEY: 'sk-echo-me-not-0123', LLM_TIMEOUT_MS: 'x' });
    expect(err.message).not.toContain('sk-echo-me-not-0123');
  });
});
