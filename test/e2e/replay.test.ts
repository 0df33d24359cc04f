// `pacing replay` end to end: three runs of the bundled demo (PACING_NOW stepping forward), then the stored runs
// decided again under other settings by the real CLI process, with the database file unchanged byte for byte.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, pacing, pacingJson, type RunDoc, type Workspace, workspace } from '../fakes/pacing-cli.js';

type Counts = Record<'log' | 'alert' | 'escalate' | 'halt', number>;
interface ReplayDoc {
  runs: {
    runId: string;
    startedAt: string;
    then: Counts;
    now: Counts;
    changed: {
      campaignId: string | null;
      platformCampaignId: string | null;
      then: string;
      now: string;
      reason: string;
      atStake: number;
    }[];
  }[];
  settings: Record<string, unknown>;
  skipped: { runId: string; startedAt: string; reason: string }[];
}

const TIMES = ['2026-11-20T09:00:00Z', '2026-11-20T11:00:00Z', '2026-11-20T13:00:00Z'];
const spaces: Workspace[] = [];
const ws = (env: Record<string, string> = {}) => {
  const w = workspace(env);
  spaces.push(w);
  return w;
};
afterAll(() => {
  for (const w of spaces) w.cleanup();
});

const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const replay = (w: Workspace, args: string[] = [], env: Record<string, string> = {}) =>
  pacingJson<ReplayDoc>(w, ['replay', ...args], env);

let demo: Workspace;
const runs: RunDoc[] = [];
beforeAll(async () => {
  await ensureBuilt();
  demo = ws();
  for (const now of TIMES) runs.push(await pacingJson<RunDoc>(demo, ['run'], { PACING_NOW: now }));
}, 120_000);

