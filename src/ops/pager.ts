// Paging as the app runs it: reads the conditions from the store, decides (ops/paging.ts), remembers each incident
// and queues its PagerDuty event in one transaction, and delivers (ops/pagerduty.ts). `serve` starts it with
// startPaging; a one-off command (the CLI's run) calls pageAfterRun.
import { hostname } from 'node:os';
import type { RunEnd } from '../agent/agent.js';
import type { Config } from '../config.js';
import { asPacingError, RunInProgress } from '../errors.js';
import type { Logger } from '../log.js';
import { redactText } from '../redact.js';
import type { Store } from '../store/index.js';
import { PageFacts } from './page-facts.js';
import { type DelivererOptions, PagerDutyDeliverer, type PagerDutySettings } from './pagerduty.js';
import { evaluatePaging, type PagingPlan, type RunOutcomes } from './paging.js';

/** PagerDuty's payload.group and the client named on every alert. */
const GROUP = 'pacing-agent';
const CLIENT = 'Pacing Agent';
const EVALUATE_EVERY_MS = 60_000;
/** Several nudges in a row (a run's messages, a burst of clicks) make one evaluation. */
const NUDGE_DELAY_MS = 250;
const DEFAULT_RETENTION_DAYS = 90;
const PRUNE_EVERY_MS = 60 * 60_000;

export class Pager {
  readonly deliverer: PagerDutyDeliverer;
  private readonly facts: PageFacts;
  private readonly source: string;
  private readonly retentionDays: number;

  constructor(
    private readonly store: Store,
    settings: PagerDutySettings,
    private readonly log: Logger,
    private readonly clock: () => string,
    opts: DelivererOptions & { source?: string; retentionDays?: number } = {},
  ) {
    this.facts = new PageFacts(store);
    this.deliverer = new PagerDutyDeliverer(store, settings, log, clock, opts);
    this.source = opts.source ?? hostname();
    this.retentionDays = opts.retentionDays ?? DEFAULT_RETENTION_DAYS;
  }

  /**
   * Triggers what newly holds and resolves what cleared; returns what it did. Decided once outside a transaction
   * (nothing to do is the common case), and again inside an immediate one before writing: another process (a CLI
   * run beside `serve`) may have paged the same condition a moment ago.
   */
  async evaluate(thrown: RunOutcomes['thrown'] = null): Promise<PagingPlan> {
    await this.pruneDelivered();
    if (isEmpty((await this.decide(thrown, this.store)).plan)) return { trigger: [], resolve: [] };
    const plan = await this.store.transaction(async (tx) => {
      const { plan, mark } = await this.decide(thrown, tx);
      await this.apply(plan, mark, tx);
      return plan;
    });
    for (const t of plan.trigger)
      this.log.warn({ dedupKey: t.dedupKey, kind: t.kind, severity: t.severity }, `Paging: ${t.summary}`);
    for (const r of plan.resolve) this.log.info({ dedupKey: r.dedupKey, kind: r.kind }, `Paging resolved: ${r.reason}`);
    if (!isEmpty(plan)) this.deliverer.kick();
    return plan;
  }

  private prunedAt = Number.NEGATIVE_INFINITY;

  /**
   * Delivered events are kept as long as results (RESULTS_RETENTION_DAYS), then forgotten: looked at once an hour
   * (an evaluation with nothing to page stays read-only), and never in the way of paging if it cannot be done.
   */
  private async pruneDelivered(): Promise<void> {
    const now = Date.parse(this.clock());
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    try {
      await this.store.pages.prune(new Date(now - this.retentionDays * 86_400_000).toISOString());
    } catch (err) {
      this.log.warn({ err }, 'could not forget old PagerDuty events; trying again in an hour');
    }
  }

  private async decide(thrown: RunOutcomes['thrown'], via: Store): Promise<{ plan: PagingPlan; mark: number }> {
    const facts = await (via === this.store ? this.facts : this.facts.within(via)).read(thrown);
    return { plan: evaluatePaging(facts, await via.pages.incidents()), mark: facts.mark };
  }

  private async apply(plan: PagingPlan, mark: number, tx: Store): Promise<void> {
    const { pages } = tx;
    const at = this.clock();
    for (const t of plan.trigger) {
      await pages.open(
        {
          dedupKey: t.dedupKey,
          kind: t.kind,
          occurrence: t.occurrence,
          watermark: mark,
          summary: t.summary,
          details: t.details,
        },
        at,
      );
      await pages.enqueue(
        {
          dedupKey: t.dedupKey,
          action: 'trigger',
          body: {
            payload: {
              summary: t.summary,
              source: this.source,
              severity: t.severity,
              timestamp: at,
              component: t.component,
              group: GROUP,
              class: t.kind,
              custom_details: t.details,
            },
            client: CLIENT,
          },
        },
        at,
      );
    }
    for (const r of plan.resolve) {
      await pages.resolve(r.dedupKey, at, r.reason, r.occurrence);
      // A trigger PagerDuty never got is withdrawn instead: nobody is woken for what has already cleared.
      if (!(await pages.withdrawTrigger(r.dedupKey, Date.now())))
        await pages.enqueue({ dedupKey: r.dedupKey, action: 'resolve', body: {} }, at);
    }
  }
}

