// Every setting, read once from the environment (and .env), validated with zod; the only reader of process.env.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import {
  choice,
  cron,
  currencyCode,
  flag,
  idList,
  isoTime,
  managerAccountId,
  namingPattern,
  num,
  pagerDutyRoutingKey,
  platformSources,
  port,
  type Source,
  slackId,
  slackUserList,
  timeZone,
  whole,
} from './config-fields.js';
import { LLM_FIELDS, type LlmSettings, llmSettings } from './config-llm.js';
import { readSecretFiles, SECRET_SETTINGS } from './config-secrets.js';
import { SHEET_FIELDS, type SheetSettings, sheetSettings } from './config-sheet.js';
import type { BudgetSettings } from './domain/budget.js';
import type { GuardSettings } from './domain/policy.js';
import type { Thresholds } from './domain/types.js';
import { ConfigError } from './errors.js';
import { registerSecrets, urlCredentials } from './redact.js';
import { isPostgresUrl, urlUser } from './store/db-url.js';

export const BUNDLED_FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export const EnvSchema = z.object({
  PACING_DATA_DIR: z.string().optional(),
  PACING_DB: z.string().default('pacing.db'),
  PACING_DB_PASSWORD: z.string().optional(),
  PACING_NOW: isoTime.optional(),
  HEALTHY_VARIANCE_THRESHOLD: num(0, 1000).default(10),
  WARNING_VARIANCE_THRESHOLD: num(0, 1000).default(25),
  // 101: above any confidence, so the agent never acts alone (SPEC).
  CONFIDENCE_THRESHOLD: num(0, 101).default(70),
  FRESHNESS_HOURS: num(0.01, 24 * 365).default(12),
  APPROVAL_TIMEOUT_HOURS: num(0.01, 24 * 365).default(24),
  CHECKPOINT_RETENTION_DAYS: num(0, 3650).default(30),
  RESULTS_RETENTION_DAYS: num(1, 3650).default(90),
  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'must be a bot token starting with xoxb-').optional(),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'must be an app-level token starting with xapp-').optional(),
  PORT: port.default(3000),
  SLACK_API_URL: z.url({ error: 'must be a URL such as https://slack.com/api/' }).optional(),
  SLACK_TEAM_ID: slackId(/^[TE][A-Z0-9]{2,}$/, 'workspace id such as T0123ABCD').optional(),
  SLACK_APP_ID: slackId(/^A[A-Z0-9]{2,}$/, 'app id such as A0123ABCD').optional(),
  SLACK_ALERT_CHANNEL: z.string().optional(),
  SLACK_APPROVAL_CHANNEL: z.string().optional(),
  SLACK_DIGEST_CHANNEL: z.string().optional(),
  SLACK_CHANNEL_PACE_MS: whole(0).default(1000),
  SLACK_STOP_FLUSH_MS: whole(0).default(5000),
  PACING_APPROVERS: slackUserList.default([]),
  PACING_RUN_CRON: cron.default('0 */4 * * *'),
  PACING_DIGEST_CRON: cron.default('0 9 * * 1-5'),
  PACING_TZ: timeZone.default('UTC'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PACING_PLATFORMS: platformSources.default({ google: 'fixtures', meta: 'fixtures' }),
  PACING_MODE: z.enum(['dry-run', 'live'], { error: 'must be dry-run or live' }).default('dry-run'),
  PACING_NAMING_PATTERN: namingPattern.optional(),
  GOOGLE_ADS_CUSTOMER_IDS: idList('Google Ads customer ids such as 1234567890 (dashes allowed)', /^\d{10}$/, (v) =>
    v.replaceAll('-', ''),
  ).optional(),
  GOOGLE_ADS_DEVELOPER_TOKEN: z.string().optional(),
  GOOGLE_ADS_LOGIN_CUSTOMER_ID: managerAccountId.optional(),
  GOOGLE_ADS_CLIENT_ID: z.string().optional(),
  GOOGLE_ADS_CLIENT_SECRET: z.string().optional(),
  GOOGLE_ADS_REFRESH_TOKEN: z.string().optional(),
  GOOGLE_ADS_API_BASE_URL: z.url({ error: 'must be a URL' }).default('https://googleads.googleapis.com'),
  GOOGLE_ADS_API_VERSION: z
    .string()
    .regex(/^v\d+$/, 'must look like v26')
    .default('v26'),
  GOOGLE_OAUTH_TOKEN_URL: z.url({ error: 'must be a URL' }).default('https://oauth2.googleapis.com/token'),
  META_ACCESS_TOKEN: z.string().optional(),
  META_AD_ACCOUNT_IDS: idList('Meta ad account ids such as act_1234567890 or 1234567890', /^\d+$/, (v) =>
    v.replace(/^act_/, ''),
  ).optional(),
  META_GRAPH_API_BASE_URL: z.url({ error: 'must be a URL' }).default('https://graph.facebook.com'),
  ZERO_DELIVERY_ANY_CONFIDENCE: flag.default(false),
  EARLY_FLIGHT_HOURS: num(0, 24 * 31).default(24),
  PACING_CURRENCY: currencyCode.optional(),
  DATA_FAULT_SHARE: num(0.01, 1).default(0.5),
  MAX_AUTONOMOUS_HALTS: whole(0).default(20),
  MAX_ORPHAN_ESCALATIONS: whole(0).default(20),
  HUMAN_DECISION_HOURS: num(0, 24 * 365).default(72),
  UNDERSPEND_ACTION: choice(['halt', 'alert']).default('halt'),
  BUDGET_ACTIONS: choice(['off', 'ask', 'auto'])
    // SPEC's default is ask; it stays off until the programs that read `pending --json` accept budget questions
    // (proposedAction "budget" and "rebalance"): a value they do not know must not reach them unasked.
    .default('off'),
  BUDGET_TRIGGER_PCT: num(0, 1000).default(10),
  // A step of 100 % or more could take a budget to zero or double it in one go: the point of the cap is small steps.
  MAX_BUDGET_CHANGE_PCT: num(0.01, 99).default(20),
  MAX_AUTONOMOUS_BUDGET_CHANGES: whole(0).default(20),
  META_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v27.0')
    .default('v27.0'), // CURRENT_META_API_VERSION in platforms/meta/errors.ts
  ...SHEET_FIELDS,
  PAGERDUTY_ROUTING_KEY: pagerDutyRoutingKey.optional(),
  PAGERDUTY_EVENTS_URL: z
    .url({ error: 'must be a URL such as https://events.pagerduty.com/v2/enqueue' })
    .default('https://events.pagerduty.com/v2/enqueue'),
  ...LLM_FIELDS,
});

