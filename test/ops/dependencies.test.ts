// What the code imports is what package.json declares: a package imported at run time by src/ is one of the
// `dependencies` (the production install and the image hold nothing else), not something that happens to be in
// node_modules because another package brought it (as @slack/web-api came with @slack/bolt).
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fakes/pacing-cli.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The package a bare specifier names: `@scope/name` or `name`, without a subpath. */
const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');
const builtin = (spec: string) => spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0] ?? '');

/** Packages imported by src/, split into those needed at run time and those only for their types. */
function imported(): { runtime: Map<string, string>; typeOnly: Map<string, string> } {
  const runtime = new Map<string, string>();
  const typeOnly = new Map<string, string>();
  for (const file of sources(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const where = file.slice(ROOT.length + 1);
    // Static imports and re-exports (a statement may span lines), and dynamic import().
    for (const m of text.matchAll(/^(?:import|export)(\s+type)?\s[^;]*?from\s+'([^']+)'/gm)) {
      const spec = m[2] ?? '';
      if (spec.startsWith('.') || builtin(spec)) continue;
      (m[1] ? typeOnly : runtime).set(packageOf(spec), where);
    }
    for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) {
      const spec = m[1] ?? '';
      if (!spec.startsWith('.') && !builtin(spec)) runtime.set(packageOf(spec), where);
    }
  }
  for (const name of runtime.keys()) typeOnly.delete(name);
  return { runtime, typeOnly };
}

describe('package.json declares what src/ imports', () => {
  const { runtime, typeOnly } = imported();

  it('finds the imports it checks', () => {
    expect([...runtime.keys()]).toEqual(expect.arrayContaining(['@slack/bolt', 'better-sqlite3', 'zod']));
  });

  it('has every package src/ loads at run time among the production dependencies', () => {
    const missing = [...runtime].filter(([name]) => !(name in pkg.dependencies)).map(([n, f]) => `${n} (${f})`);
    expect(missing).toEqual([]);
    expect(Object.keys(pkg.dependencies)).toContain('@slack/web-api');
  });

  it('has every package src/ imports only for types among the dependencies or dev dependencies', () => {
    const declared = { ...pkg.dependencies, ...pkg.devDependencies };
    expect([...typeOnly].filter(([name]) => !(name in declared)).map(([n, f]) => `${n} (${f})`)).toEqual([]);
  });
});
