// The house's one writer: only the modules of src/agent/effects/ pause and resume campaigns, change budgets, tell
// the notifier, and write escalations, pause intents and the effect log. Everything else decides and sequences; a
// call that changes the world from anywhere else fails here, so the sign on effects/index.ts stays true.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EFFECTS = 'src/agent/effects/';

/** Places outside effects/ that may make one of these calls, each with why: any other is a violation. */
const ALLOWED: readonly { file: string; call: string; why: string }[] = [
  {
    file: 'src/slack/dispatcher.ts',
    call: 'escalations.setMessage',
    why: "the Slack notifier's delivery notes where an escalation's message landed, so its outcome replaces it",
  },
  {
    file: 'src/slack/preview.ts',
    call: 'notifier.runAlerts',
    why: 'renders the messages with a notifier whose outbox is a list: nothing is sent',
  },
  {
    file: 'src/slack/preview.ts',
    call: 'notifier.escalationOpened',
    why: 'renders the messages with a notifier whose outbox is a list: nothing is sent',
  },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/**
 * The code with comments and the text of string, template and regex literals blanked (lengths and line breaks
 * kept, so positions still name lines); a template's `${…}` stays code, since calls happen there too.
 */
function codeOnly(text: string): string {
  const out = text.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  const templates: number[] = []; // brace depth at which each open `${` returns to its template
  let depth = 0;
  let i = 0;
  const inTemplate = () => {
    // Scans template text from i up to its end or to a `${`; returns true when it ended.
    const start = i;
    while (i < text.length) {
      if (text[i] === '\\') i += 2;
      else if (text[i] === '`') {
        blank(start, i);
        i++;
        return;
      } else if (text[i] === '$' && text[i + 1] === '{') {
        blank(start, i);
        i += 2;
        templates.push(depth);
        depth++;
        return;
      } else i++;
    }
    blank(start, i);
  };
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const to = end === -1 ? text.length : end;
      blank(i, to);
      i = to;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const to = end === -1 ? text.length : end + 2;
      blank(i, to);
      i = to;
    } else if (c === "'" || c === '"') {
      const start = ++i;
      while (i < text.length && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      blank(start, i);
      i++;
    } else if (c === '`') {
      i++;
      inTemplate();
    } else if (c === '/' && /[(,=:[!&|?{};]\s*$|^\s*$|\breturn\s*$/.test(text.slice(Math.max(0, i - 40), i))) {
      // A regex literal (it follows an operator, not a value): its text may hold quotes or slashes.
      const start = ++i;
      let inClass = false;
      while (i < text.length && (inClass || text[i] !== '/') && text[i] !== '\n') {
        if (text[i] === '\\') i++;
        else if (text[i] === '[') inClass = true;
        else if (text[i] === ']') inClass = false;
        i++;
      }
      blank(start, i);
      i++;
    } else if (c === '{') {
      depth++;
      i++;
    } else if (c === '}') {
      depth--;
      i++;
      if (templates.length && templates[templates.length - 1] === depth) {
        templates.pop();
        inTemplate();
      }
    } else i++;
  }
  return out.join('');
}

/** The members an interface of src/agent/ports.ts declares (methods and optional methods). */
function interfaceMethods(name: string): string[] {
  const ports = read('src/agent/ports.ts');
  const body = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(ports)?.[1];
  if (!body) throw new Error(`interface ${name} is not in src/agent/ports.ts`);
  return [...codeOnly(body).matchAll(/^\s*(?:readonly\s+)?(\w+)\??\(/gm)].map((m) => m[1] as string);
}

/** The methods of a store class that write: their SQL inserts, updates or deletes. */
function writers(className: string): string[] {
  for (const file of sourceFiles(join(ROOT, 'src/store'))) {
    // Comments go first: a doc comment that says "one UPDATE decides" belongs to no method's SQL.
    const text = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    const start = text.indexOf(`export class ${className} `);
    if (start === -1) continue;
    const end = text.indexOf('\n}', start);
    const methods = text.slice(start, end).split(/\n {2}(?=(?:async\s+)?\w+\(.*\).*\{$)/m);
    return methods
      .filter((m) => /\b(INSERT|UPDATE|DELETE|REPLACE)\b/.test(m))
      .map((m) => /^(?:async\s+)?(\w+)\(/.exec(m)?.[1])
      .filter((n): n is string => n !== undefined && n !== 'constructor');
  }
  throw new Error(`class ${className} is not in src/store`);
}

/** The store's fields whose writes are the agent's actions, with the writing methods of each. */
function guardedStores(): Map<string, string[]> {
  const index = read('src/store/index.ts');
  const guarded = new Map<string, string[]>();
  for (const field of ['escalations', 'pauses', 'effects']) {
    const cls = new RegExp(`readonly ${field}: (\\w+);`).exec(index)?.[1];
    if (!cls) throw new Error(`Store has no field ${field}`);
    guarded.set(field, writers(cls));
  }
  return guarded;
}

const PLATFORM_READS = new Set(['fetchCampaigns', 'currentStatus']);

interface Call {
  file: string;
  line: number;
  call: string;
}

/** Every call in `code` that changes the world: platform writes, notifier calls, guarded store writes. */
function worldChanges(file: string, text: string): Call[] {
  const code = codeOnly(text);
  const lineOf = (at: number) => code.slice(0, at).split('\n').length;
  const calls: Call[] = [];
  const dot = String.raw`\s*(?:\?\.|\.)\s*`;
  const open = String.raw`\s*(?:\?\.)?\s*\(`;
  // A method of the port called on anything but `this` (an implementation calling itself is not a call out).
  const onPort = (port: string, names: string[]) => {
    const re = new RegExp(String.raw`(?<!\bthis)${dot}(${names.join('|')})${open}`, 'g');
    for (const m of code.matchAll(re)) calls.push({ file, line: lineOf(m.index), call: `${port}.${m[1]}` });
  };
  onPort(
    'platform',
    interfaceMethods('PlatformAdapter').filter((n) => !PLATFORM_READS.has(n)),
  );
  onPort('notifier', interfaceMethods('Notifier'));
  for (const [field, names] of guardedStores()) {
    const re = new RegExp(String.raw`\b${field}${dot}(${names.join('|')})${open}`, 'g');
    for (const m of code.matchAll(re)) calls.push({ file, line: lineOf(m.index), call: `${field}.${m[1]}` });
    // A guarded store under another name would hide its writes from the line above: naming one is a call too.
    const alias = new RegExp(
      String.raw`\b(?:const|let|var)\s+(?:\w+\s*=\s*[\w.?]*\.${field}\s*[;,)]|\{[^}]*\b${field}\b[^}]*\}\s*=\s*[\w.?]*\bstore\b)`,
      'g',
    );
    for (const m of code.matchAll(alias)) calls.push({ file, line: lineOf(m.index), call: `${field} (alias)` });
  }
  return calls;
}

/** Files that implement a port may call through to what they wrap (a dry run's inner platform, a tee). */
function implementsPort(text: string): boolean {
  return /\bimplements\s+(?:Notifier|PlatformAdapter)\b/.test(text);
}

function violations(): Call[] {
  const found: Call[] = [];
  for (const abs of sourceFiles(join(ROOT, 'src'))) {
    const file = relative(ROOT, abs).split('\\').join('/');
    const text = readFileSync(abs, 'utf8');
    if (file.startsWith(EFFECTS) || implementsPort(text)) continue;
    found.push(...worldChanges(file, text));
  }
  return found;
}

describe('agent/effects/ is the only writer', () => {
  it('no other file pauses, resumes, notifies or writes escalations, pause intents or the effect log', () => {
    const outside = violations().filter((v) => !ALLOWED.some((a) => a.file === v.file && a.call === v.call));
    expect(outside.map((v) => `${v.file}:${v.line} ${v.call}`)).toEqual([]);
  });

  it('every allowance is still needed, so the list cannot hide a new caller behind an old excuse', () => {
    const found = violations();
    const unused = ALLOWED.filter((a) => !found.some((v) => v.file === a.file && v.call === a.call));
    expect(unused).toEqual([]);
  });

  it('sees the calls the effects make (the scan is not blind)', () => {
    const calls = new Set(
      sourceFiles(join(ROOT, EFFECTS)).flatMap((abs) =>
        worldChanges(relative(ROOT, abs), readFileSync(abs, 'utf8')).map((c) => c.call),
      ),
    );
    for (const c of [
      'platform.pause',
      'platform.resume',
      'platform.setDailyBudget',
      'notifier.alert',
      'notifier.runAlerts',
      'notifier.escalationOpened',
      'notifier.escalationClosed',
      'notifier.campaignResumed',
      'escalations.open',
      'escalations.claim',
      'escalations.settle',
      'escalations.setNote',
      'escalations.dropMember',
      'escalations.addMembers',
      'pauses.record',
      'pauses.settle',
      'effects.record',
    ])
      expect(calls, c).toContain(c);
  });

  it('the rest of src/ reaches the effects through effects/index.ts only, so the folder keeps one door', () => {
    const inner = /from\s+'(?:\.\/|\.\.\/)+(?:agent\/)?effects\/(?!index\.js')[^']*'/g;
    const through = sourceFiles(join(ROOT, 'src'))
      .map((abs) => relative(ROOT, abs).split('\\').join('/'))
      .filter((file) => !file.startsWith(EFFECTS))
      .flatMap((file) => [...read(file).matchAll(inner)].map((m) => `${file}: ${m[0]}`));
    expect(through).toEqual([]);
  });

  it.each([
    ['await deps.notifier.alert(row);', ['notifier.alert']],
    ['await platform?.pause?.(id);', ['platform.pause']],
    ['const r = await adapter.resume(id);', ['platform.resume']],
    ["await adapter?.setDailyBudget?.(id, 90, 'EUR');", ['platform.setDailyBudget']],
    ['deps.store.escalations.claim(id, d, a, at, null);', ['escalations.claim']],
    ['const { store } = deps; store.pauses.record(x);', ['pauses.record']],
    ['const esc = deps.store.escalations; esc.get(id);', ['escalations (alias)']],
    ['const { escalations, runs } = this.deps.store;', ['escalations (alias)']],
    ['const e = deps.store.escalations.get(id);', []],
    // A template's placeholder, spelt in two pieces so that this file's own strings hold none.
    [`const t = \`$${'{await n.escalationOpened(e)} done'}\`;`, ['notifier.escalationOpened']],
    ['this.pause(row); // deps.notifier.alert(row)', []],
    ["const s = 'deps.platform.pause(id)'; /* notifier.alert(r) */", []],
    ['const re = /"x.pause(/; store.escalations.get(id);', []],
    [`const t = \`notifier.alert($${'{"a"})'}\`;`, []],
  ])('reads call sites, not comments or text: %s', (code, expected) => {
    expect(worldChanges('x.ts', code).map((c) => c.call)).toEqual(expected);
  });
});
