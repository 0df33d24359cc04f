// One cycle as a flow of steps under the run lock: the steps run in order, each while the run holds the lock; a
// run refused by the lock runs none of them; a run that fails in a step gives the lock back and is recorded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CycleStep } from '../../src/agent/deps.js';
import type { PlanRow } from '../../src/domain/types.js';
import { RunInProgress } from '../../src/errors.js';
import { Store } from '../../src/store/index.js';
import { campaign, NOW, planRow } from '../domain/builders.js';
import { agentOnFakes, FakePlatform } from '../fakes/platform.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** An agent on a real SQLite file that notes each step it reports, and who held the run lock then. */
async function world(plan: PlanRow[]) {
  const dir = mkdtempSync(join(tmpdir(), 'pacing-cycle-'));
  const store = await Store.open(join(dir, 'p.db'));
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const agent = agentOnFakes({
    store,
    plan,
    google: new FakePlatform('google', [campaign({ spend: 2400 })]),
    now: NOW,
  });
  const steps: { step: CycleStep; ms: number; holder: string | null }[] = [];
  agent.deps.onStep = async (step, ms) =>
    steps.push({ step, ms, holder: (await store.locks.holder('cycle'))?.holder ?? null });
  return { agent, store, steps };
}

describe('a cycle', () => {
  it('runs ingest, reconcile, assess, decide, apply and record in order, each under its own run lock', async () => {
    const w = await world([planRow()]);
    const report = await w.agent.run('test');
    expect(w.steps.map((s) => s.step)).toEqual(['ingest', 'reconcile', 'assess', 'decide', 'apply', 'record']);
    expect(w.steps.every((s) => s.holder === report.runId)).toBe(true);
    for (const s of w.steps) expect(s.ms).toBeGreaterThanOrEqual(0);
    // The lock is given back once the run is done, and what the steps handed on reached the record.
    expect(await w.store.locks.holder('cycle')).toBeNull();
    expect(report.summary).toMatchObject({ rows: 1, byAction: { halt: 1 } });
    expect(report.results[0]).toMatchObject({ action: 'halt', history: { runs: 1, offPlanRuns: 1 } });
  });

  it('carries each campaign’s history from run to run', async () => {
    const w = await world([planRow()]);
    await w.agent.run('test');
    await w.agent.run('test');
    const third = await w.agent.run('test');
    expect(third.results[0]?.history).toMatchObject({ runs: 3, offPlanRuns: 3, chronic: true });
  });

  it('runs no step while another run holds the lock, and leaves that run its lock', async () => {
    const w = await world([planRow()]);
    await w.store.locks.acquire('cycle', 'run-other', NOW);
    await expect(w.agent.run('test')).rejects.toBeInstanceOf(RunInProgress);
    expect(w.steps).toEqual([]);
    expect((await w.store.locks.holder('cycle'))?.holder).toBe('run-other');
  });

  it('gives the lock back and records the failure when a step fails', async () => {
    // No valid tracker row: ingest refuses to go on (Safety guard 8).
    const w = await world([]);
    await expect(w.agent.run('test')).rejects.toThrow(/has no valid row/);
    expect(w.steps).toEqual([]);
    expect(await w.store.locks.holder('cycle')).toBeNull();
    expect(await w.store.audit.list({ type: 'run_failed' })).toHaveLength(1);
  });
});
