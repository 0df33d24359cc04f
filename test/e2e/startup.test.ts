// Read commands answer from the database without loading Slack's Bolt or LangGraph (issue: fast start). Each
// command runs as a real process with a module hook that lists every file it loads; the files of our own bundle
// are read too, since a bundled chunk carries LangGraph's code under its own name.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ensureBuilt, pacing, runNode, type Workspace, workspace } from '../fakes/pacing-cli.js';

let ws: Workspace;

beforeAll(async () => {
  await ensureBuilt();
  ws = workspace();
  // The hook writes each resolved URL to a file named by the environment, one per line.
  writeFileSync(
    join(ws.dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.LOADED_LOG, r.url + '\\n');
  return r;
}
`,
  );
  writeFileSync(
    join(ws.dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`,
  );
  const run = await pacing(ws, ['run', '--json']);
  expect(run.code, run.stderr).toBe(0);
}, 120_000);

afterAll(() => ws?.cleanup());

/** What a command loaded: package names from node_modules, and whether our loaded files carry LangGraph or Bolt. */
async function loaded(args: string[]) {
  const log = join(ws.dir, `loaded-${args[1]}.log`);
  writeFileSync(log, '');
  const out = await runNode(ws, ['--import', join(ws.dir, 'register.mjs'), ...args], { LOADED_LOG: log });
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const packages = new Set(
    urls.flatMap((u) => {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
      return m ? [m[1] as string] : [];
    }),
  );
  const ours = [...new Set(urls.filter((u) => u.startsWith('file:') && !u.includes('/node_modules/')))];
  const text = ours.map((u) => readFileSync(new URL(u), 'utf8')).join('\n');
  return {
    out,
    packages,
    carriesLangGraph: /node_modules\/@langchain\/langgraph|from ["']@langchain\/langgraph/.test(text),
    carriesBolt: /from ["']@slack\/bolt["']|node_modules\/@slack\/bolt/.test(text),
  };
}

describe('read commands start without Bolt or LangGraph', () => {
  it.each([['status'], ['pending'], ['audit'], ['report']])('%s --json', async (command) => {
    const { out, packages, carriesLangGraph, carriesBolt } = await loaded([BIN, command, '--json']);
    expect(out.code, out.stderr).toBe(0);
    expect(() => JSON.parse(out.stdout)).not.toThrow();
    expect([...packages].filter((p) => p.startsWith('@langchain/') || p.startsWith('@slack/'))).toEqual([]);
    expect(carriesLangGraph).toBe(false);
    expect(carriesBolt).toBe(false);
  });

  it('while a run does load LangGraph (the check above can fail)', async () => {
    const { out, packages, carriesLangGraph } = await loaded([BIN, 'run', '--json']);
    expect(out.code, out.stderr).toBe(0);
    expect(carriesLangGraph || [...packages].some((p) => p.startsWith('@langchain/'))).toBe(true);
  });
});

describe('`npm start` without Slack', () => {
  it('ends with the next steps, each within 80 columns', async () => {
    const main = join(BIN, '..', '..', 'main.js');
    const out = await runNode(ws, [main], { COLUMNS: '80' });
    expect(out.code, out.stderr).toBe(0);
    const next = out.stdout.slice(out.stdout.indexOf('\nNext:\n'));
    expect(next).toContain('npx pacing reject <id> --user U0123ABCD');
    for (const l of next.split('\n')) expect(l.length, l).toBeLessThanOrEqual(80);
  }, 60_000);
});

describe('the container entry point', () => {
  it('`node dist/main.js serve` is the serve command: without a bot token it stops, naming the setting', async () => {
    const main = join(BIN, '..', '..', 'main.js');
    const out = await runNode(ws, [main, 'serve']);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('SLACK_BOT_TOKEN is not set');
    // Not a demo run in disguise.
    expect(out.stdout).not.toContain('campaigns');
  });
});
