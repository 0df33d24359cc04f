// Prometheus metrics of `pacing serve`, on a registry of its own: counters fed by the agent's runs and by the
// platform calls, gauges read from the store at scrape time (so runs made by the CLI count too), and the
// default process metrics. Only serve loads this module: prom-client stays out of the CLI's read commands.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { RunEnd } from '../agent/agent.js';
import { RunInProgress } from '../errors.js';
import type { Logger } from '../log.js';
import { observePlatformCalls, type PlatformCallAttempt } from '../platforms/retry.js';
import type { Store } from '../store/index.js';
import {
  ageSeconds,
  type Backlog,
  type LatestRunFigures,
  latestRunFigures,
  MESSAGE_KINDS,
  PLATFORMS,
  pendingEscalations,
  pendingOutbox,
  platformLabel,
  refusedMessages,
  SEVERITIES,
} from './readings.js';

const RUN_OUTCOMES = ['completed', 'failed', 'refused'] as const;
const ACTIONS = ['log', 'alert', 'escalate', 'halt'] as const;
const OPERATIONS = ['read', 'write'] as const;

export interface Metrics {
  readonly registry: Registry;
  /** Content type of `text()`: Prometheus text format 0.0.4. */
  readonly contentType: string;
  text(): Promise<string>;
  /** Listener for the agent's runs (PacingAgent.onRunEnd). */
  runEnded(end: RunEnd): void;
  /** Stops observing platform calls. */
  stop(): void;
}

