// The providers through LangChain's own packages: ChatOpenAI's Chat Completions (OpenAI and compatible servers:
// a proxy, Azure, Ollama, vLLM) and ChatAnthropic (Messages). Loaded on demand only (llm/index.ts), so commands
// that never explain never load these packages.
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Explainer, TokenUsage } from '../agent/ports.js';
import type { LlmProvider } from '../config-llm.js';
import type { Evidence } from '../domain/explanation.js';
import { ANSWER_SCHEMA } from '../domain/grounding.js';
import { PacingError } from '../errors.js';
import { evidenceMessage, SYSTEM_PROMPT } from './prompt.js';

export interface ModelSettings {
  provider: LlmProvider;
  model: string;
  apiKey: string | null;
  baseUrl: string | null;
  /** One call's own limit (ms); the run's deadline aborts calls sooner through their signal. */
  timeoutMs: number;
}

/**
 * One retry: a 429 or 5xx is tried once more, no storm of retries (LangChain's default is 6 with backoff) can
 * outlast the run's deadline, and the deadline's signal ends whatever is still out.
 */
const MAX_RETRIES = 1;
/** The note is short: a cap on output keeps a rambling model cheap. */
const MAX_OUTPUT_TOKENS = 800;

interface StructuredOutput {
  raw: {
    usage_metadata?: { input_tokens?: number; output_tokens?: number };
    additional_kwargs?: Record<string, unknown>;
    content?: unknown;
  };
  parsed: unknown;
}

/** A LangChain chat model: the providers' (ChatOpenAICompletions, ChatAnthropic) and the fake ones in tests. */
export type ChatModel = Pick<BaseChatModel, 'withStructuredOutput'>;

async function chatModel(s: ModelSettings): Promise<ChatModel> {
  // A local server may need no key; the SDKs refuse to start without one.
  const apiKey = s.apiKey ?? 'not-needed';
  if (s.provider === 'openai') {
    const { ChatOpenAICompletions } = await import('@langchain/openai');
    // Chat Completions always (never the Responses API): what OpenAI-compatible servers speak.
    return new ChatOpenAICompletions({
      model: s.model,
      apiKey,
      maxRetries: MAX_RETRIES,
      timeout: s.timeoutMs,
      maxTokens: MAX_OUTPUT_TOKENS,
      temperature: 0,
      // Keeps the provider's raw message: a refusal is stated there (`message.refusal`) and nowhere else.
      __includeRawResponse: true,
      configuration: { ...(s.baseUrl ? { baseURL: s.baseUrl } : {}), maxRetries: 0 },
    });
  }
  const { ChatAnthropic } = await import('@langchain/anthropic');
  return new ChatAnthropic({
    model: s.model,
    apiKey,
    maxRetries: MAX_RETRIES,
    maxTokens: MAX_OUTPUT_TOKENS,
    temperature: 0,
    ...(s.baseUrl ? { anthropicApiUrl: s.baseUrl } : {}),
    clientOptions: { timeout: s.timeoutMs, maxRetries: 0 },
  });
}

export async function langChainExplainer(s: ModelSettings): Promise<Explainer> {
  return structuredExplainer(await chatModel(s), s.model);
}

/**
 * The explainer over a chat model: the note asked for as structured output by tool calling (what OpenAI-compatible
 * servers support most widely, and Anthropic's way), with the raw message for its token counts.
 */
export function structuredExplainer(chat: ChatModel, modelName: string): Explainer {
  const model = chat.withStructuredOutput(ANSWER_SCHEMA, {
    name: 'analyst_note',
    method: 'functionCalling',
    includeRaw: true,
  });
  return {
    model: modelName,
    async explain(evidence: Evidence, signal: AbortSignal) {
      const out = (await model.invoke(
        [
          ['system', SYSTEM_PROMPT],
          ['human', evidenceMessage(evidence)],
        ],
        { signal },
      )) as unknown as StructuredOutput;
      const usage: TokenUsage = {
        inputTokens: out.raw?.usage_metadata?.input_tokens ?? null,
        outputTokens: out.raw?.usage_metadata?.output_tokens ?? null,
      };
      if (out.parsed === null || out.parsed === undefined) {
        // OpenAI states a refusal in its own field; other models answer in words instead of the tool.
        const refusal = out.raw?.additional_kwargs?.refusal ?? rawRefusal(out.raw?.additional_kwargs?.__raw_response);
        const said =
          typeof refusal === 'string' ? refusal : typeof out.raw?.content === 'string' ? out.raw.content : '';
        throw new ModelRefused(said, usage);
      }
      return { answer: out.parsed, usage };
    },
  };
}

/** The model answered without the structured output (a refusal, or words instead of the tool call). */
export class ModelRefused extends PacingError {
  constructor(
    said: string,
    readonly usage: TokenUsage,
  ) {
    super('unknown', `the model did not answer with the note${said ? `: "${said.slice(0, 200)}"` : ''}`);
  }
}

/** The refusal in an OpenAI-compatible raw response (`choices[0].message.refusal`), when it states one. */
function rawRefusal(raw: unknown): string | undefined {
  const message = (raw as { choices?: { message?: { refusal?: unknown } }[] } | undefined)?.choices?.[0]?.message;
  return typeof message?.refusal === 'string' ? message.refusal : undefined;
}
