// The explanation settings (SPEC, Explanations): which model writes the analyst's note, and how much time and how
// many calls a run gives it. config.ts puts them into the one schema; the checks that need several settings live here.
import { z } from 'zod';
import { choice, whole } from './config-fields.js';
import { ConfigError } from './errors.js';

export type LlmProvider = 'openai' | 'anthropic';

/** The model that explains; with provider `none` nothing is sent and no provider package is loaded. */
export interface LlmSettings {
  provider: LlmProvider | 'none';
  /** Set whenever the provider is not `none` (checked at start). */
  model: string | null;
  /** Null only with LLM_BASE_URL set: a local server (Ollama, vLLM) may need no key. */
  apiKey: string | null;
  /** The SDK's base URL: `…/v1` for OpenAI-compatible servers, the host for Anthropic. */
  baseUrl: string | null;
  /** The whole explanation step of a run ends within this; a call still out then is abandoned. */
  timeoutMs: number;
  maxCallsPerRun: number;
}

export const LLM_FIELDS = {
  LLM_PROVIDER: choice(['none', 'openai', 'anthropic']).default('none'),
  LLM_MODEL: z.string().trim().optional(),
  LLM_API_KEY: z.string().trim().optional(),
  LLM_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://api.openai.com/v1' })
    .optional(),
  LLM_TIMEOUT_MS: whole(100).default(15000),
  LLM_MAX_CALLS_PER_RUN: whole(0).default(20),
};

type LlmEnv = z.infer<z.ZodObject<typeof LLM_FIELDS>>;

/** The settings in force; a provider without what it needs is named, with the variable to set. */
export function llmSettings(e: LlmEnv): LlmSettings {
  const settings: LlmSettings = {
    provider: e.LLM_PROVIDER,
    model: e.LLM_MODEL ?? null,
    apiKey: e.LLM_API_KEY ?? null,
    baseUrl: e.LLM_BASE_URL?.replace(/\/+$/, '') ?? null,
    timeoutMs: e.LLM_TIMEOUT_MS,
    maxCallsPerRun: e.LLM_MAX_CALLS_PER_RUN,
  };
  if (e.LLM_PROVIDER === 'none') return settings;
  if (e.LLM_MODEL === undefined)
    throw new ConfigError(
      'LLM_MODEL',
      `LLM_MODEL is not set, but LLM_PROVIDER is ${e.LLM_PROVIDER}: name the model, such as ${e.LLM_PROVIDER === 'openai' ? 'gpt-4o-mini' : 'claude-sonnet-4-5'}. See "Explanations" in README.md.`,
    );
  if (e.LLM_API_KEY === undefined && e.LLM_BASE_URL === undefined)
    throw new ConfigError(
      'LLM_API_KEY',
      `LLM_API_KEY is not set, but LLM_PROVIDER is ${e.LLM_PROVIDER}: set the provider's API key (or LLM_API_KEY_FILE), or LLM_BASE_URL for a local server that needs none. See "Explanations" in README.md.`,
    );
  return settings;
}
