// Usage errors on the command lines: the built `pacing` CLI's --limit, and bench/generate.mjs's arguments.
// Both run as real child processes; a usage error exits 2 with a message and does nothing else.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELP } from '../../src/cli/cli.js';
import {
  BIN,
  cleanEnv,
  ensureBuilt,
  type Outcome,
  pacing,
  ROOT,
  type RunDoc,
  runNode,
  type Workspace,
  workspace,
} from '../fakes/pacing-cli.js';

describe('pacing audit --limit', () => {
  let ws: Workspace;
  beforeAll(async () => {
    await ensureBuilt();
    ws = workspace();
  });
  afterAll(() => ws?.cleanup());

  it.each([['0'], ['-1'], ['1.5'], ['abc'], ['99999999999999999999'], ['1000001'], ['1e3'], ['0x10'], ['']])(
    'refuses --limit %j as a usage error (exit 2) with a message',
    async (value) => {
      const out = await pacing(ws, ['audit', '--limit', value]);
      expect(out.code).toBe(2);
      // One line and a hint, not the whole help.
      expect(out.stderr.trim().split('\n')).toEqual([
        'pacing: --limit takes a whole number from 1 to 1000000.',
        'Run `npx pacing help` for the commands and their options.',
      ]);
      expect(out.stderr).not.toMatch(/datatype mismatch|unexpected failure/);
      expect(out.stdout).toBe('');
    },
  );

  it.each([[['audit', '--limit=-1']], [['audit', '--limit', '--json']], [['audit', '--limit']]])(
    'refuses %j with the same message',
    async (args) => {
      const out = await pacing(ws, args);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain('pacing: --limit takes a whole number from 1 to 1000000.');
    },
  );

  it.each([['1'], ['1000000']])('takes --limit %s', async (value) => {
    const out = await pacing(ws, ['audit', '--limit', value, '--json']);
    expect(out.stderr).not.toMatch(/--limit takes/);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toHaveProperty('events');
  });
});

describe('usage errors: one line, a hint, and the nearest word', () => {
  let ws: Workspace;
  beforeAll(async () => {
    await ensureBuilt();
    ws = workspace();
  });
  afterAll(() => ws?.cleanup());

  const HINT = 'Run `npx pacing help` for the commands and their options.';
  it.each([
    [['statsu'], 'pacing: unknown command "statsu". Did you mean status?'],
    [['resume-campain', 'ACM-G-004'], 'pacing: unknown command "resume-campain". Did you mean resume-campaign?'],
    [['frobnicate'], 'pacing: unknown command "frobnicate".'],
    [['status', '--jsn'], 'pacing: unknown option --jsn. Did you mean --json?'],
    [['audit', '--campain', 'X'], 'pacing: unknown option --campain. Did you mean --campaign?'],
    [['audit', '--zzzzzz'], 'pacing: unknown option --zzzzzz.'],
    [['approve', 'esc-1', '--user'], 'pacing: --user needs a value.'],
    [['replay', '--runs', '-1'], 'pacing: --runs takes a whole number from 1 to 1000000.'],
    [['replay', '--runs'], 'pacing: --runs takes a whole number from 1 to 1000000.'],
    [['status', '--json=yes'], 'pacing: --json takes no value.'],
    [['approve', 'esc-1'], 'pacing: approve needs --user <slack-user-id> (one of PACING_APPROVERS when set).'],
    [
      ['reject', 'esc-1', '--reason', 'no'],
      'pacing: reject needs --user <slack-user-id> (one of PACING_APPROVERS when set).',
    ],
    [
      ['resume-campaign', 'ACM-G-004'],
      'pacing: resume-campaign needs --user <slack-user-id> (one of PACING_APPROVERS when set).',
    ],
    [['pending', '--all'], 'pacing: --all is for run and status.'],
  ])('%j exits 2 with one line and a hint', async (args, line) => {
    const out = await pacing(ws, args);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr.trim().split('\n')).toEqual([line, HINT]);
    expect(out.stderr).not.toMatch(/To specify a positional argument|Usage: npx pacing/);
  });
});

