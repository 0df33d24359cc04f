// `pacing serve`: checks the Slack settings, starts the Bolt app, the outbox dispatcher and the schedules,
// and stops all of them cleanly on SIGTERM.
import { WebClient } from '@slack/web-api';
import { type Config, configErrors } from '../config.js';
import { ConfigError, RunInProgress } from '../errors.js';
import type { Logger } from '../log.js';
import { type OpsServer, startOpsServer } from '../ops/http.js';
import { createOps } from '../ops/ops.js';
import { type Paging, startPaging } from '../ops/pager.js';
import { runMode } from '../platforms/index.js';
import { startSchedules, validateSchedules } from '../schedule/jobs.js';
import { createApp } from '../wiring.js';
import { LoggingNotifier } from './activity-log.js';
import { createBolt } from './app.js';
import { Dispatcher } from './dispatcher.js';
import { SlackNotifier } from './notifier.js';
import { slackPageLinks } from './page-links.js';
import { postDigest } from './post-digest.js';
import { slackLogger } from './slack-logger.js';
import { modeNote } from './views/blocks.js';
import { summaryText } from './views/summary.js';

export interface Server {
  /** The port HTTP is served on: Slack's requests in HTTP mode, /healthz, /readyz and /metrics in both modes. */
  port: number | null;
  mode: 'http' | 'socket';
  stop(): Promise<void>;
}

export function requireSlack(config: Config): {
  token: string;
  channels: { alert: string; approval: string; digest: string };
} {
  const s = config.slack;
  // Every missing setting at once: a new operator should not meet them one start at a time.
  const missing = new Map<string, string>();
  if (!s.botToken)
    missing.set(
      'SLACK_BOT_TOKEN',
      'SLACK_BOT_TOKEN is not set: serve needs the bot token (xoxb-…) from the Slack app\'s "OAuth & Permissions" page.',
    );
  if (!s.appToken && !s.signingSecret)
    missing.set(
      'SLACK_SIGNING_SECRET',
      'Set SLACK_SIGNING_SECRET (HTTP mode, from "Basic Information") or SLACK_APP_TOKEN (Socket Mode, xapp-…).',
    );
  if (!s.approvalChannel)
    missing.set(
      'SLACK_APPROVAL_CHANNEL',
      'SLACK_APPROVAL_CHANNEL is not set: escalations need a channel (its id, e.g. C0123ABCD).',
    );
  if (!s.alertChannel)
    missing.set(
      'SLACK_ALERT_CHANNEL',
      'SLACK_ALERT_CHANNEL is not set: alerts need a channel (its id, e.g. C0123ABCD).',
    );
  if (missing.size > 0 || !s.botToken || !s.alertChannel || !s.approvalChannel) throw configErrors(missing);
  return {
    token: s.botToken,
    channels: { alert: s.alertChannel, approval: s.approvalChannel, digest: s.digestChannel ?? s.alertChannel },
  };
}

/**
 * A Web API client that fails fast: the outbox retries durably, so the client must not retry for 30 minutes. It
 * logs through ours, redacted (its own console logger would print SLACK_API_URL's credentials).
 */
export function webClient(token: string, apiUrl: string | null, log: Logger): WebClient {
  return new WebClient(token, {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    logger: slackLogger(log, 'web-api'),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  });
}

/** auth.test with a message a person can act on. */
export async function verifyToken(
  client: WebClient,
  apiUrl: string | null,
): Promise<{ botId?: string; botUserId?: string; team?: string; teamId?: string; appId?: string }> {
  try {
    const res = await client.auth.test();
    return {
      ...(res.bot_id ? { botId: res.bot_id } : {}),
      ...(res.user_id ? { botUserId: res.user_id } : {}),
      ...(res.team ? { team: res.team } : {}),
      ...(res.team_id ? { teamId: res.team_id } : {}),
      ...(res.app_id ? { appId: res.app_id } : {}),
    };
  } catch (err) {
    const e = err as { data?: { error?: string }; message?: string };
    if (e.data?.error) {
      throw new ConfigError(
        'SLACK_BOT_TOKEN',
        `Slack refused SLACK_BOT_TOKEN (${e.data.error}). Copy the bot token again from the app's "OAuth & Permissions" page.`,
      );
    }
    throw new ConfigError(
      'SLACK_API_URL',
      `Cannot reach Slack at ${apiUrl ?? 'https://slack.com/api/'}: ${e.message ?? String(err)}. Check the network or SLACK_API_URL.`,
    );
  }
}

