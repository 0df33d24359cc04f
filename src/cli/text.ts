// Small text helpers for terminal output: clipping, wrapping, plurals.

/** At most `n` characters: a longer text is cut and ends with "…" (never after a dangling space or separator). */
export const clip = (s: string, n: number): string =>
  s.length > n ? `${s.slice(0, Math.max(0, n - 1)).replace(/[\s|_\-/.,·]+$/, '')}…` : s;

/** Words of `text` in lines of at most `width` characters (a longer word keeps a line to itself). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** "1 campaign", "2 campaigns". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Items joined with `sep` in lines of at most `width` characters, broken between items (never inside one). */
export function wrapItems(items: readonly string[], width: number, sep = ' · '): string[] {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    if (line && line.length + sep.length + item.length > width) {
      lines.push(line);
      line = item;
    } else line = line ? `${line}${sep}${item}` : item;
  }
  if (line) lines.push(line);
  return lines;
}
