// The run lock: a named lease in the database, so that two processes never run a cycle at once.

import { ownerAlive, PROCESS_ID } from './owner.js';
import type { Sql } from './sql.js';

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
  constructor(private readonly sql: Sql) {}

  /** Takes the lock, or returns who holds it. */
  acquire(name: string, holder: string, at: string, leaseMs = LOCK_LEASE_MS): Promise<LockHolder | null> {
    return this.sql.transaction(async (tx) => {
      const current = await held(tx, name);
      if (current) return current;
      await tx.run(
        `INSERT INTO locks (name, holder, acquired_at, pid, owner, expires_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, pid = excluded.pid, owner = excluded.owner, expires_at = excluded.expires_at`,
        [name, holder, at, process.pid, PROCESS_ID, Date.now() + leaseMs],
      );
      return null;
    });
  }

  /** Extends the lease of a lock this holder has. */
  async renew(name: string, holder: string, leaseMs = LOCK_LEASE_MS): Promise<void> {
    await this.sql.run('UPDATE locks SET expires_at = ? WHERE name = ? AND holder = ?', [
      Date.now() + leaseMs,
      name,
      holder,
    ]);
  }

  async release(name: string, holder: string): Promise<void> {
    await this.sql.run('DELETE FROM locks WHERE name = ? AND holder = ?', [name, holder]);
  }

  holder(name: string): Promise<LockHolder | null> {
    return held(this.sql, name);
  }
}

async function held(sql: Sql, name: string): Promise<LockHolder | null> {
  const r = await sql.get<LockRow>('SELECT holder, acquired_at, pid, owner, expires_at FROM locks WHERE name = ?', [
    name,
  ]);
  if (!r || !ownerAlive(r.owner ?? String(r.pid))) return null;
  if (r.expires_at !== null && r.expires_at <= Date.now()) return null;
  return { holder: r.holder, acquiredAt: r.acquired_at, pid: r.pid, expiresAt: r.expires_at };
}
