// `npx pacing serve` under a supervisor: SIGTERM sent to the process it started (npx) stops the server and frees
// its port, instead of leaving the node child serving behind an npm that has exited.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, ensureBuilt, ROOT } from '../fakes/pacing-cli.js';
import { type SlackWorld, slackWorld } from '../slack/helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether something still listens on the port: binding it fails while it does. */
const inUse = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(true));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
  });

/** Processes whose environment names this test's database (Linux's /proc): the orphaned server, if any. */
function serversOf(db: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`PACING_DB=${db}`))
        pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

let world: SlackWorld;
beforeAll(async () => {
  await ensureBuilt();
  world = await slackWorld();
});
afterAll(async () => {
  await world?.cleanup();
});

describe('npx pacing serve', () => {
  it('stops on SIGTERM to npx: the port is freed and the exit is clean', async () => {
    // From the project's folder, as an operator (or a process manager) would start it.
    const child = spawn('npx', ['--no-install', 'pacing', 'serve'], {
      cwd: ROOT,
      env: { ...cleanEnv(world.env), npm_config_update_notifier: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const s of [child.stdout, child.stderr]) s.setEncoding('utf8').on('data', (d: string) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (!output.includes('is listening on port') && Date.now() < deadline && child.exitCode === null)
      await sleep(100);
    expect(output).toContain(`is listening on port ${world.port}`);
    expect(await inUse(world.port)).toBe(true);

    child.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(15_000).then(() => 'timeout' as const)]);
    let freed = false;
    for (let i = 0; i < 100 && !freed; i++) {
      freed = !(await inUse(world.port));
      if (!freed) await sleep(100);
    }
    // On failure the server outlives npx: end it (found by its database) so it does not outlive the test too.
    if (!freed) for (const pid of serversOf(world.env.PACING_DB as string)) process.kill(pid, 'SIGKILL');
    expect(freed, `port ${world.port} still in use after SIGTERM. Output:\n${output}`).toBe(true);
    expect(code).not.toBe('timeout');
  }, 60_000);
});
