// Small durable facts: fixture campaign pauses and budgets, idempotency keys for side effects, and the run lock.
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

  /** Daily budgets changed on the platform's fixture campaigns, by campaign id. */
  allBudgets(platform: Platform): Map<string, number> {
    const rows = this.db
      .prepare('SELECT campaign_id, daily_budget FROM fixture_campaign_budget WHERE platform = ?')
      .all(platform) as { campaign_id: string; daily_budget: number }[];
    return new Map(rows.map((r) => [r.campaign_id, r.daily_budget]));
  }

  setBudget(platform: Platform, campaignId: string, dailyBudget: number, currency: string | null, at: string): void {
    this.db
      .prepare(
        `INSERT INTO fixture_campaign_budget (platform, campaign_id, daily_budget, currency, changed_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (platform, campaign_id) DO UPDATE SET daily_budget = excluded.daily_budget, currency = excluded.currency, changed_at = excluded.changed_at`,
      )
      .run(platform, campaignId, dailyBudget, currency, at);
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

/** Slack request signatures already acted on, kept past Slack's 5-minute window: a replay is refused. */
export class SeenRequests {
  private readonly insert;
  private readonly prune;
  private inserted = 0;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT OR IGNORE INTO seen_requests (signature, at) VALUES (?, ?)');
    this.prune = db.prepare('DELETE FROM seen_requests WHERE at < ?');
  }

  /** True the first time a signature is seen; false for a replay. */
  first(signature: string, nowMs: number): boolean {
    if (++this.inserted % 100 === 0) this.prune.run(nowMs - 10 * 60_000);
    return this.insert.run(signature, nowMs).changes === 1;
  }
}
