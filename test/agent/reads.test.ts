// The read facade Slack and the CLI answer from, over a real fixture run on a real SQLite file: every read they
// need is here, it agrees with what the run wrote, and a read-only app gets no store to reach past it.
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { RunReport } from '../../src/agent/cycle.js';
import { loadConfig } from '../../src/config.js';
import { openReader, type ReadApp } from '../../src/open.js';
import type { AgentApp, App } from '../../src/wiring.js';
import { RecordingNotifier } from '../fakes/platform.js';
import { type FixtureWorld, fixtureWorld, later, NOW } from '../slack/fixture-app.js';

let world: FixtureWorld;
let app: App;
let first: RunReport;
let second: RunReport;

beforeAll(async () => {
  world = fixtureWorld();
  app = await world.open(new RecordingNotifier());
  first = await app.agent.run('test');
  second = await (await world.open(new RecordingNotifier(), later(1))).agent.run('test');
});

afterAll(() => world?.cleanup());

describe('Reads', () => {
  it('names the escalations a run opened, and none that a later run only found open', async () => {
    const opened = await app.reads.openedIn(first.runId);
    expect(opened.size).toBeGreaterThan(0);
    expect([...opened].sort()).toEqual((await app.reads.pending()).map((e) => e.id).sort());
    expect(await app.reads.openedIn(second.runId)).toEqual(new Set());
    expect(await app.reads.openedIn('run-that-never-was')).toEqual(new Set());
  });

  it('reads one escalation by id, null for an unknown one', async () => {
    const [question] = await app.reads.pending();
    expect(question).toMatchObject({ status: 'pending' });
    expect(await app.reads.escalation(question?.id ?? '')).toEqual(question);
    expect(await app.reads.escalation('esc-unknown')).toBeNull();
  });

  it("finds the latest run's row for a platform campaign", async () => {
    const m005 = await app.reads.campaignFor('meta', '23851200000000005');
    expect(m005).toMatchObject({ campaignId: 'ACM-M-005', platform: 'meta', platformCampaignId: '23851200000000005' });
    expect((await app.reads.latest())?.run.id).toBe(second.runId);
    expect((await app.reads.latest())?.results).toContainEqual(m005);
    // The same id on the other platform is another campaign.
    expect(await app.reads.campaignFor('google', '23851200000000005')).toBeNull();
  });

  it('lists and counts the audit trail the way the run wrote it', async () => {
    const events = await app.reads.audit({ type: 'escalation_opened', runId: first.runId });
    expect(new Set(events.map((e) => e.details.escalationId))).toEqual(await app.reads.openedIn(first.runId));
    expect(await app.reads.audit({ type: 'escalation_opened', runId: first.runId, limit: 1 })).toHaveLength(1);
    const all = await app.reads.auditCounts();
    expect(all.escalation_opened).toBe((await app.reads.audit({ type: 'escalation_opened' })).length);
    expect(all.run_started).toBe(2);
    // Counted in (since, until]: nothing before the first run, only the second run's start between the two.
    expect(await app.reads.auditCounts(null, later(-1))).toEqual({});
    expect((await app.reads.auditCounts(later(0.5), later(2))).run_started).toBe(1);
  });

  it('says who holds the run lock, and nothing once it is released', async () => {
    expect(await app.reads.runLock()).toBeNull();
    const at = new Date(NOW).toISOString();
    // Taken as a run takes it (acquire answers null when it got the lock).
    expect(await app.store.locks.acquire('cycle', 'run-held-by-test', at)).toBeNull();
    try {
      expect(await app.reads.runLock()).toEqual({ holder: 'run-held-by-test', pid: process.pid, acquiredAt: at });
    } finally {
      await app.store.locks.release('cycle', 'run-held-by-test');
    }
    expect(await app.reads.runLock()).toBeNull();
  });

  it('gives the digest its runs and decisions in their windows', async () => {
    expect((await app.reads.runsCompletedSince(null)).map((r) => r.id)).toEqual([first.runId, second.runId]);
    expect(await app.reads.latestCompletedBy(later(-1))).toBeNull();
    expect((await app.reads.results(first.runId)).length).toBe(first.results.length);
    expect(await app.reads.decidedSince(null)).toEqual([]);
  });
});

describe('a read-only app', () => {
  it('carries the settings and the reads, and no store', async () => {
    const reader = await openReader(
      loadConfig({ PACING_DATA_DIR: `${world.dir}/data`, PACING_DB: world.db, PACING_NOW: NOW }),
    );
    try {
      expect(Object.keys(reader).sort()).toEqual(['close', 'config', 'reads']);
      expect((await reader.reads.latest())?.run.id).toBe(second.runId);
    } finally {
      await reader.close();
    }
    expectTypeOf<ReadApp>().not.toHaveProperty('store');
  });

  it("is what Slack's handlers and the CLI's commands get too: the agent and its reads, no store", () => {
    expectTypeOf<AgentApp>().not.toHaveProperty('store');
    expectTypeOf<AgentApp['reads']>().toEqualTypeOf<ReadApp['reads']>();
  });
});