const isEmpty = (p: PagingPlan) => p.trigger.length === 0 && p.resolve.length === 0;

export const pagingSettings = (config: Config): PagerDutySettings | null =>
  config.paging.routingKey ? { routingKey: config.paging.routingKey, eventsUrl: config.paging.eventsUrl } : null;

/** A run that threw (a busy refusal is not a failure), as paging reads it. */
export function thrownBy(error: unknown, trigger: string): RunOutcomes['thrown'] {
  if (error === null || error === undefined || error instanceof RunInProgress) return null;
  return { trigger, error: redactText(asPacingError(error).message) };
}

export interface Paging {
  pager: Pager;
  /** Evaluates again shortly (after a decision, an expiry, a message queued). */
  nudge(): void;
  /** Stops evaluating, delivers what is due for up to `flushMs`, and stops the deliverer. */
  stop(flushMs?: number): Promise<void>;
}

/** What paging needs of the app: its store, and to hear of every run's end. */
export interface PagingApp {
  store: Store;
  agent: { onRunEnd(listener: (end: RunEnd) => Promise<void>): () => void };
}

/**
 * Paging for a long-running process (`serve`): evaluates at start, after every run, when nudged and every minute,
 * and delivers continuously. Null when PAGERDUTY_ROUTING_KEY is not set.
 */
export async function startPaging(
  app: PagingApp,
  config: Config,
  log: Logger,
  opts: DelivererOptions & { intervalMs?: number; source?: string } = {},
): Promise<Paging | null> {
  const settings = pagingSettings(config);
  if (!settings) return null;
  const pager = new Pager(app.store, settings, log, config.clock, {
    retentionDays: config.resultsRetentionDays,
    ...opts,
  });
  const evaluate = async (thrown: RunOutcomes['thrown'] = null): Promise<void> => {
    try {
      await pager.evaluate(thrown);
    } catch (err) {
      log.error({ err }, 'paging could not evaluate; it tries again within a minute');
    }
  };
  try {
    // Events PagerDuty refused before (a routing key fixed since) get another chance after a restart.
    await app.store.pages.retryFailed();
  } catch (err) {
    log.warn({ err }, 'paging could not queue refused events again');
  }
  await evaluate();
  const off = app.agent.onRunEnd((end) => evaluate(thrownBy(end.error, end.trigger)));
  const every = setInterval(() => void evaluate(), opts.intervalMs ?? EVALUATE_EVERY_MS);
  every.unref();
  let nudged: NodeJS.Timeout | null = null;
  let stopped = false;
  pager.deliverer.start();
  log.info({ eventsUrl: new URL(settings.eventsUrl).origin }, 'Paging to PagerDuty is on');
  return {
    pager,
    nudge: () => {
      if (stopped || nudged) return;
      nudged = setTimeout(() => {
        nudged = null;
        void evaluate();
      }, NUDGE_DELAY_MS);
      nudged.unref();
    },
    stop: async (flushMs = 5_000) => {
      stopped = true;
      off();
      clearInterval(every);
      if (nudged) clearTimeout(nudged);
      nudged = null;
      await evaluate();
      await pager.deliverer.flush(flushMs);
      await pager.deliverer.stop();
    },
  };
}

/**
 * For a command that runs once (the CLI's `run`, also after `approve`, `reject` or `resume-campaign`): evaluates
 * paging now and delivers what is queued (this command's events and any left over) for up to `flushMs`. Pass the
 * error a run threw, if any. Does nothing (null) when PAGERDUTY_ROUTING_KEY is not set; never throws.
 */
export async function pageAfterRun(
  app: { store: Store },
  config: Config,
  log: Logger,
  opts: { error?: unknown; trigger?: string; flushMs?: number } = {},
): Promise<PagingPlan | null> {
  const settings = pagingSettings(config);
  if (!settings) return null;
  const pager = new Pager(app.store, settings, log, config.clock, { retentionDays: config.resultsRetentionDays });
  let plan: PagingPlan = { trigger: [], resolve: [] };
  try {
    plan = await pager.evaluate(thrownBy(opts.error, opts.trigger ?? 'cli'));
    await pager.deliverer.flush(opts.flushMs ?? 5_000);
  } catch (err) {
    log.error({ err }, 'paging failed; queued events go out with the next run or serve');
  }
  return plan;
}
