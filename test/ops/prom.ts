// Reads Prometheus text format (what /metrics answers) into samples and declared metric types, for assertions.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** `# TYPE` declarations: metric family name → counter | gauge | histogram | summary | untyped. */
  types: Map<string, string>;
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (name && type) types.set(name, type);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1] as string, labels, value: Number(m[4]) });
  }
  return { samples, types };
}

/** The one sample of `name` whose labels include `labels`; throws when there is none or more than one. */
export function value(exp: Exposition, name: string, labels: Record<string, string> = {}): number {
  const found = exp.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length !== 1)
    throw new Error(
      `${found.length} samples of ${name}${JSON.stringify(labels)}; have ${exp.samples
        .filter((s) => s.name === name)
        .map((s) => JSON.stringify(s.labels))
        .join(' ')}`,
    );
  return (found[0] as Sample).value;
}

/** Every sample of `name`, labels → value. */
export function series(exp: Exposition, name: string): Sample[] {
  return exp.samples.filter((s) => s.name === name);
}
