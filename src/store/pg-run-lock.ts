// The run lock on PostgreSQL: a session advisory lock on this process's own connection (pg-session.ts), so it
// ends when its holder dies, on whichever machine; the `locks` row beside it only says who holds it and since
// when (for RunInProgress and /readyz). SQLite keeps its lease row with the holder's pid (locks.ts).
import type { LockHolder } from './locks.js';
import { PROCESS_ID } from './owner.js';
import type { PgSession } from './pg-session.js';
import type { Sql } from './sql.js';

export interface PgLockHolder extends LockHolder {
  /** The holding replica as the server knows its connection: `pacing <host> <pid>`, and its address. */
  replica: string | null;
}

interface LockRow {
  holder: string;
  acquired_at: string;
  pid: number;
}

export class PgRunLocks {
  constructor(
    private readonly sql: Sql,
    private readonly session: PgSession,
  ) {}

  /** Takes the lock, or returns who holds it. */
  async acquire(name: string, holder: string, at: string): Promise<PgLockHolder | null> {
    if (!(await this.session.tryLock(name))) {
      return (
        (await this.holder(name)) ?? {
          // Let go of between our try and our look: another replica was finishing. Still not ours this time.
          holder: 'another replica',
          acquiredAt: at,
          pid: 0,
          expiresAt: null,
          replica: null,
        }
      );
    }
    try {
      await this.sql.run(
        `INSERT INTO locks (name, holder, acquired_at, pid, owner, expires_at) VALUES (?, ?, ?, ?, ?, NULL)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at,
           pid = excluded.pid, owner = excluded.owner, expires_at = NULL`,
        [name, holder, at, process.pid, PROCESS_ID],
      );
    } catch (err) {
      await this.session.unlock(name).catch(() => {});
      throw err;
    }
    return null;
  }

  /**
   * Checks the lock is still this process's: a session lost mid-run has let it go, and another replica may
   * have started; the run stops at its next step rather than carry on beside it.
   */
  async renew(name: string, _holder: string): Promise<void> {
    if (!(await this.session.holds(name)))
      throw this.session.lost() ?? new Error(`This process no longer holds the ${name} lock.`);
  }

  async release(name: string, holder: string): Promise<void> {
    try {
      await this.sql.run('DELETE FROM locks WHERE name = ? AND holder = ?', [name, holder]);
    } finally {
      await this.session.unlock(name);
    }
  }

  /** Who holds the lock now, or null: the row alone counts only while a session holds the lock. */
  async holder(name: string): Promise<PgLockHolder | null> {
    const session = await this.session.holder(name);
    if (!session) return null;
    const row = await this.sql.get<LockRow>('SELECT holder, acquired_at, pid FROM locks WHERE name = ?', [name]);
    const replica = [session.application, session.address].filter(Boolean).join(', ') || null;
    return {
      holder: row?.holder ?? 'another replica',
      acquiredAt: row?.acquired_at ?? '',
      pid: row?.pid ?? 0,
      expiresAt: null,
      replica,
    };
  }
}
