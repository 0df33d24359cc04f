// Schedules: refused up front when node-schedule would silently return null, planned in the configured time
// zone, stopped without leaving jobs behind, and never run twice at once.
import { Writable } from 'node:stream';
import schedule from 'node-schedule';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { type ScheduledTasks, type Schedules, startSchedules, validateSchedules } from '../../src/schedule/jobs.js';

const DEFAULTS = { runCron: '0 */4 * * *', digestCron: '0 9 * * 1-5', tz: 'Europe/Berlin' };
const idle: ScheduledTasks = { run: async () => {}, digest: async () => {}, expire: async () => {} };
const OURS = ['pacing-run', 'digest', 'expire'];

let started: Schedules | null = null;
afterEach(() => {
  started?.stop();
  started = null;
});

/** Wall-clock parts of an instant in a time zone. */
function local(iso: string, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return {
    weekday: get('weekday'),
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    second: Number(get('second')),
  };
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('validateSchedules', () => {
  it('accepts the defaults', () => {
    expect(() => validateSchedules(DEFAULTS)).not.toThrow();
    expect(() => validateSchedules({ ...DEFAULTS, tz: 'UTC' })).not.toThrow();
  });

  it('refuses a rule node-schedule cannot use, naming the variable', () => {
    for (const rule of ['61 * * * *', 'not a cron', '0 25 * * *']) {
      const run = configError(() => validateSchedules({ ...DEFAULTS, runCron: rule }));
      expect(run.variable).toBe('PACING_RUN_CRON');
      expect(run.code).toBe('config_invalid');
      expect(run.message).toContain('PACING_RUN_CRON');
      expect(run.message).toContain(rule);

      const digest = configError(() => validateSchedules({ ...DEFAULTS, digestCron: rule }));
      expect(digest.variable).toBe('PACING_DIGEST_CRON');
      expect(digest.message).toContain('PACING_DIGEST_CRON');
    }
  });

  it('refuses an unknown time zone (node-schedule would return null for it too)', () => {
    expect(configError(() => validateSchedules({ ...DEFAULTS, tz: 'Mars/Olympus_Mons' })).message).toContain(
      'Mars/Olympus_Mons',
    );
  });

  it('skips a schedule that is off (null)', () => {
    expect(() => validateSchedules({ runCron: null, digestCron: null, tz: 'Europe/Berlin' })).not.toThrow();
    expect(() => validateSchedules({ ...DEFAULTS, runCron: null, digestCron: '0 9 * * 1-5' })).not.toThrow();
  });

  it('leaves no probe job behind when the rules are valid', () => {
    const before = Object.keys(schedule.scheduledJobs);
    validateSchedules(DEFAULTS);
    expect(Object.keys(schedule.scheduledJobs)).toEqual(before);
  });
});

describe('startSchedules', () => {
  it('plans the next runs in the configured time zone', () => {
    const t0 = Date.now();
    started = startSchedules(DEFAULTS, idle, silentLogger());
    const next = started.next();
    expect(Object.keys(next).sort()).toEqual([...OURS].sort());

    const digest = next.digest as string;
    const d = local(digest, 'Europe/Berlin');
    expect([d.hour, d.minute, d.second]).toEqual([9, 0, 0]);
    expect(['Mon', 'Tue', 'Wed', 'Thu', 'Fri']).toContain(d.weekday);
    expect(Date.parse(digest)).toBeGreaterThan(t0);
    expect(Date.parse(digest) - t0).toBeLessThanOrEqual(4 * 86_400_000); // the next weekday 09:00, at most a weekend away

    const run = next['pacing-run'] as string;
    const r = local(run, 'Europe/Berlin');
    expect(r.hour % 4).toBe(0);
    expect([r.minute, r.second]).toEqual([0, 0]);
    expect(Date.parse(run) - t0).toBeLessThanOrEqual(4 * 3_600_000);

    // The same rule in New York is another instant: the time zone is really applied.
    const ny = startSchedules({ ...DEFAULTS, tz: 'America/New_York' }, idle, silentLogger());
    try {
      const nyDigest = ny.next().digest as string;
      expect(local(nyDigest, 'America/New_York').hour).toBe(9);
      expect(nyDigest).not.toBe(digest);
    } finally {
      ny.stop();
    }
  });

  it("skips a schedule that is off, and stop() leaves no job in node-schedule's scheduledJobs", () => {
    const before = Object.keys(schedule.scheduledJobs);
    started = startSchedules({ ...DEFAULTS, runCron: null }, idle, silentLogger());
    expect(Object.keys(started.next()).sort()).toEqual(['digest', 'expire']);
    expect(Object.keys(schedule.scheduledJobs)).toEqual(expect.arrayContaining(['digest', 'expire']));
    expect(Object.keys(schedule.scheduledJobs)).not.toContain('pacing-run');

    started.stop();
    expect(started.next()).toEqual({});
    expect(Object.keys(schedule.scheduledJobs)).toEqual(before);
    for (const name of OURS) expect(schedule.scheduledJobs[name]).toBeUndefined();
  });

  it('throws ConfigError before scheduling anything when a rule is invalid', () => {
    const before = Object.keys(schedule.scheduledJobs).filter((n) => OURS.includes(n));
    expect(() => startSchedules({ ...DEFAULTS, digestCron: '0 9 * * 8-9' }, idle, silentLogger())).toThrow(ConfigError);
    expect(Object.keys(schedule.scheduledJobs).filter((n) => OURS.includes(n))).toEqual(before);
  });

  it('skips a tick while the previous run of the same job is still going', async () => {
    const lines: string[] = [];
    const log = createLogger(
      'warn',
      new Writable({
        write: (chunk, _enc, done) => {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    let starts = 0;
    let running = 0;
    let overlap = false;
    let release: () => void = () => {};
    const slow = () =>
      new Promise<void>((resolve) => {
        starts++;
        running++;
        if (running > 1) overlap = true;
        release = () => {
          running--;
          resolve();
        };
      });
    started = startSchedules(
      { runCron: '* * * * * *', digestCron: null, tz: 'UTC', expireCron: '0 0 1 1 *' },
      { ...idle, run: slow },
      log,
    );

    const waitFor = async (pred: () => boolean, ms: number) => {
      const end = Date.now() + ms;
      while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      return pred();
    };
    expect(await waitFor(() => starts === 1, 1_500)).toBe(true);
    // At least one more tick comes while the first run is still going: it is skipped, with a warning.
    expect(await waitFor(() => lines.some((l) => l.includes('still in progress')), 1_500)).toBe(true);
    expect(starts).toBe(1);
    const warning = JSON.parse(lines.find((l) => l.includes('still in progress')) as string) as {
      job: string;
      level: number;
    };
    expect(warning.job).toBe('pacing-run');

    release();
    // Once it is done, the next tick runs it again.
    expect(await waitFor(() => starts === 2, 1_500)).toBe(true);
    release();
    expect(overlap).toBe(false);
  });
});
