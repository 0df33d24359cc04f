// The model API fakes answer as the providers do: JSON schema in the message content, tool calls, errors in each
// provider's own shape. (The app asks by tool calling; servers that only speak JSON schema are answered too.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from './llm.js';

const KEY = 'sk-fake-self-test-0123456789';
let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm({ apiKey: KEY });
});
afterAll(() => fake.close());

const evidence = {
  campaign: { planId: 'P-1', platformCampaignId: '9', untrustedNames: {} },
  figures: { actualSpend: { amount: 10, currency: 'EUR' }, targetSpendToDate: { amount: 5, currency: 'EUR' } },
  rootCauses: [{ code: 'over_pacing' }],
};
const userTurn = `Evidence for one campaign (JSON):\n<evidence>\n${JSON.stringify(evidence)}\n</evidence>`;

async function chat(body: Record<string, unknown>, key = KEY) {
  const res = await fetch(`${fake.openaiBaseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('the OpenAI-compatible fake', () => {
  it('answers a json_schema request in the message content', async () => {
    const out = await chat({
      model: 'm',
      messages: [{ role: 'user', content: userTurn }],
      response_format: { type: 'json_schema', json_schema: { name: 'analyst_note', schema: {} } },
    });
    expect(out.status).toBe(200);
    const message = (out.json.choices as { message: { content: string } }[])[0]?.message;
    expect(JSON.parse(message?.content ?? '{}')).toMatchObject({ causes: [{ evidence: ['over_pacing'] }] });
    expect(out.json.usage).toMatchObject({ completion_tokens: 60 });
  });

  it('answers a request with tools by a tool call', async () => {
    const out = await chat({
      model: 'm',
      messages: [{ role: 'user', content: userTurn }],
      tools: [{ type: 'function', function: { name: 'analyst_note', parameters: {} } }],
    });
    const choice = (out.json.choices as { finish_reason: string; message: { tool_calls: unknown[] } }[])[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.tool_calls).toHaveLength(1);
  });

  it('refuses a wrong key (401), a request without a model (400), and answers 429 with retry-after', async () => {
    expect((await chat({ model: 'm', messages: [] }, 'sk-nope-0123456789')).status).toBe(401);
    expect((await chat({ messages: [] })).status).toBe(400);
    fake.behave({ kind: 'status', status: 429, retryAfterSeconds: 7 });
    const res = await fetch(`${fake.openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: userTurn }] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toMatchObject({ error: { type: 'rate_limit_exceeded' } });
    fake.behave({ kind: 'answer' });
  });
});

describe('the Anthropic fake', () => {
  it('needs the anthropic-version header and answers a forced tool with tool_use', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${fake.anthropicBaseUrl}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
        body: JSON.stringify({
          model: 'claude-test',
          max_tokens: 100,
          messages: [{ role: 'user', content: userTurn }],
          tools: [{ name: 'analyst_note', input_schema: {} }],
          tool_choice: { type: 'tool', name: 'analyst_note' },
        }),
      });
    expect((await post({})).status).toBe(400);
    const res = await post({ 'anthropic-version': '2023-06-01' });
    const json = (await res.json()) as { stop_reason: string; content: { type: string; input: unknown }[] };
    expect(json.stop_reason).toBe('tool_use');
    expect(json.content[0]).toMatchObject({ type: 'tool_use', input: { next_step: expect.any(String) } });
  });
});
