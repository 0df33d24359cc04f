// Retries for platform calls: backoff with jitter, the platform's own retry delay honoured, a delay too
// long for this run treated as fatal, and never a blind retry of a request the platform refused.
// Hand-written rather than p-retry: each platform signals "wait this long" in its own body or headers,
// and the decision (retry, wait, give up for the run) belongs with that classification.
import { PlatformError } from '../errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A platform asking to wait longer than this is given up on for this run. */
  maxRetryAfterMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  random: Math.random,
};

/** What a platform call is for: a small fixed set, so that metrics labelled with it stay few. */
export type PlatformOperation = 'read' | 'write';

/** One attempt at a platform call, as an observer (the metrics of `pacing serve`) sees it. */
export interface PlatformCallAttempt {
  platform: string;
  operation: PlatformOperation;
  durationMs: number;
  /** `retry`: it failed and is tried again; `error`: it failed for good (refused, or out of attempts). */
  outcome: 'ok' | 'retry' | 'error';
}

const callObservers = new Set<(attempt: PlatformCallAttempt) => void>();

/**
 * Calls `observer` after every attempt of a labelled platform call; returns a function that removes it. Keeps the
 * platforms free of any metrics library: ops/metrics installs one when serving.
 */
export function observePlatformCalls(observer: (attempt: PlatformCallAttempt) => void): () => void {
  callObservers.add(observer);
  return () => callObservers.delete(observer);
}

function tell(
  label: { platform: string; operation: PlatformOperation } | undefined,
  started: number,
  outcome: PlatformCallAttempt['outcome'],
) {
  if (!label || callObservers.size === 0) return;
  const attempt = { ...label, durationMs: performance.now() - started, outcome };
  for (const o of callObservers) {
    try {
      o(attempt);
    } catch {
      // Observers count; they never change a call's outcome.
    }
  }
}

/**
 * Runs `call`, retrying PlatformErrors marked retryable; other errors are thrown at once. With a `label`, each
 * attempt is reported to the call observers (latency, retries, failures).
 */
export async function withRetry<T>(
  call: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  label?: { platform: string; operation: PlatformOperation },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    try {
      const result = await call(attempt);
      tell(label, started, 'ok');
      return result;
    } catch (err) {
      const again =
        err instanceof PlatformError &&
        err.retryable &&
        !(err.retryAfterMs !== null && err.retryAfterMs > policy.maxRetryAfterMs) &&
        attempt < policy.attempts;
      tell(label, started, again ? 'retry' : 'error');
      if (!(err instanceof PlatformError) || !err.retryable) throw err;
      if (err.retryAfterMs !== null && err.retryAfterMs > policy.maxRetryAfterMs) {
        throw new PlatformError(
          err.platform,
          `${err.message} The platform asks to wait ${formatDuration(err.retryAfterMs)}, longer than this run can: giving up for this run.`,
          false,
          err.retryAfterMs,
        );
      }
      if (attempt >= policy.attempts) {
        throw new PlatformError(
          err.platform,
          `${err.message} (gave up after ${attempt} attempts)`,
          false,
          err.retryAfterMs,
        );
      }
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const jittered = backoff / 2 + policy.random() * (backoff / 2);
      await policy.sleep(Math.max(err.retryAfterMs ?? 0, jittered));
    }
  }
}

/** Runs at most `n` tasks at once. */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    active--;
    queue.shift()?.();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await task();
    } finally {
      next();
    }
  };
}

export function formatDuration(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}
