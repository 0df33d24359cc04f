// Scheduled pacing runs, digests and expiry, with node-schedule; refused up front when a rule is invalid.
import schedule from 'node-schedule';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';

export interface ScheduledTasks {
  run(): Promise<unknown>;
  digest(): Promise<unknown>;
  /** Resolves escalations past their deadline. */
  expire(): Promise<unknown>;
}

/**
 * Whether this process runs a tick: several replicas fire every tick, and only the one whose claim lands runs it
 * (store/ticks.ts). Without it every tick runs here.
 */
export type ClaimTick = (job: string, scheduledAt: Date) => Promise<boolean>;

export interface ScheduleSettings {
  runCron: string | null;
  digestCron: string | null;
  tz: string;
  /** How often expiry is checked. */
  expireCron?: string;
}

export interface Schedules {
  /** Next planned times, for the start-up message and tests. */
  next(): Record<string, string | null>;
  stop(): void;
}

/** Throws ConfigError naming the variable when a cron rule or the time zone is not accepted. */
export function validateSchedules(s: ScheduleSettings): void {
  for (const [variable, rule] of [
    ['PACING_RUN_CRON', s.runCron],
    ['PACING_DIGEST_CRON', s.digestCron],
  ] as const) {
    if (rule === null) continue;
    // node-schedule returns null instead of throwing for a rule it cannot parse.
    const probe = schedule.scheduleJob({ rule, tz: s.tz }, () => {});
    if (!probe)
      throw new ConfigError(
        variable,
        `${variable} "${rule}" is not a cron rule node-schedule accepts (time zone ${s.tz}). Use e.g. "0 */4 * * *", or "off".`,
      );
    probe.cancel();
  }
}

export function startSchedules(
  s: ScheduleSettings,
  tasks: ScheduledTasks,
  log: Logger,
  claim: ClaimTick = async () => true,
): Schedules {
  validateSchedules(s);
  const jobs = new Map<string, schedule.Job>();
  const busy = new Set<string>();
  const add = (name: string, rule: string | null, task: () => Promise<unknown>) => {
    if (rule === null) return;
    // node-schedule passes the tick's scheduled time, the same on every replica (not when the timer woke).
    const job = schedule.scheduleJob(name, { rule, tz: s.tz }, (scheduledAt: Date) => {
      // A job still running when its next time comes is skipped, never run twice at once.
      if (busy.has(name)) {
        log.warn({ job: name }, 'previous run of this job still in progress; skipped');
        return;
      }
      busy.add(name);
      claim(name, scheduledAt)
        .then((mine) => {
          if (mine) return task();
          log.debug({ job: name, scheduledAt: scheduledAt.toISOString() }, 'tick claimed by another replica');
          return undefined;
        })
        .catch((err: unknown) => log.error({ err, job: name }, 'scheduled job failed'))
        .finally(() => busy.delete(name));
    });
    if (job) jobs.set(name, job);
  };
  add('pacing-run', s.runCron, tasks.run);
  add('digest', s.digestCron, tasks.digest);
  add('expire', s.expireCron ?? '*/5 * * * *', tasks.expire);
  return {
    next: () => Object.fromEntries([...jobs].map(([n, j]) => [n, j.nextInvocation()?.toISOString() ?? null])),
    // Cancel each job rather than gracefulShutdown(), which leaves a timer running in 2.1.1.
    stop: () => {
      for (const j of jobs.values()) j.cancel();
      jobs.clear();
    },
  };
}
