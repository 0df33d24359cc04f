// --json prints one document: indented while small, compact once it passes COMPACT_JSON_CHARS.
import { describe, expect, it } from 'vitest';
import { COMPACT_JSON_CHARS, json } from '../../src/cli/commands.js';

const capture = () => {
  const out: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: () => {} }, out };
};

describe('json', () => {
  it('indents a small document', () => {
    const { io, out } = capture();
    json(io, { runId: 'run-1', results: [{ a: 1 }] });
    expect(out).toEqual([JSON.stringify({ runId: 'run-1', results: [{ a: 1 }] }, null, 2)]);
  });

  it('prints a large one compact, the same document', () => {
    const results = Array.from({ length: Math.ceil(COMPACT_JSON_CHARS / 20) }, (_, i) => ({
      campaignId: `C-${i}`,
      v: i,
    }));
    const { io, out } = capture();
    json(io, { results });
    expect(out).toHaveLength(1);
    expect(out[0]).not.toContain('\n');
    expect(JSON.parse(out[0] as string)).toEqual({ results });
  });
});
