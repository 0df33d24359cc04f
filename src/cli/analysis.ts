// The analyst's note in `status <campaign>`: marked as a model's, with the model's name, wrapped to the terminal.
import type { Explanation } from '../domain/explanation.js';
import { wrap } from './text.js';

const WIDTH = 76;

export function analysisLines(x: Explanation): string[] {
  const indented = (text: string, first: string) =>
    wrap(text, WIDTH - 6).map((l, i) => (i === 0 ? `${first}${l}` : `      ${l}`));
  return [
    `  analysis          by ${x.model} (a model's note, checked against the figures; it decided nothing)`,
    ...indented(x.summary, '    '),
    ...x.causes.flatMap((c) => indented(`${c.text} [${c.evidence.join(', ')}]`, '    - ')),
    ...indented(`Next: ${x.nextStep}`, '    '),
  ];
}
