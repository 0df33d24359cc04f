// Typed errors with stable codes: what went wrong, where, and what to do about it.

export type ErrorCode =
  | 'config_invalid'
  | 'data_invalid'
  | 'data_unreadable'
  | 'platform_failed'
  | 'decision_conflict'
  | 'not_found'
  | 'run_in_progress'
  | 'not_authorised';

export class PacingError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A setting is missing or has a value that is not allowed. */
export class ConfigError extends PacingError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super('config_invalid', message);
  }
}

/** Input data that cannot be used: the file, and the line when there is one. */
export class DataError extends PacingError {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number | null = null,
    code: 'data_invalid' | 'data_unreadable' = 'data_invalid',
  ) {
    super(code, message);
  }
}

/** A platform call that failed; `retryable` and `retryAfterMs` say whether and when to try again. */
export class PlatformError extends PacingError {
  constructor(
    readonly platform: string,
    message: string,
    readonly retryable = false,
    readonly retryAfterMs: number | null = null,
  ) {
    super('platform_failed', message);
  }
}

/** A decision on an escalation that was already taken, expired, or never existed. */
export class DecisionConflict extends PacingError {
  constructor(
    readonly escalationId: string,
    message: string,
    readonly currentStatus: string | null,
  ) {
    super(currentStatus === null ? 'not_found' : 'decision_conflict', message);
  }
}

export class RunInProgress extends PacingError {
  constructor(
    readonly runId: string,
    readonly since: string,
    readonly pid: number | null = null,
    readonly expiresAt: string | null = null,
  ) {
    super(
      'run_in_progress',
      `A pacing run (${runId}${pid === null ? '' : `, process ${pid}`}) has been in progress since ${since}; wait for it to finish.${
        expiresAt ? ` If that process is stuck, its lock lapses at ${expiresAt}.` : ''
      }`,
    );
  }
}

export class NotAuthorised extends PacingError {
  constructor(message: string) {
    super('not_authorised', message);
  }
}

/**
 * SQLite's "database is locked" (SQLITE_BUSY and its extended codes), as better-sqlite3 throws it: known here, so
 * whoever reports a failure can name it without reaching into the store.
 */
export const isBusy = (err: unknown): boolean =>
  typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('SQLITE_BUSY');