/** The name of every setting the app reads (documented one by one in .env.example; a test keeps them in step). */
export const SETTING_NAMES: readonly string[] = Object.keys(EnvSchema.shape);

export interface Config {
  dataDir: string;
  /** True when PACING_DATA_DIR is unset and the bundled demo data is used. */
  bundledData: boolean;
  /** A SQLite file's absolute path, or a PostgreSQL URL as written. */
  dbPath: string;
  /** PostgreSQL's password, kept out of the URL (PACING_DB_PASSWORD or its _FILE); null when the URL has it or none is needed. */
  dbPassword: string | null;
  /** "Now" for everything time-dependent: PACING_NOW, the bundled scenario's time, or the system clock. */
  clock: () => string;
  fixedNow: string | null;
  thresholds: Thresholds;
  /** The safety guards (SPEC, Safety guards). */
  guards: Omit<GuardSettings, 'confidence' | 'freshnessHours'>;
  /** PACING_CURRENCY: the plan's currency where a tracker row states none. */
  planCurrency: string | null;
  /** Steering daily budgets (SPEC, Steering budgets). */
  budgets: BudgetSettings;
  approvalTimeoutHours: number;
  checkpointRetentionDays: number;
  /** Per-campaign results of runs older than this are deleted (run summaries and the audit trail stay). */
  resultsRetentionDays: number;
  approvers: string[];
  slack: {
    botToken: string | null;
    signingSecret: string | null;
    appToken: string | null;
    port: number;
    apiUrl: string | null;
    /** The workspace and app the app was installed for: requests from any other are refused. */
    teamId: string | null;
    appId: string | null;
    alertChannel: string | null;
    approvalChannel: string | null;
    digestChannel: string | null;
    /**
     * Least time between two messages to one channel (ms). Slack allows about one a second; only a test's fake
     * Slack API, which has no such limit, is given less.
     */
    channelPaceMs: number;
    /** How long a stopping server goes on delivering queued messages (ms); the rest waits for the next start. */
    stopFlushMs: number;
  };
  schedule: { runCron: string | null; digestCron: string | null; tz: string };
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  platforms: {
    sources: Record<'google' | 'meta', Source>;
    /** Live adapters only write when this is "live"; in "dry-run" they record what they would have paused. */
    mode: 'dry-run' | 'live';
    namingPattern: string | null;
    google: {
      customerIds: string[];
      developerToken: string | null;
      loginCustomerId: string | null;
      clientId: string | null;
      clientSecret: string | null;
      refreshToken: string | null;
      apiBaseUrl: string;
      apiVersion: string;
      oauthTokenUrl: string;
    };
    meta: { accessToken: string | null; adAccountIds: string[]; apiBaseUrl: string; apiVersion: string };
  };
  /** PagerDuty Events API v2: paging is on when the routing key is set. */
  paging: { routingKey: string | null; eventsUrl: string };
  /** TRACKER_SHEET: the plan is read from this Google Sheet instead of tracker.csv (SPEC, Plans from Google Sheets). */
  sheet: SheetSettings | null;
  /** Explanations (SPEC): the model that writes the analyst's note (provider `none`: off). */
  llm: LlmSettings;
}

