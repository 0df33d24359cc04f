// The explainer the settings ask for, loading its provider's package on the first note asked for: a command that
// never explains (status, pending, audit, report, or LLM_PROVIDER=none) never loads LangChain's providers.
import type { Explainer } from '../agent/ports.js';
import type { LlmSettings } from '../config-llm.js';

export function explainerFor(settings: LlmSettings): Explainer | null {
  if (settings.provider === 'none' || settings.model === null) return null;
  const { provider, model, apiKey, baseUrl, timeoutMs } = settings;
  let loading: Promise<Explainer> | null = null;
  return {
    model,
    async explain(evidence, signal) {
      loading ??= import('./langchain.js').then((m) =>
        m.langChainExplainer({ provider, model, apiKey, baseUrl, timeoutMs }),
      );
      return (await loading).explain(evidence, signal);
    },
  };
}