export function createMetrics(store: Store, clock: () => string, log: Logger): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const runs = new Counter({
    name: 'pacing_runs_total',
    help: 'Pacing runs this process started, by outcome (refused: another run was in progress).',
    labelNames: ['outcome'],
    registers,
  });
  const runDuration = new Histogram({
    name: 'pacing_run_duration_seconds',
    help: 'Wall time of pacing runs this process made, completed or failed.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers,
  });
  const actions = new Counter({
    name: 'pacing_actions_total',
    help: 'Actions decided by the runs of this process, one per campaign row, by action.',
    labelNames: ['action'],
    registers,
  });
  const platformErrors = new Counter({
    name: 'pacing_platform_errors_total',
    help: 'Platform failures reported by the runs of this process (platform unreadable, data incomplete or suspect), by platform.',
    labelNames: ['platform'],
    registers,
  });
  const callDuration = new Histogram({
    name: 'pacing_platform_call_duration_seconds',
    help: 'Duration of each attempt of an ad platform API call (including waits for a concurrency slot and for throttling).',
    labelNames: ['platform', 'operation'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const callRetries = new Counter({
    name: 'pacing_platform_call_retries_total',
    help: 'Ad platform API call attempts that failed and were tried again.',
    labelNames: ['platform', 'operation'],
    registers,
  });
  const callFailures = new Counter({
    name: 'pacing_platform_call_failures_total',
    help: 'Ad platform API calls that failed for good (refused, or out of attempts).',
    labelNames: ['platform', 'operation'],
    registers,
  });

  // Zero series from the start, so that rates and dashboards have something to show before the first event.
  for (const outcome of RUN_OUTCOMES) runs.inc({ outcome }, 0);
  for (const action of ACTIONS) actions.inc({ action }, 0);
  for (const platform of PLATFORMS) {
    platformErrors.inc({ platform }, 0);
    for (const operation of OPERATIONS) {
      callRetries.inc({ platform, operation }, 0);
      callFailures.inc({ platform, operation }, 0);
    }
  }

  // Gauges are read from the store when scraped; a failing read leaves them empty and is logged, never thrown.
  // A scrape collects every gauge at once: the gauges of the latest run share one read while it is under way.
  let latest: LatestRunFigures | null = null;
  let reading: Promise<LatestRunFigures | null> | null = null;
  const readLatest = (): Promise<LatestRunFigures | null> => {
    reading ??= latestRunFigures(store, latest)
      .then((figures) => {
        latest = figures;
        return figures;
      })
      .finally(() => {
        reading = null;
      });
    return reading;
  };
  const safely = async (what: string, read: () => Promise<void>) => {
    try {
      await read();
    } catch (err) {
      log.warn({ err: { message: (err as Error).message }, metric: what }, 'could not read a metric from the store');
    }
  };

  new Gauge({
    name: 'pacing_campaigns',
    help: 'Campaigns (result rows) in the latest completed run, by platform and severity (none: no variance).',
    labelNames: ['platform', 'severity'],
    registers,
    async collect() {
      this.reset();
      await safely('pacing_campaigns', async () => {
        const figures = await readLatest();
        if (!figures) return;
        for (const [platform, bySeverity] of figures.campaigns)
          for (const severity of SEVERITIES) this.set({ platform, severity }, bySeverity.get(severity) ?? 0);
      });
    },
  });
  new Gauge({
    name: 'pacing_money_at_stake',
    help: 'Money at stake in the latest completed run by currency: sum of |actual - target| over off-plan (warning and critical) campaigns, as Slack and the CLI show it.',
    labelNames: ['currency'],
    registers,
    async collect() {
      this.reset();
      await safely('pacing_money_at_stake', async () => {
        for (const [currency, amount] of (await readLatest())?.moneyAtStake ?? [])
          this.set({ currency }, Math.round(amount * 100) / 100);
      });
    },
  });
  new Gauge({
    name: 'pacing_platform_available',
    help: 'Whether each platform could be read in the latest completed run (1) or not (0).',
    labelNames: ['platform'],
    registers,
    async collect() {
      this.reset();
      await safely('pacing_platform_available', async () => {
        for (const [platform, ok] of (await readLatest())?.platformsOk ?? []) this.set({ platform }, ok ? 1 : 0);
      });
    },
  });
  new Gauge({
    name: 'pacing_last_completed_run_timestamp_seconds',
    help: 'When the latest completed run finished (Unix time); absent before the first run.',
    registers,
    async collect() {
      this.reset();
      await safely('pacing_last_completed_run_timestamp_seconds', async () => {
        const at = (await readLatest())?.finishedAt;
        if (at) this.set(Date.parse(at) / 1000);
      });
    },
  });
  // Each pair is read in one query by its first gauge: the registry starts collecting every gauge at once, in
  // registration order, so the second finds the first's read under way and waits for it.
  let escalations: Promise<Backlog> = Promise.resolve({ count: 0, oldestAt: null });
  new Gauge({
    name: 'pacing_escalations_pending',
    help: 'Escalations awaiting an approver.',
    registers,
    async collect() {
      escalations = pendingEscalations(store);
      await safely('pacing_escalations_pending', async () => this.set((await escalations).count));
    },
  });
  new Gauge({
    name: 'pacing_escalations_oldest_pending_age_seconds',
    help: 'Age of the oldest escalation awaiting an approver (0 when none).',
    registers,
    async collect() {
      await safely('pacing_escalations_oldest_pending_age_seconds', async () =>
        this.set(ageSeconds((await escalations).oldestAt, clock())),
      );
    },
  });
  let messages: Promise<Backlog> = Promise.resolve({ count: 0, oldestAt: null });
  new Gauge({
    name: 'pacing_outbox_pending_messages',
    help: 'Slack messages queued and not yet delivered.',
    registers,
    async collect() {
      messages = pendingOutbox(store);
      await safely('pacing_outbox_pending_messages', async () => this.set((await messages).count));
    },
  });
  new Gauge({
    name: 'pacing_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest Slack message still queued (0 when none).',
    registers,
    async collect() {
      await safely('pacing_outbox_oldest_pending_age_seconds', async () =>
        this.set(ageSeconds((await messages).oldestAt, clock())),
      );
    },
  });
  new Gauge({
    name: 'pacing_outbox_refused_messages',
    help: 'Slack messages Slack refused for good, kept as failed in the outbox until sent again or forgotten, by kind.',
    labelNames: ['kind'],
    registers,
    async collect() {
      this.reset();
      await safely('pacing_outbox_refused_messages', async () => {
        const refused = await refusedMessages(store);
        for (const kind of MESSAGE_KINDS) this.set({ kind }, refused.get(kind) ?? 0);
      });
    },
  });

  const onCall = (a: PlatformCallAttempt) => {
    const labels = { platform: platformLabel(a.platform), operation: a.operation };
    callDuration.observe(labels, a.durationMs / 1000);
    if (a.outcome === 'retry') callRetries.inc(labels);
    if (a.outcome === 'error') callFailures.inc(labels);
  };
  const unobserve = observePlatformCalls(onCall);

  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    runEnded(end: RunEnd) {
      if (end.error instanceof RunInProgress) {
        runs.inc({ outcome: 'refused' });
        return;
      }
      runs.inc({ outcome: end.report ? 'completed' : 'failed' });
      runDuration.observe(end.durationMs / 1000);
      if (!end.report) return;
      for (const r of end.report.results) actions.inc({ action: r.action });
      for (const f of end.report.platformErrors) platformErrors.inc({ platform: platformLabel(f.platform) });
    },
    stop: () => {
      unobserve();
    },
  };
}
