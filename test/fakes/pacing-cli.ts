// Drives the built CLI (`node dist/cli/bin.js`) as a real child process, against a temporary copy of the
// bundled fixtures and a temporary SQLite file, with a clean environment.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
export const FIXTURES = join(ROOT, 'fixtures');
/** The bundled scenario's "now" (fixtures/scenario.json). */
export const NOW = '2026-11-20T09:00:00Z';

/**
 * Builds dist/ when it is missing (npm test builds before running vitest). Several test files may ask at once:
 * a lock directory makes one of them build while the others wait for the result.
 */
export async function ensureBuilt(): Promise<void> {
  if (existsSync(BIN)) return;
  const lock = join(ROOT, '.build-lock');
  let mine = false;
  try {
    mkdirSync(lock);
    mine = true;
  } catch {
    // Another test file is building.
  }
  if (mine) {
    try {
      if (!existsSync(BIN)) execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
    return;
  }
  const deadline = Date.now() + 60_000;
  while (existsSync(lock) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing and the build did not produce it`);
}

export interface Workspace {
  dir: string;
  dataDir: string;
  db: string;
  /** The environment every command of this workspace gets (overridable per call). */
  env: Record<string, string>;
  cleanup(): void;
}

/** A temporary folder with a copy of fixtures/ as the data dir and its own database. */
export function workspace(extraEnv: Record<string, string> = {}): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'pacing-e2e-'));
  const dataDir = join(dir, 'data');
  cpSync(FIXTURES, dataDir, { recursive: true });
  const db = join(dir, 'p.db');
  return {
    dir,
    dataDir,
    db,
    env: { PACING_DB: db, PACING_NOW: NOW, PACING_DATA_DIR: dataDir, ...extraEnv },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Outcome {
  code: number | null;
  /** The signal that ended the process, if one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Settings the app reads: never inherited from the developer's shell. */
const OWN =
  /^(PACING_|SLACK_|LLM_|HEALTHY_|WARNING_|CONFIDENCE_|FRESHNESS_|APPROVAL_|CHECKPOINT_|TRACKER_SHEET|SHEETS_API_URL$|PORT$|LOG_LEVEL$)/;

export function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!OWN.test(k)) base[k] = v;
  return {
    ...base,
    SLACK_BOT_TOKEN: '',
    SLACK_SIGNING_SECRET: '',
    SLACK_APP_TOKEN: '',
    SLACK_API_URL: '',
    ...env,
  };
}

/** Runs one CLI command to completion in `cwd` (the workspace, so that no stray .env is read). */
export function pacing(ws: Workspace, args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return runNode(ws, [BIN, ...args], env);
}

export function runNode(ws: Workspace, argv: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, argv, {
      cwd: ws.dir,
      env: cleanEnv({ ...ws.env, ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

/** Runs a `--json` command that must succeed, and parses its stdout as exactly one JSON document. */
export async function pacingJson<T = Record<string, unknown>>(
  ws: Workspace,
  args: string[],
  env: Record<string, string> = {},
): Promise<T> {
  const out = await pacing(ws, [...args, '--json'], env);
  if (out.code !== 0) throw new Error(`pacing ${args.join(' ')} exited ${out.code}: ${out.stderr}`);
  return JSON.parse(out.stdout) as T;
}

// The documents of the interface contract, as far as the tests read them.
export interface ResultDoc {
  campaignId: string | null;
  platform: string;
  platformCampaignId: string | null;
  platformStatus?: string | null;
  confidence: number;
  confidenceParts: { metadata: number; name: number; freshness: number };
  targetSpend: number | null;
  actualSpend: number | null;
  variancePct: number | null;
  severity: 'healthy' | 'warning' | 'critical' | null;
  zeroDelivery: boolean;
  action: 'log' | 'alert' | 'escalate' | 'halt';
  proposedAction?: 'alert' | 'halt' | null;
  status: string;
  escalationId: string | null;
  rootCause: { code: string; message: string }[];
  mitigation: { cause: string; step: string }[];
}

export interface RunDoc {
  runId: string;
  results: ResultDoc[];
  errors: { line: number; message: string }[];
  platformErrors: { platform: string; message: string }[];
}

export interface PendingDoc {
  pending: {
    escalationId: string;
    campaignId: string | null;
    platformCampaignId: string | null;
    proposedAction: 'alert' | 'halt';
    reason: string;
    createdAt: string;
    expiresAt: string;
    /** The money the question is about, per currency. */
    moneyAtStake?: { currency: string | null; amount: number }[];
    /** Members of a batch escalation; null for a single campaign. */
    campaigns?: { campaignId: string | null; platform: string; platformCampaignId: string | null }[] | null;
  }[];
}

export interface AuditDoc {
  events: {
    id: number;
    at: string;
    type: string;
    campaignId: string | null;
    platformCampaignId: string | null;
    actor: string;
    details: Record<string, unknown>;
  }[];
}

export const row = (doc: RunDoc, campaignId: string | null, platformCampaignId?: string): ResultDoc => {
  const found = doc.results.find(
    (r) =>
      r.campaignId === campaignId && (platformCampaignId === undefined || r.platformCampaignId === platformCampaignId),
  );
  if (!found) throw new Error(`no result row for ${campaignId ?? `orphan ${platformCampaignId}`}`);
  return found;
};

/**
 * The audit trail read straight from the workspace's SQLite file, without starting a process (which would
 * also do the app's housekeeping): for checking that a command changed nothing.
 */
export function readAudit(ws: Workspace): AuditDoc['events'] {
  const db = new Database(ws.db, { readonly: true });
  try {
    const rows = db
      .prepare('SELECT id, at, type, campaign_id, platform_campaign_id, actor, details FROM audit ORDER BY id')
      .all() as {
      id: number;
      at: string;
      type: string;
      campaign_id: string | null;
      platform_campaign_id: string | null;
      actor: string;
      details: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      type: r.type,
      campaignId: r.campaign_id,
      platformCampaignId: r.platform_campaign_id,
      actor: r.actor,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  } finally {
    db.close();
  }
}

/** Escalation statuses by id, read straight from the database. */
export function readEscalations(ws: Workspace): Map<string, string> {
  const db = new Database(ws.db, { readonly: true });
  try {
    const rows = db.prepare('SELECT id, status FROM escalations').all() as { id: string; status: string }[];
    return new Map(rows.map((r) => [r.id, r.status]));
  } finally {
    db.close();
  }
}
