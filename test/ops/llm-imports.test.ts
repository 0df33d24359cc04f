// The model providers' packages (@langchain/openai, @langchain/anthropic and the SDKs under them) load only when a
// run asks a model for a note: with LLM_PROVIDER=none nothing new is loaded, and the read commands (status,
// pending, audit, report) never load them, whatever the provider. Each command runs as a child process with a
// module-resolution hook that reports every provider file resolved (ES modules do not land in require.cache).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../fakes/llm.js';
import { BIN, ensureBuilt, pacing, runNode, type Workspace, workspace } from '../fakes/pacing-cli.js';

const PROVIDERS = String.raw`[\\/]node_modules[\\/](?:@langchain[\\/](?:openai|anthropic)|openai|@anthropic-ai[\\/]sdk)[\\/]`;
const HOOKS = `import { appendFileSync } from 'node:fs';
const providers = new RegExp(${JSON.stringify(PROVIDERS)});
export async function resolve(specifier, context, next) {
  const out = await next(specifier, context);
  if (providers.test(out.url)) appendFileSync(process.env.LOADED_REPORT, out.url + '\\n');
  return out;
}
`;
const REGISTER = `import { register } from 'node:module';
import { createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
register(process.env.LOADED_HOOKS);
const cache = createRequire(import.meta.url).cache;
const providers = new RegExp(${JSON.stringify(PROVIDERS)});
process.on('exit', () => {
  for (const f of Object.keys(cache)) if (providers.test(f)) appendFileSync(process.env.LOADED_REPORT, f + '\\n');
});
`;

const KEY = 'sk-imports-test-0123456789';
let ws: Workspace;
let fake: FakeLlm;
let register: string;
let hooks: string;
let report: string;

beforeAll(async () => {
  await ensureBuilt();
  fake = await startFakeLlm({ apiKey: KEY });
  ws = workspace();
  register = join(ws.dir, 'register.mjs');
  hooks = join(ws.dir, 'hooks.mjs');
  report = join(ws.dir, 'loaded.txt');
  writeFileSync(register, REGISTER);
  writeFileSync(hooks, HOOKS);
  const run = await pacing(ws, ['run', '--json']);
  expect(run.code, run.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  ws.cleanup();
  await fake.close();
});

const OPENAI = { LLM_PROVIDER: 'openai', LLM_MODEL: 'gpt-4o-mini', LLM_API_KEY: KEY };

async function loadedBy(argv: string[], env: Record<string, string> = {}): Promise<string[]> {
  writeFileSync(report, '');
  const out = await runNode(ws, ['--import', pathToFileURL(register).href, ...argv], {
    LOADED_REPORT: report,
    LOADED_HOOKS: pathToFileURL(hooks).href,
    ...env,
  });
  expect(out.code, out.stderr).toBe(0);
  return existsSync(report) ? readFileSync(report, 'utf8').split('\n').filter(Boolean) : [];
}

describe('the providers stay out unless a note is asked for', () => {
  it('are seen by the probe when a run asks a model (the probe is not blind)', async () => {
    const loaded = await loadedBy([BIN, 'run', '--json'], { ...OPENAI, LLM_BASE_URL: fake.openaiBaseUrl });
    expect(loaded.some((f) => f.includes('@langchain/openai'))).toBe(true);
    expect(loaded.some((f) => f.includes('@langchain/anthropic'))).toBe(false);
  });

  for (const command of [['run'], ['status'], ['pending'], ['audit'], ['report']]) {
    it(`are not loaded by \`pacing ${command.join(' ')} --json\` with LLM_PROVIDER=none`, async () => {
      expect(await loadedBy([BIN, ...command, '--json'])).toEqual([]);
    });
  }

  for (const command of [['status'], ['pending'], ['audit'], ['report']]) {
    it(`are not loaded by \`pacing ${command.join(' ')} --json\` with a provider set`, async () => {
      expect(await loadedBy([BIN, ...command, '--json'], { ...OPENAI, LLM_BASE_URL: fake.openaiBaseUrl })).toEqual([]);
    });
  }
});
