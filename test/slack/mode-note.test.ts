// Demo data and dry runs must never pass for real (issue: "Demo data in real channels"): which platforms are on
// fixture files or in dry run, the note every message then carries, and how it joins a message's context line.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runMode } from '../../src/platforms/index.js';
import { type Block, context, header, modeNote, plainNote, section, withNote } from '../../src/slack/views/blocks.js';

const mode = (env: Record<string, string>) => runMode(loadConfig({ PACING_DB: ':memory:', ...env }).platforms);

describe('which data is demo data, which run is dry', () => {
  it.each([
    ['the bundled fixtures (the default)', {}, ['google', 'meta'], []],
    ['live in dry run (the default mode)', { PACING_PLATFORMS: 'live' }, [], ['google', 'meta']],
    ['live for real', { PACING_PLATFORMS: 'live', PACING_MODE: 'live' }, [], []],
    [
      'Google live in dry run, Meta on fixtures',
      { PACING_PLATFORMS: 'google=live,meta=fixtures' },
      ['meta'],
      ['google'],
    ],
  ])('%s', (_name, env, demo, dryRun) => {
    expect(mode(env)).toEqual({ demo, dryRun });
  });

  it('says it in words a reader cannot miss, and nothing for live data acted on for real', () => {
    expect(modeNote({ demo: ['google', 'meta'], dryRun: [] })).toBe(
      ':test_tube: *Demo data* (fixture files): no real ad account was read or changed',
    );
    expect(modeNote({ demo: [], dryRun: ['google', 'meta'] })).toBe(
      ':test_tube: *Dry run — nothing was paused* (PACING_MODE=dry-run)',
    );
    expect(modeNote({ demo: ['meta'], dryRun: ['google'] })).toBe(
      ':test_tube: *Demo data* (fixture files for Meta): no real ad account was read or changed · :test_tube: *Dry run — nothing was paused* (PACING_MODE=dry-run)',
    );
    expect(modeNote({ demo: [], dryRun: [] })).toBeNull();
    expect(plainNote(':test_tube: *Dry run — nothing was paused* (PACING_MODE=dry-run)')).toBe(
      'Dry run — nothing was paused (PACING_MODE=dry-run)',
    );
  });
});

describe('the note in a message', () => {
  const note = modeNote({ demo: [], dryRun: ['google'] }) as string;

  it('joins the context line, or is a context line of its own; once, however often it is applied', () => {
    const withContext: Block[] = [header('Paused: X'), section('Body'), context(['Run r-1'])];
    const once = withNote(withContext, note);
    expect(once).toHaveLength(3);
    expect(JSON.stringify(once[2])).toContain('Run r-1');
    expect(JSON.stringify(once[2])).toContain('Dry run — nothing was paused');
    expect(withNote(once, note)).toEqual(once);
    const bare = withNote([section('Only text')], note);
    expect(bare.at(-1)).toEqual(context([note]));
    expect(withNote(withContext, null)).toEqual(withContext);
  });

  it('keeps a full message within Slack limits: 50 blocks at most, 10 elements in a context', () => {
    const full = Array.from({ length: 50 }, (_, i) => section(`line ${i}`));
    const noted = withNote(full, note);
    expect(noted).toHaveLength(50);
    expect(noted.at(-1)).toEqual(context([note]));
    const crowded = [context(Array.from({ length: 10 }, (_, i) => `c${i}`))];
    const more = withNote(crowded, note);
    expect(more).toHaveLength(2);
    expect(more.every((b) => b.type !== 'context' || b.elements.length <= 10)).toBe(true);
  });
});
