// Many rows into one PostgreSQL table with COPY … FROM STDIN (text format): the server reads them as a stream of
// lines instead of parsing a statement with tens of thousands of parameters, about half the time for a run's
// 10,000 results. The rows go over one connection (a transaction's client) in 64 KB messages.
import pg from 'pg';
import type { SqlValue } from './sql.js';

/** What pg's connection offers a query that answers the server's CopyInResponse. */
interface CopyConnection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

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

/** A query that, once the server is ready for COPY's data, sends the lines and ends them. */
class CopyIn extends pg.Query {
  constructor(
    text: string,
    private readonly data: Buffer[],
    callback: (err: Error | undefined) => void,
  ) {
    super({ text }, callback);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    for (const chunk of this.data) connection.sendCopyFromChunk(chunk);
    connection.endCopyFrom();
  }
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
  const data = chunks(rows);
  return new Promise((resolve, reject) => {
    client.query(new CopyIn(text, data, (err) => (err ? reject(err) : resolve())));
  });
}
