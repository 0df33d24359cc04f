// prom-client is for `pacing serve` only: the built CLI's other commands never load it (start-up speed).
// Each command runs as a child process with a preloaded module that reports, at exit, every prom-client file
// in Node's module cache (CommonJS packages imported from ES modules land there too).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, pacing, ROOT, runNode, type Workspace, workspace } from '../fakes/pacing-cli.js';

const HOOK = `import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  const loaded = Object.keys(cache).filter((f) => /[\\\\/]node_modules[\\\\/]prom-client[\\\\/]/.test(f));
  writeFileSync(process.env.LOADED_REPORT, JSON.stringify(loaded));
});
`;

let ws: Workspace;
let hook: string;
let report: string;

beforeAll(async () => {
  await ensureBuilt();
  ws = workspace();
  hook = join(ws.dir, 'report-loaded.mjs');
  report = join(ws.dir, 'loaded.json');
  writeFileSync(hook, HOOK);
  const run = await pacing(ws, ['run', '--json']);
  expect(run.code, run.stderr).toBe(0);
});

afterAll(() => ws.cleanup());

async function loadedBy(argv: string[]): Promise<string[]> {
  writeFileSync(report, 'null');
  const out = await runNode(ws, ['--import', pathToFileURL(hook).href, ...argv], { LOADED_REPORT: report });
  expect(out.code, out.stderr).toBe(0);
  const loaded = JSON.parse(readFileSync(report, 'utf8')) as string[] | null;
  if (loaded === null) throw new Error(`the exit hook did not report: ${out.stderr}`);
  return loaded;
}

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');

describe('prom-client stays out of the CLI', () => {
  it('is seen by the probe when something does load it (the metrics module of serve)', async () => {
    const metrics = pathToFileURL(join(ROOT, 'dist', 'ops', 'metrics.js')).href;
    const loaded = await loadedBy(['--input-type=module', '-e', `await import(${JSON.stringify(metrics)});`]);
    expect(loaded.length).toBeGreaterThan(0);
  });

  for (const command of [['status'], ['pending'], ['audit'], ['report'], ['run']]) {
    it(`is not loaded by \`pacing ${command.join(' ')} --json\``, async () => {
      expect(await loadedBy([BIN, ...command, '--json'])).toEqual([]);
    });
  }
});
