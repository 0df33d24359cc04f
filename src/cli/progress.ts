// Progress on long runs, on stderr and only for a terminal, so that stdout stays clean for --json.

export function progressReporter(stream: NodeJS.WriteStream) {
  if (!stream.isTTY) return undefined;
  let last = 0;
  return (stage: string, done: number, total: number) => {
    const now = Date.now();
    if (done < total && now - last < 200) return;
    last = now;
    const pct = total > 0 ? ` ${Math.round((done / total) * 100)}%` : '';
    stream.write(done === total ? '\r\x1b[2K' : `\r\x1b[2K${stage}…${pct}`);
  };
}
