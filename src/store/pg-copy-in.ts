// Many rows into one PostgreSQL table with COPY … FROM STDIN (text format): the server reads them as a stream of
// lines instead of parsing a statement with tens of thousands of parameters, about half the time for a run's
// 10,000 results. The rows go over one connection (a transaction's client) in 64 KB messages, through
// pg-copy-streams, which speaks COPY's sub-protocol on pg's own connection.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SqlValue } from './sql.js';

const CHUNK = 64 * 1024;
const SPECIAL = /[\\\n\r\t]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One value as COPY's text format reads it: \N for null, the four special characters escaped, bytes as hex. */
export function copyField(value: SqlValue): string {
  if (value === null) return '\\N';
  if (value instanceof Uint8Array)
    return `\\\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  const text = String(value);
  return SPECIAL.test(text) ? text.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c] as string) : text;
}

/** The rows as COPY's lines, in messages of about CHUNK bytes. */
function chunks(rows: readonly (readonly SqlValue[])[]): Buffer[] {
  const out: Buffer[] = [];
  let lines: string[] = [];
  let size = 0;
  for (const row of rows) {
    const line = `${row.map(copyField).join('\t')}\n`;
    lines.push(line);
    size += line.length;
    if (size >= CHUNK) {
      out.push(Buffer.from(lines.join('')));
      lines = [];
      size = 0;
    }
  }
  if (lines.length) out.push(Buffer.from(lines.join('')));
  return out;
}

/** Copies `rows` into `table` over `client`; the rows land together (in the client's transaction, if any). */
export function copyRows(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly SqlValue[])[],
): Promise<void> {
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const text = `COPY ${quote(table)} (${columns.map(quote).join(', ')}) FROM STDIN`;
  return pipeline(Readable.from(chunks(rows)), client.query(copyFrom(text)));
}
