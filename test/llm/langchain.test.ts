// The providers' LangChain clients against wire fakes on 127.0.0.1: the note comes back through a tool call
// (OpenAI-compatible) or tool_use (Anthropic) with its token counts; 429s, 500s, slow answers and refusals end in
// an error within the deadline, after at most one retry.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assessAll } from '../../src/domain/assess.js';
import { type Evidence, evidenceOf } from '../../src/domain/explanation.js';
import { ground } from '../../src/domain/grounding.js';
import { DEFAULT_THRESHOLDS } from '../../src/domain/types.js';
import { langChainExplainer } from '../../src/llm/langchain.js';
import { campaign, NOW, planRow } from '../domain/builders.js';
import { type FakeLlm, startFakeLlm } from '../fakes/llm.js';

const KEY = 'sk-fake-llm-key-0123456789';
let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm({ apiKey: KEY });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.behave({ kind: 'answer' });
});

const [row] = assessAll({
  plan: [planRow()],
  campaigns: [campaign({ spend: 2400 })],
  unavailable: new Map(),
  now: NOW,
  thresholds: DEFAULT_THRESHOLDS,
  history: () => [],
}).assessments;
const evidence: Evidence = evidenceOf(row as NonNullable<typeof row>);

const explainer = (provider: 'openai' | 'anthropic', timeoutMs = 5000) =>
  langChainExplainer({
    provider,
    model: provider === 'openai' ? 'gpt-4o-mini' : 'claude-test',
    apiKey: KEY,
    baseUrl: provider === 'openai' ? fake.openaiBaseUrl : fake.anthropicBaseUrl,
    timeoutMs,
  });

const signal = () => new AbortController().signal;

describe.each(['openai', 'anthropic'] as const)('%s', (provider) => {
  it('returns the note and its token counts; the note is grounded', async () => {
    const out = await (await explainer(provider)).explain(evidence, signal());
    expect(out.usage.inputTokens).toBeGreaterThan(0);
    expect(out.usage.outputTokens).toBe(60);
    expect(ground(out.answer, evidence, 'm')).toMatchObject({ ok: true });
    const sent = fake.requests[0];
    expect(sent?.path).toBe(provider === 'openai' ? '/v1/chat/completions' : '/v1/messages');
    // Asked by tool calling, the schema's fields named.
    expect(sent?.raw).toContain('analyst_note');
    expect(sent?.raw).toContain('next_step');
  });

  it('retries a 429 once at most, then fails', async () => {
    fake.behave({ kind: 'status', status: 429, retryAfterSeconds: 0 });
    await expect((await explainer(provider)).explain(evidence, signal())).rejects.toThrow();
    expect(fake.requests.length).toBeGreaterThanOrEqual(1);
    expect(fake.requests.length).toBeLessThanOrEqual(2);
  });

  it('fails on a 500 after at most one retry', async () => {
    fake.behave({ kind: 'status', status: 500 });
    await expect((await explainer(provider)).explain(evidence, signal())).rejects.toThrow();
    expect(fake.requests.length).toBeLessThanOrEqual(2);
  });

  it('gives up on a slow answer when its signal aborts', async () => {
    fake.behave({ kind: 'slow', ms: 30_000 });
    const deadline = new AbortController();
    setTimeout(() => deadline.abort(), 300);
    const started = performance.now();
    await expect((await explainer(provider)).explain(evidence, deadline.signal)).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('turns a refusal into an error that quotes it', async () => {
    fake.behave({ kind: 'refuse', text: "I can't help with that." });
    await expect((await explainer(provider)).explain(evidence, signal())).rejects.toThrow(/can't help with that/);
  });

  it("fails with the provider's 401 on a wrong key (the agent redacts what the provider echoes: e2e)", async () => {
    const wrong = await langChainExplainer({
      provider,
      model: 'm',
      apiKey: 'sk-wrong-key-9876543210',
      baseUrl: provider === 'openai' ? fake.openaiBaseUrl : fake.anthropicBaseUrl,
      timeoutMs: 5000,
    });
    await expect(wrong.explain(evidence, signal())).rejects.toThrow(/401/);
    expect(fake.requests).toHaveLength(1);
  });
});
