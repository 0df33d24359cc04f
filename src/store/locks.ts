// The run lock: a named lease in the database, so that two processes never run a cycle at once.
import type { Db } from './db.js';
import { ownerAlive, PROCESS_ID } from './owner.js';

export interface LockHolder {
  holder: string;
  acquiredAt: string;
  pid: number;
  /** When the lease ends (ms since the epoch, real time): after it the lock is taken over. */
  expiresAt: number | null;
}

/** How long a run may hold the lock without renewing it: far longer than any run, short of "forever". */
export const LOCK_LEASE_MS = 2 * 3_600_000;

interface LockRow {
  holder: string;
  acquired_at: string;
  pid: number;
  owner: string | null;
  expires_at: number | null;
}

/**
 * A named lock in the database, so that two processes never run a cycle at once. It is held while its process
 * lives and its lease (real time, not PACING_NOW) has not run out: a pid reused by another program, or a hung
 * process, blocks runs for at most the lease.
 */
export class Locks {
  constructor(private readonly db: Db) {}

  /** Takes the lock, or returns who holds it. */
  acquire(name: string, holder: string, at: string, leaseMs = LOCK_LEASE_MS): LockHolder | null {
    return this.db
      .transaction((): LockHolder | null => {
        const current = this.held(name);
        if (current) return current;
        this.db
          .prepare(
            `INSERT INTO locks (name, holder, acquired_at, pid, owner, expires_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, pid = excluded.pid, owner = excluded.owner, expires_at = excluded.expires_at`,
          )
          .run(name, holder, at, process.pid, PROCESS_ID, Date.now() + leaseMs);
        return null;
      })
      .immediate();
  }

  /** Extends the lease of a lock this holder has. */
  renew(name: string, holder: string, leaseMs = LOCK_LEASE_MS): void {
    this.db
      .prepare('UPDATE locks SET expires_at = ? WHERE name = ? AND holder = ?')
      .run(Date.now() + leaseMs, name, holder);
  }

  release(name: string, holder: string): void {
    this.db.prepare('DELETE FROM locks WHERE name = ? AND holder = ?').run(name, holder);
  }

  holder(name: string): LockHolder | null {
    return this.held(name);
  }

  private held(name: string): LockHolder | null {
    const r = this.db
      .prepare('SELECT holder, acquired_at, pid, owner, expires_at FROM locks WHERE name = ?')
      .get(name) as LockRow | undefined;
    if (!r || !ownerAlive(r.owner ?? String(r.pid))) return null;
    if (r.expires_at !== null && r.expires_at <= Date.now()) return null;
    return { holder: r.holder, acquiredAt: r.acquired_at, pid: r.pid, expiresAt: r.expires_at };
  }
}