/** Reads `.env` in `cwd` when present; variables already in the environment win, even when empty. */
export function readEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Record<string, string | undefined> {
  const file = join(cwd, '.env');
  let fromFile: Record<string, string> = {};
  try {
    if (existsSync(file)) fromFile = parseDotenv(readFileSync(file));
  } catch (err) {
    // In a container .env is a mounted file: unreadable by the app's user, or a folder Docker made for a
    // missing source. Say so instead of crashing on the first setting.
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError('.env', `${file} cannot be read (${code}): it must be a file the app's user may read.`);
  }
  const merged: Record<string, string | undefined> = { ...fromFile, ...env };
  // An empty string counts as unset.
  for (const [k, v] of Object.entries(merged)) if (v === undefined || v.trim() === '') delete merged[k];
  return merged;
}

export function loadConfig(raw: Record<string, string | undefined> = readEnv()): Config {
  // An empty string counts as unset, however the variables were gathered.
  const set = Object.fromEntries(
    Object.entries(raw).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== ''),
  );
  const env = readSecretFiles(set);
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    // Every bad setting at once: an operator fixing them one start at a time is a slow loop.
    const problems = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? 'environment');
      if (problems.has(variable)) continue;
      const got = env[variable];
      problems.set(
        variable,
        `${variable} ${issue.message}${got === undefined || SECRET.test(variable) ? '' : ` (got "${got}")`}.`,
      );
    }
    throw configErrors(problems);
  }
  const e = parsed.data;
  if (e.HEALTHY_VARIANCE_THRESHOLD > e.WARNING_VARIANCE_THRESHOLD) {
    throw new ConfigError(
      'HEALTHY_VARIANCE_THRESHOLD',
      `HEALTHY_VARIANCE_THRESHOLD (${e.HEALTHY_VARIANCE_THRESHOLD}) must not exceed WARNING_VARIANCE_THRESHOLD (${e.WARNING_VARIANCE_THRESHOLD}).`,
    );
  }
  const bundledData = e.PACING_DATA_DIR === undefined;
  const dataDir = resolve(e.PACING_DATA_DIR ?? BUNDLED_FIXTURES);
  // A data folder may pin its own "now" (scenario.json), as the bundled demo and its variants do.
  const fixedNow = e.PACING_NOW ?? scenarioNow(dataDir);
  const fixed = fixedNow === null ? null : new Date(fixedNow).toISOString();
  // Secrets (and credentials inside configured URLs) are redacted wherever they would be written or echoed.
  registerSecrets([
    ...SECRET_SETTINGS.map((name) => e[name]),
    ...[
      e.SLACK_API_URL,
      e.GOOGLE_ADS_API_BASE_URL,
      e.GOOGLE_OAUTH_TOKEN_URL,
      e.META_GRAPH_API_BASE_URL,
      e.PAGERDUTY_EVENTS_URL,
      e.SHEETS_API_URL,
      e.LLM_BASE_URL,
    ].flatMap(urlCredentials),
    // PostgreSQL's password (a user name alone is no secret: "postgres" would be redacted from every message).
    ...(isPostgresUrl(e.PACING_DB) ? urlCredentials(e.PACING_DB).filter((c) => c !== urlUser(e.PACING_DB)) : []),
  ]);
  return {
    dataDir,
    bundledData,
    // A postgres:// URL selects PostgreSQL (kept as written); anything else is a SQLite file.
    dbPath: isPostgresUrl(e.PACING_DB) ? e.PACING_DB : resolve(e.PACING_DB),
    dbPassword: e.PACING_DB_PASSWORD ?? null,
    clock: fixed === null ? () => new Date().toISOString() : () => fixed,
    fixedNow: fixed,
    thresholds: {
      healthyVariance: e.HEALTHY_VARIANCE_THRESHOLD,
      warningVariance: e.WARNING_VARIANCE_THRESHOLD,
      confidence: e.CONFIDENCE_THRESHOLD,
      freshnessHours: e.FRESHNESS_HOURS,
      underspendAction: e.UNDERSPEND_ACTION,
    },
    guards: {
      zeroDeliveryAnyConfidence: e.ZERO_DELIVERY_ANY_CONFIDENCE,
      earlyFlightHours: e.EARLY_FLIGHT_HOURS,
      dataFaultShare: e.DATA_FAULT_SHARE,
      maxAutonomousHalts: e.MAX_AUTONOMOUS_HALTS,
      maxOrphanEscalations: e.MAX_ORPHAN_ESCALATIONS,
      humanDecisionHours: e.HUMAN_DECISION_HOURS,
    },
    planCurrency: e.PACING_CURRENCY ?? null,
    budgets: {
      actions: e.BUDGET_ACTIONS,
      triggerPct: e.BUDGET_TRIGGER_PCT,
      maxChangePct: e.MAX_BUDGET_CHANGE_PCT,
      maxAutonomousChanges: e.MAX_AUTONOMOUS_BUDGET_CHANGES,
    },
    approvalTimeoutHours: e.APPROVAL_TIMEOUT_HOURS,
    checkpointRetentionDays: e.CHECKPOINT_RETENTION_DAYS,
    resultsRetentionDays: e.RESULTS_RETENTION_DAYS,
    approvers: e.PACING_APPROVERS,
    slack: {
      botToken: e.SLACK_BOT_TOKEN ?? null,
      signingSecret: e.SLACK_SIGNING_SECRET ?? null,
      appToken: e.SLACK_APP_TOKEN ?? null,
      port: e.PORT,
      apiUrl: e.SLACK_API_URL ? e.SLACK_API_URL.replace(/\/*$/, '/') : null,
      teamId: e.SLACK_TEAM_ID ?? null,
      appId: e.SLACK_APP_ID ?? null,
      alertChannel: e.SLACK_ALERT_CHANNEL ?? null,
      approvalChannel: e.SLACK_APPROVAL_CHANNEL ?? null,
      digestChannel: e.SLACK_DIGEST_CHANNEL ?? null,
      channelPaceMs: e.SLACK_CHANNEL_PACE_MS,
      stopFlushMs: e.SLACK_STOP_FLUSH_MS,
    },
    schedule: {
      runCron: e.PACING_RUN_CRON === 'off' ? null : e.PACING_RUN_CRON,
      digestCron: e.PACING_DIGEST_CRON === 'off' ? null : e.PACING_DIGEST_CRON,
      tz: e.PACING_TZ,
    },
    logLevel: e.LOG_LEVEL,
    platforms: {
      sources: e.PACING_PLATFORMS,
      mode: e.PACING_MODE,
      namingPattern: e.PACING_NAMING_PATTERN ?? null,
      google: {
        customerIds: e.GOOGLE_ADS_CUSTOMER_IDS ?? [],
        developerToken: e.GOOGLE_ADS_DEVELOPER_TOKEN ?? null,
        loginCustomerId: e.GOOGLE_ADS_LOGIN_CUSTOMER_ID ?? null,
        clientId: e.GOOGLE_ADS_CLIENT_ID ?? null,
        clientSecret: e.GOOGLE_ADS_CLIENT_SECRET ?? null,
        refreshToken: e.GOOGLE_ADS_REFRESH_TOKEN ?? null,
        apiBaseUrl: e.GOOGLE_ADS_API_BASE_URL.replace(/\/+$/, ''),
        apiVersion: e.GOOGLE_ADS_API_VERSION,
        oauthTokenUrl: e.GOOGLE_OAUTH_TOKEN_URL,
      },
      meta: {
        accessToken: e.META_ACCESS_TOKEN ?? null,
        adAccountIds: e.META_AD_ACCOUNT_IDS ?? [],
        apiBaseUrl: e.META_GRAPH_API_BASE_URL.replace(/\/+$/, ''),
        apiVersion: e.META_API_VERSION,
      },
    },
    paging: { routingKey: e.PAGERDUTY_ROUTING_KEY ?? null, eventsUrl: e.PAGERDUTY_EVENTS_URL },
    sheet: sheetSettings(e),
    llm: llmSettings(e),
  };
}

/** The settings a live platform needs, checked when it is switched on: a missing one is named. */
export function requireLive(config: Config, platform: 'google' | 'meta'): void {
  const missing = new Map<string, string>();
  const need = (variable: string, value: unknown) => {
    if (value === null || (Array.isArray(value) && value.length === 0)) {
      missing.set(
        variable,
        `${variable} is not set, but PACING_PLATFORMS makes ${platform} live. See "Live platforms" in README.md.`,
      );
    }
  };
  if (platform === 'google') {
    const g = config.platforms.google;
    need('GOOGLE_ADS_CUSTOMER_IDS', g.customerIds);
    need('GOOGLE_ADS_CLIENT_ID', g.clientId);
    need('GOOGLE_ADS_CLIENT_SECRET', g.clientSecret);
    need('GOOGLE_ADS_REFRESH_TOKEN', g.refreshToken);
  } else {
    const m = config.platforms.meta;
    need('META_ACCESS_TOKEN', m.accessToken);
    need('META_AD_ACCOUNT_IDS', m.adAccountIds);
  }
  if (missing.size > 0) throw configErrors(missing);
}

/**
 * One ConfigError for one or more bad settings: a single one reads as before ("X must be …"); several are
 * listed one a line. `variable` names the first, as callers that check it expect.
 */
export function configErrors(problems: ReadonlyMap<string, string>): ConfigError {
  const [[first, message] = ['environment', 'The environment is invalid.']] = problems;
  if (problems.size === 1) return new ConfigError(first, message);
  return new ConfigError(
    first,
    `${problems.size} settings are invalid:\n${[...problems.values()].map((m) => `  ${m}`).join('\n')}`,
  );
}

/** The bundled demo pins its own "now" so that its data is as fresh as the story it tells. */
function scenarioNow(dataDir: string): string | null {
  const file = join(dataDir, 'scenario.json');
  if (!existsSync(file)) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError('PACING_DATA_DIR', `${file} is not valid JSON (${(err as Error).message}).`);
  }
  const parsed = z.object({ now: isoTime }).safeParse(doc);
  if (!parsed.success)
    throw new ConfigError('PACING_DATA_DIR', `${file} must hold { "now": "<ISO time with offset>" }.`);
  return parsed.data.now;
}

/** Settings whose values are never echoed, not even in an error. */
const SECRET = /TOKEN|SECRET|PASSWORD|KEY/;
