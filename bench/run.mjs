// `npm run bench`: full pacing cycles at scale, in process, on generated data with a known truth.
//
// Generates BENCH_ROWS tracker rows and as many platform campaigns (default 10,000) into a temporary folder,
// runs one first cycle (it escalates and pauses) and BENCH_CYCLES measured cycles (default 5) on the same
// database, then shows that settled escalation threads are pruned after the retention. Prints human-readable
// lines first and, as its last line, one JSON object:
//   { "campaigns", "cycleMs", "matchAccuracy", "comparisons", "checkpointBytesPerCycle", "replay", "startup" }
// then the start-up figures of bench/startup.mjs (BENCH_STARTUP=0 skips them).
// cycleMs is the median of the measured cycles; matchAccuracy and comparisons come from the first cycle.
//
// `replay` times `pacing replay --json` over BENCH_REPLAY_RUNS stored runs (default 30; more cycles are run until that
// many are stored), as a process of its own (start-up and output included).
//
// Environment: BENCH_ROWS, BENCH_CYCLES, BENCH_SEED, BENCH_KEEP=1 (keep the temporary folder),
// BENCH_PRUNE=0 (skip the retention check), BENCH_BUDGET_ACTIONS (off, the app's default | ask | auto),
// BENCH_REPLAY_RUNS (0 skips the replay figure).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { loadConfig } from '../dist/config.js';
import { createApp } from '../dist/wiring.js';
import { writeDataset } from './generate.mjs';
import { startupBench } from './startup.mjs';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 5);
const SEED = Number(process.env.BENCH_SEED ?? 20261120);
const NOW = '2026-11-20T09:00:00Z';
// The budget lever as the app's default has it (proposals and pools worked out and shown); `ask` or `auto` to
// measure asking about them too.
const BUDGET_ACTIONS = process.env.BENCH_BUDGET_ACTIONS ?? 'off';
const REPLAY_RUNS = Number(process.env.BENCH_REPLAY_RUNS ?? 30);
const TARGETS = { cycleMs: 500, matchAccuracy: 0.999, checkpointBytesPerCycle: 2 * 1024 * 1024, replayMs: 10_000 };
const STAGES = [
  'catch_up',
  'ingest',
  'reconcile',
  'assess',
  'decide',
  'apply',
  'record',
  'escalation_threads',
  'prune',
];