export async function serve(config: Config, log: Logger): Promise<Server> {
  const { token, channels } = requireSlack(config);
  validateSchedules(config.schedule);
  const client = webClient(token, config.slack.apiUrl, log);
  const identity = await verifyToken(client, config.slack.apiUrl);
  const installed = installation(config, identity, log);

  let dispatcher: Dispatcher | null = null;
  let paging: Paging | null = null;
  const kick = () => {
    dispatcher?.kick();
    // Decisions and expiries may settle (or fail) a pause: paging looks again.
    paging?.nudge();
  };
  // Demo data or a dry run is said at start and in every message, so nobody takes it for real spend.
  const dataMode = runMode(config.platforms);
  const note = modeNote(dataMode);
  if (dataMode.demo.length)
    log.warn(
      { platforms: dataMode.demo, dataDir: config.dataDir },
      'Serving demo data: platforms are read from fixture files (PACING_PLATFORMS), not real ad accounts. Every Slack message will say "demo data".',
    );
  if (dataMode.dryRun.length)
    log.warn(
      { platforms: dataMode.dryRun },
      'Dry run (PACING_MODE=dry-run): nothing is paused; every Slack message says so.',
    );
  const app = await createApp(
    config,
    (store) =>
      new LoggingNotifier(new SlackNotifier(store, channels, config.clock, kick, note), log.child({ module: 'agent' })),
  );
  dispatcher = new Dispatcher(app.store, client, log.child({ module: 'outbox' }), config.clock, {
    channelPaceMs: config.slack.channelPaceMs,
    // A halt or a question Slack refused pages (when paging is on).
    onRefused: () => paging?.nudge(),
  });
  // Health and metrics (/healthz, /readyz, /metrics), fed by every run from here on.
  const ops = createOps(app, log.child({ module: 'ops' }));
  ops.readiness.tokenVerified();

  let inFlight: Promise<unknown> | null = null;
  const startRun = async (trigger: string, actor: string): Promise<string> => {
    const run = app.agent.run(trigger, actor);
    inFlight = run;
    try {
      const report = await run;
      // Questions this run asked, apart from those still open from earlier runs.
      const summary = summaryText(report, await app.reads.openedIn(report.runId));
      log.info(
        {
          runId: report.runId,
          trigger,
          actor,
          bySeverity: report.summary.bySeverity,
          byAction: report.summary.byAction,
          invalidRows: report.summary.invalidRows,
          platformErrors: report.platformErrors.length,
          durationMs: report.summary.durationMs,
        },
        summary,
      );
      return summary;
    } finally {
      inFlight = null;
      kick();
    }
  };
  const digestSettings = {
    channel: channels.digest,
    healthyVariance: config.thresholds.healthyVariance,
    timeZone: config.schedule.tz,
    note,
  };
  const sendDigest = async () => {
    // Tracked like a click: a digest still drawing its chart at SIGTERM is queued before the database closes.
    await track(postDigest(app.store, digestSettings, config.clock(), log.child({ module: 'digest' })));
    kick();
  };

  // Clicks still being carried out when SIGTERM comes are waited for before the database closes.
  const working = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    working.add(work);
    void work.finally(() => working.delete(work)).catch(() => {});
    return work;
  };

  const bolt = createBolt(
    {
      token,
      signingSecret: config.slack.signingSecret,
      appToken: config.slack.appToken,
      apiUrl: config.slack.apiUrl,
      botId: identity.botId,
      botUserId: identity.botUserId,
      installed,
      routes: ops.routes,
    },
    app,
    log,
    startRun,
    kick,
    track,
  );
  const mode = config.slack.appToken ? 'socket' : 'http';
  let opsServer: OpsServer | null = null;
  try {
    if (mode === 'http') await bolt.start(config.slack.port);
    else {
      // Socket Mode has no HTTP receiver: health and metrics get a small server of their own on PORT.
      opsServer = await startOpsServer(config.slack.port, ops.routes, log.child({ module: 'ops' }));
      // Socket Mode keeps retrying a connection it cannot open: give it a bounded time to come up.
      await Promise.race([
        bolt.start(),
        sleep(SOCKET_START_MS).then(() => Promise.reject(new Error('no connection within 30 s'))),
      ]);
    }
  } catch (err) {
    await bolt.stop().catch(() => {});
    await opsServer?.close();
    ops.stop();
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (mode === 'socket' && opsServer) {
      throw new ConfigError(
        'SLACK_APP_TOKEN',
        `Socket Mode could not connect to Slack (${(err as Error).message}). Check SLACK_APP_TOKEN (an app-level token with connections:write) and that Socket Mode is enabled for the app.`,
      );
    }
    throw new ConfigError(
      'PORT',
      code === 'EADDRINUSE'
        ? `PORT ${config.slack.port} is already in use.`
        : `The Slack app could not listen on PORT ${config.slack.port}: ${(err as Error).message}`,
    );
  }

  await app.agent.catchUp();
  // Messages refused before (a channel the bot was not in yet) get another chance after a restart, and
  // escalations opened while Slack was not configured are announced now.
  await app.store.outbox.retryFailed();
  await app.agent.announceUnposted(async (id) => (await app.store.outbox.announcement(id)) !== null);
  dispatcher.start();
  // PagerDuty (when PAGERDUTY_ROUTING_KEY is set): evaluated now, after every run, when kicked and every minute.
  paging = await startPaging(app, config, log.child({ module: 'paging' }), {
    links: slackPageLinks(app.store, client),
  });
  const schedules = startSchedules(
    config.schedule,
    {
      run: () =>
        startRun('schedule', 'agent').catch((err: unknown) => {
          if (err instanceof RunInProgress) log.info(err.message);
          else throw err;
        }),
      digest: sendDigest,
      expire: async () => {
        await app.agent.catchUp();
        kick();
      },
    },
    log.child({ module: 'schedule' }),
    // Replicas on one PostgreSQL database each fire every tick: the one whose claim lands runs it.
    (job, scheduledAt) => app.store.ticks.claim(job, scheduledAt),
  );
  ops.readiness.schedulerStarted(Object.keys(schedules.next()));
  log.info(
    { mode, port: config.slack.port, team: identity.team, schedules: schedules.next() },
    'Pacing Agent is serving Slack',
  );

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      schedules.stop();
      ops.readiness.schedulerStopped();
      await bolt.stop().catch(() => {});
      await opsServer?.close();
      // Let a run and clicks in progress finish (bounded), so their results and audit land before the database closes.
      const pending = [...working, ...(inFlight ? [inFlight] : [])].map((p) => p.catch(() => {}));
      if (pending.length) await Promise.race([Promise.all(pending), sleep(30_000)]);
      await dispatcher?.flush(config.slack.stopFlushMs);
      await dispatcher?.stop();
      await paging?.stop(5_000);
      ops.stop();
      await app.close();
    })();
    return stopping;
  };
  return { port: config.slack.port, mode, stop };
}

