// The scheduled digest from outside the process: a real `node dist/cli/bin.js serve` child whose digest schedule
// fires every 2 seconds posts the digest to the fake Slack Web API and, right after it, uploads the chart PNG
// with the external upload flow (vega, vega-lite and resvg loaded by the built app, on first use), then stops
// cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectingNotifier } from '../../src/cli/notifier.js';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/wiring.js';
import { BIN, cleanEnv, ensureBuilt } from '../fakes/pacing-cli.js';
import type { RecordedCall } from '../fakes/slack-api.js';
import { CHANNELS, type SlackWorld, slackWorld } from '../slack/helpers.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const ok = (c: RecordedCall) => (c.response as { ok?: boolean } | undefined)?.ok === true;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let world: SlackWorld;

beforeAll(async () => {
  await ensureBuilt();
  world = await slackWorld({ PACING_DIGEST_CRON: '*/2 * * * * *', LOG_LEVEL: 'info' });
  // A run made before Slack was configured, so the digest has a latest run to report and chart.
  const offline = await createApp(loadConfig({ ...world.env, SLACK_BOT_TOKEN: '' }), new CollectingNotifier());
  await offline.agent.run('cli');
  await offline.close();
});

afterAll(async () => {
  await world?.cleanup();
});

describe('pacing serve: the scheduled digest', () => {
  it('posts the digest, uploads its chart to the digest channel right after it, and stops cleanly', async () => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      cwd: world.dir,
      env: cleanEnv(world.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      output += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (world.fake.files.length === 0 && Date.now() < deadline && child.exitCode === null) await sleep(100);
      if (world.fake.files.length === 0) throw new Error(`no chart was uploaded. Output:\n${output}`);

      const digests = world.fake.callsTo('chat.postMessage').filter((c) => c.body.channel === CHANNELS.digest && ok(c));
      expect(digests.length).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(digests[0]?.body.blocks)).toContain('*Money at stake*');
      const file = world.fake.files[0];
      expect(file?.channel).toBe(CHANNELS.digest);
      expect(file?.bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect(file?.bytes.readUInt32BE(16)).toBeGreaterThan(1_000); // width, from the PNG header
      expect(Number(file?.ts)).toBeGreaterThan(Number((digests[0]?.response as { ts?: string } | undefined)?.ts));
      expect(output).not.toContain('could not render the digest chart');
    } finally {
      child.kill('SIGTERM');
      const code = await Promise.race([exited, sleep(10_000).then(() => 'timeout' as const)]);
      if (code === 'timeout') child.kill('SIGKILL');
      expect(code).toBe(0);
    }
  });
});