const gc = globalThis.gc ?? (() => {});
const log = (line = '') => process.stdout.write(`${line}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => `${x.toFixed(1)} ms`;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

// ---------------------------------------------------------------- memory: peak RSS (kernel) and sampled heap
let heapPeak = 0;
const sampleHeap = () => {
  const used = getHeapStatistics().used_heap_size;
  if (used > heapPeak) heapPeak = used;
};
const sampler = setInterval(sampleHeap, 5);
sampler.unref();

// ---------------------------------------------------------------- data
const dir = mkdtempSync(join(tmpdir(), 'pacing-bench-'));
const dataDir = join(dir, 'data');
const dbPath = join(dir, 'bench.db');
const t = performance.now();
const data = writeDataset(dataDir, { rows: ROWS, seed: SEED, now: NOW });
const truth = data.truth;
log(
  `Pacing Agent benchmark — ${ROWS.toLocaleString('en-US')} tracker rows, ${data.stats.platformCampaigns.toLocaleString('en-US')} platform campaigns (google ${data.stats.google}, meta ${data.stats.meta}), seed ${SEED}`,
);
log(`data: ${dataDir} (generated in ${ms(performance.now() - t)}); database: ${dbPath}`);
log(
  `truth: ${data.stats.matchedTruth} matchable rows (${data.stats.pinned} pinned, ${data.stats.noisyNames} noisy platform names = ${((data.stats.noisyNames / data.stats.platformCampaigns) * 100).toFixed(1)} %), ` +
    `${data.stats.unmatchedTruth} rows without a campaign, ${data.stats.orphansTruth} orphans, ${data.stats.zeroSpendUnplanned} unplanned drafts without spend`,
);
log(
  `noise kinds: ${Object.entries(data.stats.noiseKinds)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
);
log(
  `other signals: ${data.stats.metadataNoise} metadata mismatches, ${data.stats.stale} stale, ${data.stats.paused} paused, ${data.stats.zeroDelivery} zero delivery, ${data.stats.currencyMismatch} currency mismatches`,
);

// ---------------------------------------------------------------- app with instrumentation
const counts = { alerts: 0, opened: 0, closed: 0 };
/** Questions opened, by what they propose (budget and rebalance are the budget lever's). */
const openedBy = {};
const notifier = {
  alert: async () => void counts.alerts++,
  runAlerts: async (_runId, rows) => {
    counts.alerts += rows.length;
  },
  escalationOpened: async (e) => {
    counts.opened++;
    openedBy[e.proposedAction] = (openedBy[e.proposedAction] ?? 0) + 1;
  },
  escalationClosed: async () => void counts.closed++,
};

/** Per-cycle timings, filled by the wrappers below. */
let cur = null;
const newTimings = () => ({
  stages: Object.fromEntries(STAGES.map((s) => [s, 0])),
  pauses: 0,
  pauseMs: 0,
  appends: 0,
  appendMs: 0,
  threads: 0,
});

async function open(env) {
  const config = loadConfig({ PACING_DATA_DIR: dataDir, PACING_DB: dbPath, PACING_NOW: NOW, BUDGET_ACTIONS, ...env });
  const app = await createApp(config, notifier, () => sampleHeap());
  const agent = app.agent;
  // Instrumentation reaches into the agent's graphs; if their names change, that stage is just not timed.
  const timed = (obj, method, onDone) => {
    if (typeof obj?.[method] !== 'function') return;
    const orig = obj[method].bind(obj);
    obj[method] = async (...args) => {
      const s = performance.now();
      try {
        return await orig(...args);
      } finally {
        if (cur) onDone(performance.now() - s);
      }
    };
  };
  timed(agent, 'catchUp', (d) => (cur.stages.catch_up += d));
  timed(agent, 'pruneThreads', (d) => (cur.stages.prune += d));
  // Escalation threads are graphs of their own, started after the cycle's steps: each invoke is one thread started, resumed or expired.
  timed(agent.escalationGraph, 'invoke', (d) => {
    cur.stages.escalation_threads += d;
    cur.threads++;
  });
  for (const p of agent.deps.platforms.values()) {
    timed(p, 'pause', (d) => {
      cur.pauses++;
      cur.pauseMs += d;
    });
  }
  const append = app.store.audit.append.bind(app.store.audit);
  app.store.audit.append = async (e) => {
    const s = performance.now();
    await append(e);
    if (cur) {
      cur.appends++;
      cur.appendMs += performance.now() - s;
    }
  };
  // Step timings of the cycle, as the agent reports them.
  agent.deps.onStep = (step, d) => {
    sampleHeap();
    if (cur && STAGES.includes(step)) cur.stages[step] += d;
  };
  return app;
}

function checkpointBytesWithIndexes(db) {
  return db
    .prepare(
      `SELECT COALESCE(SUM(d.pgsize), 0) AS bytes FROM dbstat d JOIN sqlite_schema m ON d.name = m.name
       WHERE m.tbl_name IN ('checkpoints', 'writes')`,
    )
    .get().bytes;
}
const threadCount = (db) => {
  try {
    return db.prepare('SELECT COUNT(DISTINCT thread_id) AS n FROM checkpoints').get().n;
  } catch {
    return 0;
  }
};
const dbFileBytes = () =>
  ['', '-wal'].reduce((sum, s) => sum + (statSync(dbPath + s, { throwIfNoEntry: false })?.size ?? 0), 0);

async function cycle(app, label) {
  gc();
  const before = {
    tables: await app.store.checkpointBytes(),
    all: checkpointBytesWithIndexes(app.store.db),
    counts: { ...counts },
  };
  cur = newTimings();
  const s = performance.now();
  const report = await app.agent.run('bench');
  const wall = performance.now() - s;
  const timings = cur;
  cur = null;
  // The store copies the run's WAL into the database file just after the run (off its path): timed apart.
  const t = performance.now();
  await new Promise((r) => setImmediate(r));
  const settle = performance.now() - t;
  sampleHeap();
  const after = { tables: await app.store.checkpointBytes(), all: checkpointBytesWithIndexes(app.store.db) };
  return {
    label,
    report,
    wall,
    settle,
    timings,
    growth: after.tables - before.tables,
    growthWithIndexes: after.all - before.all,
    bytesAfter: after.tables,
    opened: counts.opened - before.counts.opened,
    alerts: counts.alerts - before.counts.alerts,
  };
}

// ---------------------------------------------------------------- cycles
const rssBefore = process.memoryUsage().rss;
let app = await open({});
const first = await cycle(app, 'first');
const openedFirst = { ...openedBy };
const measured = [];
const dbAfterFirst = dbFileBytes();
for (let i = 0; i < CYCLES; i++) measured.push(await cycle(app, `#${i + 1}`));
const dbGrowthPerRun = CYCLES > 0 ? (dbFileBytes() - dbAfterFirst) / CYCLES : 0;

// ---------------------------------------------------------------- match accuracy (first cycle)
const byCampaign = new Map();
const orphansFound = new Set();
for (const r of first.report.results) {
  if (r.campaignId === null) orphansFound.add(`${r.platform}:${r.platformCampaignId}`);
  else byCampaign.set(r.campaignId, r);
}
let correct = 0;
const perKind = {};
const wrong = [];
for (const [campaignId, want] of Object.entries(truth.rows)) {
  const r = byCampaign.get(campaignId);
  const got = r && r.matchedBy !== null ? r.platformCampaignId : null;
  const ok = r !== undefined && got === want.platformCampaignId;
  const kind = want.kind.startsWith('noisy:') ? 'noisy' : want.kind;
  perKind[kind] ??= { rows: 0, correct: 0 };
  perKind[kind].rows++;
  if (ok) {
    correct++;
    perKind[kind].correct++;
  } else
    wrong.push({
      campaignId,
      kind: want.kind,
      want: want.platformCampaignId,
      got,
      name: r?.campaignName,
      platformName: r?.platformCampaignName,
    });
}
const rowsInTruth = Object.keys(truth.rows).length;
const matchAccuracy = correct / rowsInTruth;
const orphanHits = truth.orphans.filter((k) => orphansFound.has(k)).length;

// ---------------------------------------------------------------- retention: settled threads are pruned
let retention = null;
if (process.env.BENCH_PRUNE !== '0') {
  await app.close();
  const later = (days) => new Date(Date.parse(NOW) + days * 86_400_000).toISOString();
  // Two days on, every open escalation has timed out (24 h): catching up resumes and settles each thread.
  app = await open({ PACING_NOW: later(2), CHECKPOINT_RETENTION_DAYS: '1' });
  cur = newTimings();
  let s = performance.now();
  const caughtUp = await app.agent.catchUp();
  const expireMs = performance.now() - s;
  cur = null;
  const settledBytes = await app.store.checkpointBytes();
  const settledThreads = threadCount(app.store.db);
  await app.close();
  // Four days on with a one-day retention, those settled threads are past it and are pruned.
  app = await open({ PACING_NOW: later(4), CHECKPOINT_RETENTION_DAYS: '1' });
  s = performance.now();
  const pruned = await app.agent.pruneThreads();
  const pruneMs = performance.now() - s;
  retention = {
    expired: caughtUp.expired.length,
    expireMs,
    settledBytes,
    settledThreads,
    pruned,
    pruneMs,
    afterBytes: await app.store.checkpointBytes(),
    afterThreads: threadCount(app.store.db),
    freelistPages: app.store.db.pragma('freelist_count', { simple: true }),
    pageSize: app.store.db.pragma('page_size', { simple: true }),
  };
}
const dbBytes = dbFileBytes();
await app.close();
clearInterval(sampler);
const maxRss = process.resourceUsage().maxRSS * 1024;

// ---------------------------------------------------------------- replay: the stored runs decided again
let replayed = null;
if (REPLAY_RUNS > 0) {
  // After the figures above, so that they stay those of the measured cycles: more cycles until enough are stored.
  app = await open({});
  const stored = async () => (await app.reads.runsCompletedSince(null)).length;
  while ((await stored()) < REPLAY_RUNS) await app.agent.run('bench');
  const set = 'CONFIDENCE_THRESHOLD=101';
  // Timed as people run it, a process of its own: inside this one, its large heap would slow the replay's
  // collector (twice as long here as in a process of its own).
  await app.close();
  gc();
  const s = performance.now();
  const out = execFileSync(
    process.execPath,
    [
      join(import.meta.dirname, '..', 'dist', 'cli', 'bin.js'),
      'replay',
      '--runs',
      String(REPLAY_RUNS),
      '--set',
      set,
      '--json',
    ],
    { env: { ...process.env, PACING_DATA_DIR: dataDir, PACING_DB: dbPath, PACING_NOW: NOW }, maxBuffer: 1 << 30 },
  );
  const cliMs = performance.now() - s;
  const doc = JSON.parse(out.toString('utf8'));
  replayed = {
    runs: doc.runs.length,
    rows: doc.runs.reduce((n, r) => n + r.then.log + r.then.alert + r.then.escalate + r.then.halt, 0),
    changed: doc.runs.reduce((n, r) => n + r.changed.length, 0),
    skipped: doc.skipped.length,
    cliMs,
  };
}

// ---------------------------------------------------------------- report
const cycleMs = median(measured.map((c) => c.wall));
const checkpointBytesPerCycle = median(measured.map((c) => c.growth));
const comparisons = first.report.summary.comparisons;
// Platform campaigns the cycle read (the scale); results also hold one row per plan row without a campaign.
const campaigns = Object.values(first.report.summary.platforms).reduce((n, p) => n + p.campaigns, 0);

log();
log(
  'cycles (wall time of agent.run: catch-up, cycle steps, escalation threads, pruning; durationMs is from the run summary, taken before results are written):',
);
for (const c of [first, ...measured]) {
  const sum = c.report.summary;
  log(
    `  ${c.label.padEnd(6)} ${ms(c.wall).padStart(10)}  durationMs ${String(sum.durationMs).padStart(5)}  results ${c.report.results.length}  ` +
      `log ${sum.byAction.log} alert ${sum.byAction.alert} halt ${sum.byAction.halt} escalate ${sum.byAction.escalate}  ` +
      `escalations opened ${c.opened}  pauses ${c.timings.pauses}  checkpoint +${kb(c.growth)}`,
  );
}
log(
  `first cycle: ${ms(first.wall)}; measured cycles: median ${ms(cycleMs)}, min ${ms(Math.min(...measured.map((c) => c.wall)))}, max ${ms(Math.max(...measured.map((c) => c.wall)))}`,
);
const sev = first.report.summary.bySeverity;
log(
  `first cycle outcome: ${sev.healthy} healthy, ${sev.warning} warning, ${sev.critical} critical, ${sev.none} without variance; ` +
    `${first.report.summary.orphans} orphans; ${first.report.errors.length} row errors; ${first.report.platformErrors.length} platform errors`,
);

const proposals = first.report.results.map((r) => r.budgetProposal).filter((p) => p != null);
const pools = first.report.summary.pools ?? [];
log(
  `budget steering (BUDGET_ACTIONS=${BUDGET_ACTIONS}, first cycle): ${proposals.length} proposals ` +
    `(${proposals.filter((p) => p.applicable).length} applicable, ${proposals.filter((p) => p.step).length} step-capped, ` +
    `${proposals.filter((p) => !p.applicable).length} advice only); ${openedFirst.budget ?? 0} budget questions; ` +
    `${pools.length} pools (${pools.filter((p) => p.changes.length > 0).length} with changes), ${openedFirst.rebalance ?? 0} rebalance questions`,
);

log();
log(
  `after each run, off its path: the WAL checkpoint ${ms(first.settle)} | median ${ms(median(measured.map((c) => c.settle)))} (not in the cycle times above)`,
);
log('stage timings (ms; first cycle | median of measured cycles):');
for (const stage of STAGES) {
  const m = median(measured.map((c) => c.timings.stages[stage]));
  log(`  ${stage.padEnd(20)} ${first.timings.stages[stage].toFixed(1).padStart(9)} | ${m.toFixed(1).padStart(8)}`);
}
log(
  `  inside apply: ${first.timings.pauses} platform pauses took ${ms(first.timings.pauseMs)} (${(first.timings.pauseMs / Math.max(1, first.timings.pauses)).toFixed(2)} ms each) | ` +
    `median ${median(measured.map((c) => c.timings.pauses))} pauses ${ms(median(measured.map((c) => c.timings.pauseMs)))}`,
);
log(
  `  single audit appends: ${first.timings.appends} in ${ms(first.timings.appendMs)} | median ${median(measured.map((c) => c.timings.appends))} in ${ms(median(measured.map((c) => c.timings.appendMs)))}`,
);
log(
  `  escalation threads started: first ${first.timings.threads} (${(first.timings.stages.escalation_threads / Math.max(1, first.timings.threads)).toFixed(2)} ms each) | median ${median(measured.map((c) => c.timings.threads))}`,
);

log();
log(
  `matching (first cycle): ${correct}/${rowsInTruth} rows as the truth says = ${(matchAccuracy * 100).toFixed(3)} %; ${comparisons.toLocaleString('en-US')} Levenshtein comparisons`,
);
log(
  `  by kind: ${Object.entries(perKind)
    .map(([k, v]) => `${k} ${v.correct}/${v.rows}`)
    .join(', ')}`,
);
log(`  orphans found: ${orphanHits}/${truth.orphans.length} true orphans, ${orphansFound.size - orphanHits} other`);
for (const w of wrong.slice(0, 10)) {
  log(`  miss ${w.campaignId} (${w.kind}): want ${w.want}, got ${w.got}; "${w.name}" → "${w.platformName ?? '—'}"`);
}

log();
log(
  `checkpoints: first cycle +${kb(first.growth)} (+${kb(first.growthWithIndexes)} with indexes) for ${first.opened} escalations = ` +
    `${kb(first.growth / Math.max(1, first.opened))} each; measured cycles median +${kb(checkpointBytesPerCycle)} (with indexes +${kb(median(measured.map((c) => c.growthWithIndexes)))}); ` +
    `total ${kb(measured.at(-1)?.bytesAfter ?? first.bytesAfter)}`,
);
if (retention) {
  log(
    `retention: 2 days later ${retention.expired} escalations expired in ${ms(retention.expireMs)}; ${retention.settledThreads} settled threads hold ${kb(retention.settledBytes)}; ` +
      `4 days later (retention 1 day) ${retention.pruned} threads pruned in ${ms(retention.pruneMs)} → ${retention.afterThreads} threads, ${kb(retention.afterBytes)} ` +
      `(${retention.freelistPages} free pages of ${retention.pageSize} B kept for reuse)`,
  );
}
log(
  `memory: RSS before cycles ${mb(rssBefore)}, peak RSS ${mb(maxRss)}, peak heap used (sampled) ${mb(heapPeak)}; database file ${mb(dbBytes)}, growing ${mb(dbGrowthPerRun)} per measured run (results, daily spend, audit)`,
);
const verdict = (ok) => (ok ? 'met' : 'MISSED');
if (replayed) {
  log(
    `replay (--set CONFIDENCE_THRESHOLD=101): ${replayed.runs} stored runs, ${replayed.rows.toLocaleString('en-US')} rows decided again, ${replayed.changed.toLocaleString('en-US')} actions would change; ` +
      `${replayed.skipped} not replayed; \`pacing replay --json\` as a process of its own ${ms(replayed.cliMs)} (${ms(replayed.cliMs / Math.max(1, replayed.runs))} a run, start-up and output included); ` +
      `target < 10 s ${verdict(replayed.cliMs < TARGETS.replayMs)}`,
  );
}
log(
  `targets: median cycle ≤ ${TARGETS.cycleMs} ms ${verdict(cycleMs <= TARGETS.cycleMs)}; match accuracy ≥ 99.9 % ${verdict(matchAccuracy >= TARGETS.matchAccuracy)}; ` +
    `checkpoint growth ≤ 2 MiB per cycle ${verdict(checkpointBytesPerCycle <= TARGETS.checkpointBytesPerCycle)}`,
);

if (process.env.BENCH_KEEP === '1') log(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });

// Whole-process figures beside bare node's (BENCH_STARTUP=0 skips them).
let startup = null;
if (process.env.BENCH_STARTUP !== '0') {
  log();
  startup = await startupBench({ rows: ROWS, log });
  log(
    `in-process cycle: median ${ms(cycleMs)} = ${(cycleMs / startup.bareNodeMs).toFixed(1)}× bare node's start (target ≤ 500 ms)`,
  );
}

log(
  JSON.stringify({
    campaigns,
    cycleMs: Math.round(cycleMs * 10) / 10,
    matchAccuracy: Math.round(matchAccuracy * 1e6) / 1e6,
    comparisons,
    checkpointBytesPerCycle,
    ...(replayed
      ? {
          replay: { runs: replayed.runs, rows: replayed.rows, ms: Math.round(replayed.cliMs) },
        }
      : {}),
    ...(startup ? { startup } : {}),
  }),
);