describe('pacing help', () => {
  it('fits an 80-column terminal', () => {
    for (const line of HELP.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });
});

describe('pacing run as text on the demo', () => {
  let ws: Workspace;
  let out: Outcome;
  beforeAll(async () => {
    await ensureBuilt();
    ws = workspace();
    out = await pacing(ws, ['run'], { COLUMNS: '80' });
  }, 30_000);
  afterAll(() => ws?.cleanup());

  it('fits every notification line to the terminal, continuation lines indented under the text', () => {
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.split('\n');
    const from = lines.findIndex((l) => l.startsWith('Notifications'));
    expect(from).toBeGreaterThan(0);
    const notes = lines.slice(from + 1).filter((l) => l.trim());
    expect(notes.length).toBeGreaterThan(8);
    for (const l of notes) expect(l.length, l).toBeLessThanOrEqual(80);
    expect(notes.some((l) => l.startsWith('  HALT  ACM-G-004 '))).toBe(true);
    expect(notes.filter((l) => l.startsWith('        ')).length).toBeGreaterThan(0);
  });

  it('lists critical rows first, the most money first, and says paused for a paused campaign', () => {
    const table = out.stdout.split('\n').slice(4);
    const first = table.slice(0, 3).map((l) => l.split(/\s+/)[0]);
    // ACM-G-005 (4,750 EUR under plan), ACM-G-004 (4,560 over), ACM-M-003 (2,400 under): all critical.
    expect(first).toEqual(['ACM-G-005', 'ACM-G-004', 'ACM-M-003']);
    expect(table.find((l) => l.startsWith('ACM-G-004 '))).toMatch(/\spaused$/);
    expect(table.find((l) => l.startsWith('ACM-G-001 '))).toMatch(/\slog$/);
  });
});

describe('output to a reader that stops early', () => {
  let ws: Workspace;
  beforeAll(async () => {
    await ensureBuilt();
    ws = workspace();
  });
  afterAll(() => ws?.cleanup());

  it('`pacing run | head -1` finishes the run quietly instead of dying on EPIPE', async () => {
    const child = spawn(process.execPath, [BIN, 'run'], { env: cleanEnv(ws.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    // Read the first chunk, then close the pipe as `head` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
    // The run was recorded in full.
    const status = await pacing(ws, ['status', '--json']);
    expect(JSON.parse(status.stdout).results.length).toBe(21);
  });
});

describe('node bench/generate.mjs', () => {
  const SCRIPT = join(ROOT, 'bench', 'generate.mjs');
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** Runs the script with `cwd` a new empty folder, and returns the outcome and what the folder holds after. */
  async function generate(args: string[]): Promise<Outcome & { cwd: string; created: string[] }> {
    const cwd = mkdtempSync(join(tmpdir(), 'pacing-generate-'));
    dirs.push(cwd);
    // The same child-process runner as the CLI tests, in an empty folder of its own.
    const out = await runNode({ dir: cwd, dataDir: cwd, db: join(cwd, 'unused.db'), env: {}, cleanup: () => {} }, [
      SCRIPT,
      ...args,
    ]);
    return { ...out, cwd, created: readdirSync(cwd) };
  }

  it.each([[['--help']], [['-h']], [['out', '--help']]])('prints usage for %j and writes nothing', async (args) => {
    const out = await generate(args);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Usage: node bench/generate.mjs [dir] [rows] [seed]');
    expect(out.stderr).toBe('');
    expect(out.created).toEqual([]);
    expect(existsSync(join(out.cwd, '--help'))).toBe(false);
  });

  it.each([
    [['--rows', '50'], 'unknown option "--rows"'],
    [['-x'], 'unknown option "-x"'],
    [['out', '-5'], 'unknown option "-5"'],
    [['out', 'many'], 'rows must be a whole number above 0, not "many"'],
    [['out', '10', 'x'], 'seed must be a whole number, not "x"'],
    [['out', '10', '1', 'extra'], 'too many arguments'],
  ])('refuses %j (exit 2, usage on stderr) and writes nothing', async (args, message) => {
    const out = await generate(args);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`generate.mjs: ${message}`);
    expect(out.stderr).toContain('Usage: node bench/generate.mjs');
    expect(out.stdout).toBe('');
    expect(out.created).toEqual([]);
  });

  it('writes a dataset into the folder it is given', async () => {
    const out = await generate(['data', '40', '7']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.created).toEqual(['data']);
    expect(readdirSync(join(out.cwd, 'data')).sort()).toEqual([
      'google.json',
      'meta.json',
      'scenario.json',
      'tracker.csv',
      'truth.json',
    ]);
    expect(JSON.parse(out.stdout)).toHaveProperty('noisyNames');
  });

  it('writes a dataset whose data is fresh when run without PACING_NOW (scenario.json keeps its clock)', async () => {
    const out = await generate(['data', '60', '7']);
    expect(out.code).toBe(0);
    const dataDir = join(out.cwd, 'data');
    expect(JSON.parse(readFileSync(join(dataDir, 'scenario.json'), 'utf8'))).toEqual({ now: '2026-11-20T09:00:00Z' });
    // As README says: PACING_DATA_DIR=<dir> npx pacing run, with no PACING_NOW (the runner passes none).
    const ws: Workspace = { dir: out.cwd, dataDir, db: join(out.cwd, 'p.db'), env: {}, cleanup: () => {} };
    const run = await pacing(ws, ['run', '--json'], { PACING_DATA_DIR: dataDir, PACING_DB: ws.db });
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as RunDoc;
    const matched = doc.results.filter((r) => r.campaignId !== null && r.platformCampaignId !== null);
    expect(matched.length).toBeGreaterThan(40);
    // The generator makes a few campaigns stale on purpose; the rest are as fresh as the data's clock says.
    const fresh = matched.filter((r) => r.confidenceParts.freshness === 20);
    expect(fresh.length / matched.length).toBeGreaterThan(0.8);
  });
});
