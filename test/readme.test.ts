// README's command-line samples against today's CLI: the command list against the commands `pacing` knows and
// its help, each `$ npx pacing …` sample against the output on the bundled demo, and the summary lines it quotes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/args.js';
import { HELP } from '../src/cli/cli.js';
import { ensureBuilt, type Outcome, pacing, ROOT, type Workspace, workspace } from './fakes/pacing-cli.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** Run ids differ each time; everything else in the demo is reproducible (it keeps its own clock). */
const stable = (s: string) => s.replace(/run-[0-9a-f]{10}/g, 'run-…').trimEnd();
const flat = (s: string) => s.replace(/\s+/g, ' ');

/** The fenced code blocks of a README section (from its heading to the next heading of the same level). */
function blocks(section: string): string[] {
  const start = README.indexOf(`\n${section}\n`);
  expect(start, section).toBeGreaterThan(-1);
  const level = section.split(' ')[0] as string;
  const rest = README.slice(start + section.length + 2);
  const end = rest.search(new RegExp(`\\n${level} `));
  const body = end === -1 ? rest : rest.slice(0, end);
  return [...body.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

describe('the command list', () => {
  const listed = (blocks('## Command line')[0] ?? '')
    .split('\n')
    .map((l) => /^npx pacing (\S+)/.exec(l)?.[1])
    .filter((c): c is string => c !== undefined);

  it('names every command the CLI knows, and no other', () => {
    expect([...new Set(listed)].sort()).toEqual([...COMMANDS].sort());
  });

  it('matches the CLI’s own help', () => {
    const commands = HELP.slice(HELP.indexOf('Commands:'), HELP.indexOf('Options:'));
    const inHelp = commands
      .split('\n')
      .map((l) => /^ {2}([a-z][a-z-]*)(?:\s|$)/.exec(l)?.[1])
      .filter((c): c is string => c !== undefined);
    expect([...new Set(inHelp)].sort()).toEqual([...COMMANDS].sort());
  });
});

describe('samples reproduced on the bundled demo', () => {
  let ws: Workspace;
  let first: Outcome;
  let second: Outcome;
  beforeAll(async () => {
    await ensureBuilt();
    ws = workspace();
    first = await pacing(ws, ['run']);
    second = await pacing(ws, ['run']);
  }, 60_000);
  afterAll(() => ws?.cleanup());

  const samples = [...README.matchAll(/```\n\$ npx pacing ([^\n]+)\n([\s\S]*?)```/g)].map((m) => ({
    args: (m[1] as string).split(' '),
    expected: m[2] as string,
  }));

  it('has samples to check', () => {
    expect(samples.length).toBeGreaterThan(0);
  });

  it.each(samples.map((s) => [s.args.join(' '), s]))('$ npx pacing %s', async (_name, sample) => {
    const out = await pacing(ws, (sample as (typeof samples)[number]).args);
    expect(out.code, out.stderr).toBe(0);
    expect(stable(out.stdout)).toBe(stable((sample as (typeof samples)[number]).expected));
  });

  it('quotes the summary lines a first and a second run print', () => {
    const quoted = [...flat(README).matchAll(/\("((?:This run|Standing): [^"]+)"\)/g)].map((m) => m[1] as string);
    expect(quoted.length).toBeGreaterThanOrEqual(3);
    const lines = [...first.stdout.split('\n'), ...second.stdout.split('\n')].map((l) => flat(l).trim());
    for (const q of quoted) expect(lines, q).toContain(q);
  });
});
