// `pacing run` pages as `serve` does: the real CLI process against the fake PagerDuty Events API. The bundled
// outage scenario (a whole Google account reporting no delivery) is held as one batch question: one storm incident,
// and a second run over the same data opens no second one.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, FIXTURES, pacing, type Workspace, workspace } from '../fakes/pacing-cli.js';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty.js';

const KEY = 'R0UTINGKEY0123456789ABCDEFGHIJKL';
let fake: FakePagerDuty;
let ws: Workspace;

beforeAll(async () => {
  await ensureBuilt();
  fake = await startFakePagerDuty();
  ws = workspace({ PAGERDUTY_ROUTING_KEY: KEY, PAGERDUTY_EVENTS_URL: fake.url });
  cpSync(join(FIXTURES, 'outage'), ws.dataDir, { recursive: true });
}, 60_000);

afterAll(async () => {
  ws?.cleanup();
  await fake?.close();
});

describe('pacing run with PAGERDUTY_ROUTING_KEY', () => {
  it('triggers one storm incident, and a repeated run opens no second one', async () => {
    const first = await pacing(ws, ['run', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const triggers = fake.accepted().filter((e) => e.event_action === 'trigger');
    expect(triggers.map((e) => String(e.dedup_key))).toEqual([expect.stringMatching(/^pacing:storm:esc-/)]);
    expect(fake.alerts).toHaveLength(1);
    expect(fake.alerts[0]?.status).toBe('triggered');

    const second = await pacing(ws, ['run', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(fake.accepted().filter((e) => e.event_action === 'trigger')).toHaveLength(1);
    expect(fake.alerts).toHaveLength(1);
    // The routing key is a secret: never printed.
    expect(first.stdout + first.stderr + second.stdout + second.stderr).not.toContain(KEY);
  }, 60_000);
});