describe('pacing replay on the demo after three runs', () => {
  it('turns every autonomous pause into a question at CONFIDENCE_THRESHOLD=101, writing nothing', async () => {
    const before = hash(demo.db);
    const doc = await replay(demo, ['--set', 'CONFIDENCE_THRESHOLD=101']);
    expect(hash(demo.db)).toBe(before);
    // Read-only: no write-ahead log holds anything either.
    const wal = `${demo.db}-wal`;
    if (existsSync(wal)) expect(statSync(wal).size).toBe(0);

    expect(doc.settings).toEqual({ CONFIDENCE_THRESHOLD: 101 });
    expect(doc.runs.map((r) => r.runId)).toEqual(runs.map((r) => r.runId));
    for (const [i, r] of doc.runs.entries()) {
      const halted = (runs[i] as RunDoc).results.filter((x) => x.action === 'halt');
      expect(halted.length).toBeGreaterThan(0);
      expect(r.then.halt).toBe(halted.length);
      expect(r.now.halt).toBe(0);
      const becomes = new Map(r.changed.map((c) => [c.campaignId, c.now]));
      for (const h of halted) expect(becomes.get(h.campaignId)).toBe('escalate');
    }
  });

  it('alerts the under-delivery halts with UNDERSPEND_ACTION=alert, and only those', async () => {
    const before = hash(demo.db);
    const doc = await replay(demo, ['--set', 'UNDERSPEND_ACTION=alert']);
    expect(hash(demo.db)).toBe(before);
    for (const [i, r] of doc.runs.entries()) {
      const under = (runs[i] as RunDoc).results
        .filter((x) => x.action === 'halt' && !x.zeroDelivery && (x.variancePct ?? 0) < -25)
        .map((x) => x.campaignId);
      expect(under.length).toBeGreaterThan(0);
      expect(r.changed.map((c) => [c.campaignId, c.then, c.now])).toEqual(under.map((id) => [id, 'halt', 'alert']));
      expect(r.now.halt).toBe(r.then.halt - under.length);
    }
  });

  it('changes nothing under the settings the runs had, and lists the latest n runs or those since a day', async () => {
    const all = await replay(demo);
    expect(all.settings).toEqual({});
    expect(all.runs).toHaveLength(3);
    for (const r of all.runs) {
      expect(r.changed).toEqual([]);
      expect(r.now).toEqual(r.then);
    }
    const last = await replay(demo, ['--runs', '1']);
    expect(last.runs.map((r) => r.runId)).toEqual([runs[2]?.runId]);
    expect((await replay(demo, ['--since', '2026-11-20'])).runs).toHaveLength(3);
    expect((await replay(demo, ['--since', '2026-11-21'])).runs).toHaveLength(0);
  });

  it.each([
    ['CONFIDENCE_THRESHOLD', '101'],
    ['CONFIDENCE_THRESHOLD', '60'],
    ['MAX_AUTONOMOUS_HALTS', '1'],
    ['UNDERSPEND_ACTION', 'alert'],
    ['WARNING_VARIANCE_THRESHOLD', '45'],
    ['DATA_FAULT_SHARE', '0.05'],
    ['ZERO_DELIVERY_ANY_CONFIDENCE', 'true'],
  ])('agrees campaign by campaign with a first run made with %s=%s', async (name, value) => {
    const direct = await pacingJson<RunDoc>(ws(), ['run'], { PACING_NOW: TIMES[0] as string, [name]: value });
    const doc = await replay(demo, ['--set', `${name}=${value}`]);
    const first = doc.runs[0];
    const now = new Map((runs[0] as RunDoc).results.map((r) => [r.campaignId ?? r.platformCampaignId, r.action]));
    for (const c of first?.changed ?? [])
      now.set(c.campaignId ?? c.platformCampaignId, c.now as RunDoc['results'][number]['action']);
    expect(Object.fromEntries(now)).toEqual(
      Object.fromEntries(direct.results.map((r) => [r.campaignId ?? r.platformCampaignId, r.action])),
    );
  });

  it('prints the counts then and now and the changes, most at stake first', async () => {
    const out = await pacing(demo, ['replay', '--set', 'CONFIDENCE_THRESHOLD=101', '--runs', '1']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('CONFIDENCE_THRESHOLD=101');
    expect(out.stdout).toMatch(/then\s+\d+\s+\d+\s+\d+\s+\d+/);
    expect(out.stdout).toMatch(/now\s+\d+\s+\d+\s+\d+\s+0\n/);
    const doc = await replay(demo, ['--set', 'CONFIDENCE_THRESHOLD=101', '--runs', '1']);
    const order = (doc.runs[0]?.changed ?? []).map((c) => out.stdout.indexOf(`- ${c.campaignId} `));
    expect(order.every((at) => at > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});

describe('pacing replay remembers what people decided between runs', () => {
  it('keeps a rejected pause and a resumed campaign from being paused, as the later run did', async () => {
    const w = ws();
    const first = await pacingJson<RunDoc>(w, ['run'], { PACING_NOW: TIMES[0] as string });
    const asked = first.results.find((r) => r.campaignId === 'ACM-M-005');
    expect(asked?.action).toBe('escalate');
    // Minutes apart: the demo's Meta data turns 24 h old (too old to act on alone) by late morning.
    const at = { PACING_NOW: '2026-11-20T09:10:00Z' };
    const rejected = await pacing(
      w,
      ['reject', asked?.escalationId as string, '--user', 'U0LEAD', '--reason', 'launch'],
      at,
    );
    expect(rejected.code, rejected.stderr).toBe(0);
    const resumed = await pacing(w, ['resume-campaign', 'ACM-G-004', '--user', 'U0LEAD'], at);
    expect(resumed.code, resumed.stderr).toBe(0);
    const second = await pacingJson<RunDoc>(w, ['run'], { PACING_NOW: '2026-11-20T09:20:00Z' });
    expect(second.results.find((r) => r.campaignId === 'ACM-G-004')?.action).toBe('alert');

    const same = await replay(w);
    expect(same.runs.map((r) => r.changed)).toEqual([[], []]);

    // At 60 the matrix would pause ACM-M-005 (confidence 66.67): in the first run nobody had said no yet.
    const lower = await replay(w, ['--set', 'CONFIDENCE_THRESHOLD=60']);
    const m005 = (i: number) => lower.runs[i]?.changed.find((c) => c.campaignId === 'ACM-M-005');
    expect(m005(0)?.now).toBe('halt');
    expect(m005(1)?.now).toBe('alert');
    expect(m005(1)?.reason).toContain('a pause was rejected by U0LEAD');
    expect(lower.runs[1]?.changed.find((c) => c.campaignId === 'ACM-G-004')).toBeUndefined();
  }, 60_000);
});

describe('pacing replay refuses what it cannot do', () => {
  it.each([
    [
      ['--set', 'CONFIDENCE_TRESHOLD=60'],
      /Unknown setting CONFIDENCE_TRESHOLD \(did you mean CONFIDENCE_THRESHOLD\?\)/,
    ],
    [['--set', 'CONFIDENCE_THRESHOLD=high'], /CONFIDENCE_THRESHOLD must be a decimal number \(got "high"\)/],
    [['--set', 'CONFIDENCE_THRESHOLD=102'], /CONFIDENCE_THRESHOLD must be a number from 0 to 101/],
    [['--set', 'UNDERSPEND_ACTION=pause'], /UNDERSPEND_ACTION/],
    [['--set', 'PACING_DB=/tmp/x.db'], /PACING_DB is not a decision or guard setting/],
    [['--set', 'CONFIDENCE_THRESHOLD'], /KEY=VALUE/],
    [['--set', 'HEALTHY_VARIANCE_THRESHOLD=30'], /HEALTHY_VARIANCE_THRESHOLD \(30\) must not exceed/],
    [['--runs', '0'], /--runs takes a whole number/],
    [['--since', '2026-02-30'], /--since takes a date as YYYY-MM-DD/],
  ])('%j exits 2 naming it', async (args, message) => {
    const before = hash(demo.db);
    const out = await pacing(demo, ['replay', ...args, '--json']);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(message);
    expect(hash(demo.db)).toBe(before);
  });

  it.each([
    [{}, ['--set', 'WARNING_VARIANCE_THRESHOLD=40', '--set', 'HEALTHY_VARIANCE_THRESHOLD=30']],
    [{}, ['--set', 'HEALTHY_VARIANCE_THRESHOLD=30', '--set', 'WARNING_VARIANCE_THRESHOLD=40']],
    [{ WARNING_VARIANCE_THRESHOLD: '40' }, ['--set', 'HEALTHY_VARIANCE_THRESHOLD=30']],
  ])('checks HEALTHY ≤ WARNING on the merged values (env %j, %j)', async (env, args) => {
    const doc = await replay(demo, [...args, '--runs', '1'], env);
    expect(doc.settings.HEALTHY_VARIANCE_THRESHOLD).toBe(30);
    expect(doc.runs).toHaveLength(1);
  });

  it('says when --since leaves no run, and which run is the latest', async () => {
    const out = await pacing(demo, ['replay', '--since', '2027-01-01']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('No run started on or after 2027-01-01 (latest: 2026-11-20 13:00 UTC).');
    expect(out.stdout).not.toContain('Start one with');
  });

  it('counts each campaign once in the heading, with the decisions over the runs', async () => {
    const out = await pacing(demo, ['replay', '--set', 'CONFIDENCE_THRESHOLD=101']);
    const doc = await replay(demo, ['--set', 'CONFIDENCE_THRESHOLD=101']);
    const campaigns = new Set(doc.runs.flatMap((r) => r.changed.map((c) => c.campaignId ?? c.platformCampaignId)));
    const decisions = doc.runs.reduce((n, r) => n + r.changed.length, 0);
    expect(campaigns.size).toBeLessThan(decisions);
    expect(out.stdout).toContain(`${campaigns.size} campaigns would change (${decisions} decisions over 3 runs).`);
  });

  it('takes --set, --runs and --since for replay only', async () => {
    const out = await pacing(demo, ['status', '--set', 'CONFIDENCE_THRESHOLD=60']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--set is for replay');
  });

  it('answers without creating a database when there is none', async () => {
    const empty = ws();
    const doc = await replay(empty);
    expect(doc).toEqual({ runs: [], settings: {}, skipped: [] });
    expect(existsSync(empty.db)).toBe(false);
  });

  it('says which runs it could not replay and why', async () => {
    const old = ws();
    const made: RunDoc[] = [];
    for (const now of [...TIMES, '2026-11-20T15:00:00Z'])
      made.push(await pacingJson<RunDoc>(old, ['run'], { PACING_NOW: now }));
    const db = new Database(old.db);
    // The first run as an earlier version stored it (without the account's time zone and the data's fetch time)…
    const rows = db.prepare('SELECT rowid, data FROM results WHERE run_id = ?').all(made[0]?.runId) as {
      rowid: number;
      data: string;
    }[];
    const update = db.prepare('UPDATE results SET data = ? WHERE rowid = ?');
    for (const r of rows) update.run(JSON.stringify((JSON.parse(r.data) as unknown[]).slice(0, 32)), r.rowid);
    // …and the second run's rows pruned by retention.
    db.prepare('DELETE FROM results WHERE run_id = ?').run(made[1]?.runId);
    // …and the third's rows as the first versions stored them, whole objects, from before the fetch time was kept.
    const whole = db.prepare('UPDATE results SET data = ? WHERE run_id = ? AND key = ?');
    for (const { fetchedAt: _, ...r } of (made[2]?.results ?? []) as (RunDoc['results'][number] & {
      key: string;
      fetchedAt: string | null;
    })[])
      whole.run(JSON.stringify(r), made[2]?.runId, r.key);
    db.close();
    const doc = await replay(old, ['--set', 'CONFIDENCE_THRESHOLD=101']);
    expect(doc.runs.map((r) => r.runId)).toEqual([made[3]?.runId]);
    expect(doc.skipped).toEqual([
      {
        runId: made[0]?.runId,
        startedAt: '2026-11-20T09:00:00.000Z',
        reason: 'its rows were stored by an earlier version, without timeZone, fetchedAt',
      },
      {
        runId: made[1]?.runId,
        startedAt: '2026-11-20T11:00:00.000Z',
        reason: 'its results are no longer stored (RESULTS_RETENTION_DAYS)',
      },
      {
        runId: made[2]?.runId,
        startedAt: '2026-11-20T13:00:00.000Z',
        reason: 'its rows were stored by an earlier version, without fetchedAt',
      },
    ]);
    const text = await pacing(old, ['replay']);
    expect(text.stdout).toContain('Not replayed (3):');
    expect(text.stdout).toContain(
      `${made[0]?.runId} (2026-11-20 09:00 UTC): its rows were stored by an earlier version`,
    );
  }, 60_000);
});
