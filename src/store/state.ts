// Small durable facts: fixture campaign pauses, idempotency keys for side effects, and the run lock.
import { randomBytes } from 'node:crypto';
import type { CampaignStatus, Platform } from '../domain/types.js';
import type { Db } from './db.js';

export class FixtureStatusStore {
  constructor(private readonly db: Db) {}

  all(platform: Platform): Map<string, CampaignStatus> {
    const rows = this.db
      .prepare('SELECT campaign_id, status FROM fixture_campaign_status WHERE platform = ?')
      .all(platform) as { campaign_id: string; status: CampaignStatus }[];
    return new Map(rows.map((r) => [r.campaign_id, r.status]));
  }

  get(platform: Platform, campaignId: string): CampaignStatus | null {
    const r = this.db
      .prepare('SELECT status FROM fixture_campaign_status WHERE platform = ? AND campaign_id = ?')
      .get(platform, campaignId) as { status: CampaignStatus } | undefined;
    return r?.status ?? null;
  }

  set(platform: Platform, campaignId: string, status: CampaignStatus, at: string): void {
    this.db
      .prepare(
        `INSERT INTO fixture_campaign_status (platform, campaign_id, status, changed_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (platform, campaign_id) DO UPDATE SET status = excluded.status, changed_at = excluded.changed_at`,
      )
      .run(platform, campaignId, status, at);
  }
}

export class EffectLog {
  private readonly lookup;
  constructor(private readonly db: Db) {
    this.lookup = db.prepare('SELECT 1 FROM effects WHERE key = ?');
  }

  /** True when the effect under `key` has already been carried out. */
  done(key: string): boolean {
    return this.lookup.get(key) !== undefined;
  }

  record(key: string, at: string, result: unknown = null): void {
    this.db
      .prepare('INSERT OR IGNORE INTO effects (key, at, result) VALUES (?, ?, ?)')
      .run(key, at, JSON.stringify(result));
  }
}

export interface LockHolder {
  holder: string;
  acquiredAt: string;
  pid: number;
}

/** A named lock in the database, so that two processes never run a cycle at once. */
export class Locks {
  constructor(private readonly db: Db) {}

  /** Takes the lock, or returns who holds it. A lock left by a process that no longer exists is taken over. */
  acquire(name: string, holder: string, at: string): LockHolder | null {
    return this.db
      .transaction((): LockHolder | null => {
        const current = this.db.prepare('SELECT holder, acquired_at, pid, owner FROM locks WHERE name = ?').get(name) as
          | { holder: string; acquired_at: string; pid: number; owner: string | null }
          | undefined;
        if (current && ownerAlive(current.owner ?? String(current.pid))) {
          return { holder: current.holder, acquiredAt: current.acquired_at, pid: current.pid };
        }
        this.db
          .prepare(
            `INSERT INTO locks (name, holder, acquired_at, pid, owner) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, pid = excluded.pid, owner = excluded.owner`,
          )
          .run(name, holder, at, process.pid, PROCESS_ID);
        return null;
      })
      .immediate();
  }

  release(name: string, holder: string): void {
    this.db.prepare('DELETE FROM locks WHERE name = ? AND holder = ?').run(name, holder);
  }

  holder(name: string): LockHolder | null {
    const current = this.db.prepare('SELECT holder, acquired_at, pid, owner FROM locks WHERE name = ?').get(name) as
      | { holder: string; acquired_at: string; pid: number; owner: string | null }
      | undefined;
    return current && ownerAlive(current.owner ?? String(current.pid))
      ? { holder: current.holder, acquiredAt: current.acquired_at, pid: current.pid }
      : null;
  }
}

/** This process, as recorded on claims and locks: its pid plus a token, since a pid is reused after a restart. */
export const PROCESS_ID = `${process.pid}:${randomBytes(6).toString('hex')}`;

/**
 * Whether the process that wrote `owner` still runs. Our own pid counts as alive only with our token (a
 * container restarts with the same pid). The database must be local to one machine: pids mean nothing across.
 */
export function ownerAlive(owner: string | null): boolean {
  if (!owner) return false;
  const [pidText, token] = owner.split(':');
  const pid = Number(pidText);
  if (!Number.isInteger(pid)) return false;
  if (pid === process.pid) return token === undefined || owner === PROCESS_ID;
  return processAlive(pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
/** When digests went out, so that each covers what happened since the one before. */
export class DigestLog {
  constructor(private readonly db: Db) {}

  lastAt(channel: string): string | null {
    const r = this.db.prepare('SELECT MAX(at) AS at FROM digests WHERE channel = ?').get(channel) as {
      at: string | null;
    };
    return r.at;
  }

  record(channel: string, at: string, runs: number): void {
    this.db.prepare('INSERT INTO digests (at, channel, runs) VALUES (?, ?, ?)').run(at, channel, runs);
  }
}
