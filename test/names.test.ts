// One name, one idea, read from the source: the record types have one home (domain/records.ts) and one meaning,
// and a thrown value's message is read one way (asPacingError), not by copies that drift apart.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './fakes/pacing-cli.js';

const RECORDS = 'src/domain/records.ts';

const sources = readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.ts'))
  .map((e) => {
    const file = join(e.parentPath, e.name);
    return { path: relative(ROOT, file).split(sep).join('/'), text: readFileSync(file, 'utf8') };
  });

const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** The names records.ts exports: the types every layer shares. */
function recordNames(): string[] {
  const text = readFileSync(join(ROOT, RECORDS), 'utf8');
  return [...text.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1] as string);
}

/** Declarations or re-exports of a record type's name anywhere but records.ts, as "file:line name". */
function elsewhere(files: readonly { path: string; text: string }[], names: readonly string[]): string[] {
  const wanted = new Set(names);
  const out: string[] = [];
  for (const f of files) {
    if (f.path === RECORDS) continue;
    for (const m of f.text.matchAll(/^export (?:interface|type|class) (\w+)/gm))
      if (wanted.has(m[1] as string)) out.push(`${f.path}:${lineAt(f.text, m.index)} declares ${m[1]}`);
    for (const m of f.text.matchAll(/^export (?:type )?\{([^}]*)\} from/gm))
      for (const n of (m[1] as string).split(',').map((s) => s.replace(/\btype\b/, '').trim()))
        if (wanted.has(n)) out.push(`${f.path}:${lineAt(f.text, m.index)} re-exports ${n}`);
  }
  return out;
}

/** `x instanceof Error ? x.message : …`: the copy asPacingError replaces. */
const COPY = /(\w+) instanceof Error \? \1\.message :/g;

function copies(files: readonly { path: string; text: string }[]): string[] {
  return files
    .filter((f) => f.path !== 'src/errors.ts')
    .flatMap((f) => [...f.text.matchAll(COPY)].map((m) => `${f.path}:${lineAt(f.text, m.index)}`));
}

describe('one name, one idea', () => {
  it('declares and exports each record type in domain/records.ts only', () => {
    const names = recordNames();
    expect(names).toEqual(expect.arrayContaining(['ResultRow', 'Escalation', 'AuditEvent', 'Decision']));
    expect(elsewhere(sources, names)).toEqual([]);
  });

  it('reads a thrown value through asPacingError, with no inline copy left', () => {
    expect(copies(sources)).toEqual([]);
  });

  it.each([
    ["export type { ResultRow } from '../domain/records.js';", ['x.ts:1 re-exports ResultRow']],
    [
      "export type {\n  Escalation,\n  type Decision,\n} from './r.js';",
      ['x.ts:1 re-exports Escalation', 'x.ts:1 re-exports Decision'],
    ],
    ['export interface Decision {\n  action: string;\n}', ['x.ts:1 declares Decision']],
    ["import type { ResultRow } from '../domain/records.js';", []],
  ])('the scan sees re-exports and second declarations: %s', (text, found) => {
    expect(elsewhere([{ path: 'x.ts', text }], ['ResultRow', 'Escalation', 'Decision'])).toEqual(found);
  });

  it.each([
    ['const m = err instanceof Error ? err.message : String(err);', 1],
    ['f(reason instanceof Error ? reason.message : String(reason));', 1],
    ['const m = asPacingError(err).message;', 0],
  ])('the scan sees copies: %s', (text, n) => {
    expect(copies([{ path: 'x.ts', text }])).toHaveLength(n);
  });
});
