// The provider smoke check (scripts/smoke-llm.mjs) is what an operator runs with a real key; here it runs against the
// OpenAI-compatible wire fake, so the script itself is known to pass on a working provider and to fail on a broken
// one — and without a key it sends nothing and says so.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../fakes/llm.js';
import { ensureBuilt } from '../fakes/pacing-cli.js';

const KEY = 'sk-smoke-secret-8c1e5a7b3d';
const script = new URL('../../scripts/smoke-llm.mjs', import.meta.url).pathname;
let fake: FakeLlm;

beforeAll(async () => {
  await ensureBuilt();
  fake = await startFakeLlm({ apiKey: KEY });
}, 60_000);
afterAll(async () => {
  await fake.close();
});

/** Runs the script without blocking this process, which serves the fake. */
function smoke(env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(LLM_|PACING_)/.test(k)));
  const child = spawn(process.execPath, [script], { env: { ...clean, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}
const provider = () => ({
  LLM_PROVIDER: 'openai',
  LLM_MODEL: 'gpt-4o-mini',
  LLM_API_KEY: KEY,
  LLM_BASE_URL: fake.openaiBaseUrl,
  LLM_TIMEOUT_MS: '8000',
});

describe('npm run smoke:llm', () => {
  it('sends nothing and passes without a key', async () => {
    const before = fake.requests.length;
    const r = await smoke({});
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/LLM_API_KEY .*is not set, so nothing was sent/);
    expect(fake.requests.length).toBe(before);
  });

  it('passes on a provider that answers, naming what was kept and what it cost', async () => {
    fake.behave({ kind: 'answer' });
    const r = await smoke(provider());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/openai gpt-4o-mini in [\d.]+ s: [1-9]\d* notes kept, \d+ dropped; [1-9]\d* tokens in/);
    expect(r.stdout).not.toContain(KEY);
  });

  it('fails when the provider refuses the key: the model was never heard', async () => {
    const r = await smoke({ ...provider(), LLM_API_KEY: 'sk-smoke-wrong-key-2f9d' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/0 notes kept, [1-9]\d* dropped/);
  });

  it('asks for a provider and a model beside the key', async () => {
    const r = await smoke({ LLM_API_KEY: KEY });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/set LLM_PROVIDER \(openai or anthropic\) and LLM_MODEL/);
  });
});
