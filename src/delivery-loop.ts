// The scheduling every durable queue shares (Slack's outbox, PagerDuty's events): passes over what is due, one
// at a time, a timer for the next one while started, and a bounded flush for a command that exits or a stop.
import type { Logger } from './log.js';

export interface DeliveryLoopOptions {
  /** Real time in ms (injected in tests). */
  now?: () => number;
  /** Longest wait between passes while idle (ms): new items are also announced by kick(). */
  idleMs: number;
  /** What the loop delivers, for its log lines ("outbox", "PagerDuty"). */
  what: string;
}

export abstract class DeliveryLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  /** Set by stop(): a pass returns instead of waiting (for pacing, a retry) or starting another send. */
  protected halting = false;
  /** Passes run one at a time: kick() and flush() never send side by side. */
  private passes: Promise<void> = Promise.resolve();
  /** While flush() runs: nothing new is started past this time (ms). */
  protected until = Number.POSITIVE_INFINITY;
  protected readonly now: () => number;
  private readonly idleMs: number;
  private readonly what: string;

  constructor(
    protected readonly log: Logger,
    opts: DeliveryLoopOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.idleMs = opts.idleMs;
    this.what = opts.what;
  }

  /** Delivers what is due now, oldest first, and returns when nothing more can go now. */
  protected abstract pass(): Promise<void>;
  /** When the earliest waiting item becomes due (ms), or null when none waits. */
  protected abstract nextDueAt(): Promise<number | null>;
  protected abstract pendingCount(): Promise<number>;

  start(): void {
    this.stopped = false;
    this.halting = false;
    this.kick();
  }

  /** Delivers what is due now, and plans the next pass (only once started). */
  kick(): void {
    if (this.stopped || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.drain()
      .catch((err: unknown) => this.log.error({ err }, `${this.what} delivery pass failed`))
      // Reached whatever the pass did (the catch above takes its failure).
      .then(() => {
        this.running = null;
        return this.schedule();
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.halting = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Delivers everything due, waiting out short waits, for at most about `deadlineMs`; returns what is left. */
  async flush(deadlineMs: number): Promise<number> {
    const end = this.now() + deadlineMs;
    this.until = end;
    try {
      while (this.now() < end) {
        await this.drain();
        const next = await this.nextDueAt();
        if (next === null) break;
        const wait = Math.max(50, next - this.now());
        if (this.now() + wait > end) break;
        await sleep(Math.min(wait, 1_000));
      }
    } finally {
      this.until = Number.POSITIVE_INFINITY;
    }
    return await this.pendingCount();
  }

  /** One delivery pass; passes are serialised. */
  drain(): Promise<void> {
    const pass = this.passes.then(() => this.pass());
    this.passes = pass.catch(() => {});
    return pass;
  }

  private async schedule(): Promise<void> {
    if (this.stopped) return;
    let next: number | null = null;
    try {
      next = await this.nextDueAt();
    } catch (err) {
      this.log.error({ err }, `${this.what} could not read when the next item is due; looking again later`);
    }
    // Stopped, kicked or planned meanwhile: nothing to plan here.
    if (this.stopped || this.running || this.timer) return;
    const wait = next === null ? this.idleMs : Math.min(this.idleMs, Math.max(50, next - this.now()));
    this.timer = setTimeout(() => this.kick(), wait);
    this.timer.unref();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
