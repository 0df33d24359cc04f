// .env.example is where an operator learns which settings exist: it must name every one config.ts reads, and
// nothing config.ts does not read, so that the two cannot drift apart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { loadConfig, SETTING_NAMES } from '../src/config.js';
import { ROOT } from './fakes/pacing-cli.js';

const EXAMPLE = readFileSync(join(ROOT, '.env.example'), 'utf8');

/** `NAME=value` lines, commented out (`# NAME=…`) or not, in file order. */
function listed(text: string): string[] {
  return text
    .split('\n')
    .map((line) => /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

describe('.env.example', () => {
  const names = listed(EXAMPLE);

  it('lists every setting config.ts reads', () => {
    expect(SETTING_NAMES.length).toBeGreaterThan(40);
    expect(SETTING_NAMES.filter((name) => !names.includes(name))).toEqual([]);
  });

  it('lists nothing config.ts does not read, each setting once', () => {
    expect(names.filter((name) => !SETTING_NAMES.includes(name))).toEqual([]);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it('gives example values that config.ts accepts when uncommented', () => {
    // The values shown are what an operator copies: each must be valid on its own (placeholders such as
    // `xoxb-...` included). Values left empty count as unset.
    const env = parseDotenv(EXAMPLE.replace(/^#\s*(?=[A-Z][A-Z0-9_]*=)/gm, ''));
    expect(Object.keys(env).sort()).toEqual([...names].sort());
    // Each on its own, so that a failure names the setting.
    for (const [name, value] of Object.entries(env)) {
      if (name === 'PACING_DATA_DIR' || name === 'PACING_DB') continue; // paths that need not exist
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).not.toThrow();
    }
  });
});