/**
 * The workspace and app whose requests are acted on: the settings when given (they must agree with the token),
 * else what auth.test reported. Without an app id the app check is off, and the operator is told how to set it.
 */
function installation(
  config: Config,
  identity: { teamId?: string; appId?: string },
  log: Logger,
): { teamId: string | null; appId: string | null } {
  const { teamId, appId } = config.slack;
  if (teamId && identity.teamId && teamId !== identity.teamId)
    throw new ConfigError(
      'SLACK_TEAM_ID',
      `SLACK_TEAM_ID ${teamId} is not the workspace of SLACK_BOT_TOKEN (${identity.teamId}). Fix one of them.`,
    );
  if (appId && identity.appId && appId !== identity.appId)
    throw new ConfigError(
      'SLACK_APP_ID',
      `SLACK_APP_ID ${appId} is not the app of SLACK_BOT_TOKEN (${identity.appId}). Fix one of them.`,
    );
  const installed = { teamId: teamId ?? identity.teamId ?? null, appId: appId ?? identity.appId ?? null };
  if (installed.teamId === null)
    log.warn(
      'Slack did not say which workspace the token belongs to: set SLACK_TEAM_ID so requests from others are refused.',
    );
  if (installed.appId === null)
    log.warn(
      'Slack did not say which app the token belongs to: set SLACK_APP_ID so requests for other apps are refused.',
    );
  return installed;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SOCKET_START_MS = 30_000;
