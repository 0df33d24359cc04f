// The walls between the layers, read from the source: Slack and the CLI translate only (they read the agent's state
// through agent/reads.ts, never the store), Slack never leans on the CLI, and domain/ stays pure (nothing of ours
// but domain). A breach names the file, the line and the import.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './fakes/pacing-cli.js';

interface Source {
  /** From the repository's root, with forward slashes: src/cli/cli.ts. */
  path: string;
  text: string;
}

interface Import {
  line: number;
  specifier: string;
  /** The file it names, from the root (src/store/db.js), or null for a package or a builtin. */
  target: string | null;
  /** `import type` / `export type`: erased by the compiler, so no arrow at run time. */
  typeOnly: boolean;
}

// Static imports and re-exports (over several lines too), and dynamic import() with a literal.
const STATIC = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: Source): Import[] {
  const lineAt = (index: number) => file.text.slice(0, index).split('\n').length;
  const resolve = (specifier: string) =>
    specifier.startsWith('.') ? posix.normalize(posix.join(posix.dirname(file.path), specifier)) : null;
  const found: Import[] = [];
  for (const m of file.text.matchAll(STATIC)) {
    const specifier = m[3] as string;
    found.push({ line: lineAt(m.index), specifier, target: resolve(specifier), typeOnly: m[2] !== undefined });
  }
  for (const m of file.text.matchAll(DYNAMIC)) {
    const specifier = m[1] as string;
    found.push({ line: lineAt(m.index), specifier, target: resolve(specifier), typeOnly: false });
  }
  return found;
}

const under = (path: string | null, folder: string) => path?.startsWith(`${folder}/`) ?? false;

/** Every import that breaks a wall, as "file:line imports 'specifier' (why)". */
function breaches(files: readonly Source[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    for (const i of importsOf(file)) {
      const at = `${file.path}:${i.line} imports '${i.specifier}'`;
      const translator = under(file.path, 'src/slack') || under(file.path, 'src/cli');
      if (translator && under(i.target, 'src/store') && !i.typeOnly)
        out.push(`${at} (Slack and the CLI read through agent/reads.ts, not the store)`);
      if (under(file.path, 'src/slack') && under(i.target, 'src/cli'))
        out.push(`${at} (Slack does not import the CLI: what both need lives below them)`);
      if (under(file.path, 'src/domain') && i.target !== null && !under(i.target, 'src/domain'))
        out.push(`${at} (domain imports nothing of ours but domain)`);
    }
  }
  return out;
}

function sourcesUnder(folder: string): Source[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => {
      const file = join(e.parentPath, e.name);
      return { path: relative(ROOT, file).split(sep).join('/'), text: readFileSync(file, 'utf8') };
    });
}

describe('the layer check itself', () => {
  const src = (path: string, text: string): Source => ({ path, text });

  it.each<[string, Source, number]>([
    ['a CLI value import of the store', src('src/cli/x.ts', "import { isBusy } from '../store/db.js';"), 1],
    [
      'a Slack value import of the store',
      src('src/slack/views/x.ts', "import { Store } from '../../store/index.js';"),
      1,
    ],
    ['a store import over several lines', src('src/cli/x.ts', "import {\n  a,\n  b,\n} from '../store/db.js';"), 1],
    ['a re-export of the store', src('src/slack/x.ts', "export { Outbox } from '../store/outbox.js';"), 1],
    ['a dynamic import of the store', src('src/cli/x.ts', "const m = await import('../store/db.js');"), 1],
    [
      'an import of only type specifiers (it still loads the module)',
      src('src/cli/x.ts', "import { type A } from '../store/a.js';"),
      1,
    ],
    ['a type-only import of the store', src('src/cli/x.ts', "import type { Store } from '../store/index.js';"), 0],
    [
      'a Slack import of the CLI, even of types',
      src('src/slack/x.ts', "import type { Io } from '../cli/commands.js';"),
      1,
    ],
    ['a Slack dynamic import of the CLI', src('src/slack/x.ts', "await import('../cli/report.js');"), 1],
    ['the CLI importing Slack (downward)', src('src/cli/x.ts', "import { serve } from '../slack/serve.js';"), 0],
    ['the CLI reading through the agent', src('src/cli/x.ts', "import type { Reads } from '../agent/reads.js';"), 0],
    ['domain importing domain', src('src/domain/x.ts', "import { round2 } from './money.js';"), 0],
    ['domain importing a package', src('src/domain/x.ts', "import { distance } from 'fastest-levenshtein';"), 0],
    ['domain importing errors.ts', src('src/domain/x.ts', "import { DataError } from '../errors.js';"), 1],
    ['domain importing agent types', src('src/domain/x.ts', "import type { Notifier } from '../agent/ports.js';"), 1],
    ['another folder importing the store', src('src/agent/x.ts', "import { Store } from '../store/index.js';"), 0],
  ])('%s', (_name, file, count) => {
    expect(breaches([file])).toHaveLength(count);
  });

  it('names the file, the line and the import', () => {
    expect(breaches([src('src/cli/x.ts', "// one\nimport { isBusy } from '../store/db.js';")])).toEqual([
      "src/cli/x.ts:2 imports '../store/db.js' (Slack and the CLI read through agent/reads.ts, not the store)",
    ]);
  });
});

describe('the layers of src/', () => {
  it('reads the whole tree', () => {
    const files = sourcesUnder('src').map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['src/cli/cli.ts', 'src/slack/serve.ts', 'src/domain/report.ts']));
  });

  it('has no import that breaks a wall', () => {
    expect(breaches(sourcesUnder('src'))).toEqual([]);
  });
});
