// The command line: parse arguments, build the app, run one command, map failures to exit codes.
import type { WebClient } from '@slack/web-api';
import { loadConfig } from '../config.js';
import { asPacingError, isBusy, PacingError } from '../errors.js';
import type { Logger } from '../log.js';
import { openOutbox, openReader, type ReadApp } from '../open.js';
import { redactText } from '../redact.js';
import type { Server } from '../slack/serve.js';
import type { App } from '../wiring.js';
import { COMMANDS, type Command, checkUsage, commandHint, type Parsed, parse } from './args.js';
import * as commands from './commands.js';
import { UsageError } from './commands.js';
import { CollectingNotifier, TeeNotifier } from './notifier.js';
import { optimise } from './optimise.js';
import { progressReporter } from './progress.js';
import { replayCommand } from './replay.js';
import { restoreBudget } from './restore-budget.js';
import { digestNow, preview } from './slack-commands.js';

// Within 80 columns: help is read in whatever terminal is at hand.
export const HELP = `Usage: npx pacing <command> [options]

Commands:
  run [--all]                           run one pacing cycle now
  status [campaign] [--csv] [--all]     the latest run, or one campaign's detail
  pending                               escalations waiting for a decision
  approve <escalation-id> --user <id>   carry out what the escalation proposes
                                        (<campaign-id>: its one open question)
  reject <escalation-id> --user <id> [--reason <text>]
                                        overrule it: nothing is done, and the
                                        override is recorded
  audit [--campaign <id>] [--type <type>] [--run <run-id>] [--limit <n>]
                                        the audit trail, oldest first
  resume-campaign <campaign-id> --user <id>
  resume-campaign <google|meta> <platform-campaign-id> --user <id>
                                        undo a halt: resume it on its platform
  restore-budget <campaign-id> --user <id>
  restore-budget <google|meta> <platform-campaign-id> --user <id>
                                        undo the agent's last budget change
  report [--by market|product|platform|owner|currency] [--csv]
                                        the latest run totalled per group,
                                        each currency apart
  optimise [--pool <name>]              the daily budgets that land each budget
                                        pool on its total (latest run)
  replay [--runs <n>] [--since <YYYY-MM-DD>] [--set KEY=VALUE]...
                                        what stored runs would have done under
                                        other decision or guard settings
                                        (e.g. --set CONFIDENCE_THRESHOLD=60);
                                        writes nothing
  preview                               the latest run's Slack messages,
                                        without a workspace
  digest --now                          send the digest to Slack now
  serve                                 run the Slack app (HTTP or Socket Mode)
                                        with its schedules
  migrate [--from <sqlite-file>]        bring the database's schema up to date;
                                        --from copies a SQLite database into
                                        an empty PostgreSQL one (PACING_DB)
  help                                  this text

Options:
  --json   print one JSON document on stdout (run, status, pending, audit,
           approve, reject, restore-budget, report, optimise, replay,
           preview, digest, migrate)
  --csv    print RFC 4180 CSV with a header row on stdout (status, report)
  --all    list every row of a large run (past 100 rows the table lists only
           those that need attention)

Configuration comes from the environment and .env (see README).
Exit status: 0 when the command did its job, 1 when it could not (bad
configuration, unreadable data, unknown or already decided escalation),
2 for usage errors.`;

/** The hint under a usage error: one line, instead of the whole help. */
export const USAGE_HINT = 'Run `npx pacing help` for the commands and their options.';

const usage = (io: commands.Io, err: UsageError): number => {
  io.err(`pacing: ${err.message}${err.showHelp ? `\n${USAGE_HINT}` : ''}`);
  return 2;
};

export async function main(argv: string[], io: commands.Io = defaultIo()): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (err) {
    if (err instanceof UsageError) return usage(io, err);
    throw err;
  }
  const { command, args, options } = parsed;
  if (command === 'help' || command === undefined) {
    io.out(HELP);
    return command === undefined ? 2 : 0;
  }
  if (!(COMMANDS as readonly string[]).includes(command))
    return usage(io, new UsageError(`unknown command "${command}".${commandHint(command)}`));
  try {
    checkUsage(command as Command, args, options);
  } catch (err) {
    if (err instanceof UsageError) return usage(io, err);
    throw err;
  }
  if (command === 'serve') return serveUntilSignal(io);

  const notifier = new CollectingNotifier();
  let app: ReadApp | null = null;
  let slack: { client: WebClient; log: Logger } | null = null;
  try {
    const config = loadConfig();
    if (command === 'migrate') {
      const { migrate } = await import('./migrate.js');
      await migrate(config, options, io);
      return 0;
    }
    // The digest needs the database (its outbox) and Slack, not the agent.
    if (command === 'digest') {
      const outbox = await openOutbox(config);
      app = outbox;
      await digestNow(outbox, options, io);
      return 0;
    }
    // A replay reads the database opened read-only and never catches up: it must leave the file as it was.
    if (command === 'replay') {
      await replayCommand(config, options, io);
      return 0;
    }
    // A read command answers from the database alone unless housekeeping is due (an expired question, a
    // decision or pause a stopped process left half done): then the whole agent loads and catches up first.
    if (READS.has(command)) {
      const reader = await openReader(config);
      app = reader;
      if (!(await reader.reads.needsCatchUp(config.clock()))) {
        await read(command, reader, args, options, io);
        return 0;
      }
      await reader.close();
      app = null;
    }
    // With Slack configured, messages are queued in the database and delivered now or by the server.
    const channels = { alert: config.slack.alertChannel, approval: config.slack.approvalChannel };
    const useSlack = config.slack.botToken !== null && (channels.alert !== null || channels.approval !== null);
    // Slack's modules load only when Slack is configured: they cost a third of a second at start-up.
    const slackModules = useSlack ? await loadSlack() : null;
    if (slackModules) {
      const log = slackModules.createLogger('warn');
      slack = { client: slackModules.webClient(config.slack.botToken as string, config.slack.apiUrl, log), log };
    }
    const { createApp } = await import('../wiring.js');
    const full = await createApp(
      config,
      slackModules
        ? (store) => new TeeNotifier([notifier, new slackModules.SlackNotifier(store, channels, config.clock)])
        : notifier,
      command === 'run' ? progressReporter(process.stderr) : undefined,
    );
    app = full;
    if (command !== 'run') await full.agent.catchUp();
    switch (command) {
      case 'run': {
        let failure: unknown;
        try {
          await commands.run(full, notifier, options, io);
        } catch (err) {
          failure = err;
          throw err;
        } finally {
          await page(full, failure);
        }
        break;
      }
      case 'approve':
        await commands.decide(full, args[0] as string, 'approved', options, io);
        break;
      case 'reject':
        await commands.decide(full, args[0] as string, 'overridden', options, io);
        break;
      case 'resume-campaign':
        await commands.resumeCampaign(full, args, options, io);
        break;
      case 'restore-budget':
        await restoreBudget(full, args, options, io);
        break;
      default:
        await read(command, full, args, options, io);
    }
    if (slack) await deliver(full, slack, io);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) return usage(io, err);
    io.err(
      redactText(
        `pacing: ${err instanceof PacingError ? err.message : isBusy(err) ? await busy(app) : unexpected(err)}`,
      ),
    );
    return 1;
  } finally {
    await app?.close();
  }
}

/** With PAGERDUTY_ROUTING_KEY set, a run pages what needs a person (and resolves what cleared) before exiting. */
async function page(app: App, failure: unknown): Promise<void> {
  if (!app.config.paging.routingKey) return;
  const [{ pageAfterRun }, { createLogger }] = await Promise.all([import('../ops/pager.js'), import('../log.js')]);
  await pageAfterRun(app, app.config, createLogger('warn'), { error: failure, trigger: 'cli' });
}

/** The commands that only read: they never need the agent unless housekeeping is due. */
const READS = new Set(['status', 'pending', 'audit', 'report', 'optimise', 'preview']);

async function read(
  command: string,
  app: ReadApp,
  args: readonly string[],
  options: commands.Options,
  io: commands.Io,
): Promise<void> {
  switch (command) {
    case 'status':
      return commands.status(app, args[0], options, io);
    case 'pending':
      return commands.pending(app, options, io);
    case 'audit':
      return commands.audit(app, options, io);
    case 'report':
      return commands.report(app, options, io);
    case 'optimise':
      return optimise(app, options, io);
    case 'preview':
      return preview(app, options, io);
  }
}

/** Delivers what the command queued for Slack, for a few seconds; a running server delivers the rest. */
async function deliver(app: App, slack: { client: WebClient; log: Logger }, io: commands.Io): Promise<void> {
  const { Dispatcher } = await import('../slack/dispatcher.js');
  let refused = 0;
  const dispatcher = new Dispatcher(app.store, slack.client, slack.log, app.config.clock, {
    channelPaceMs: app.config.slack.channelPaceMs,
    onRefused: () => refused++,
  });
  const left = await dispatcher.flush(15_000);
  if (left > 0) io.err(`${left} Slack message(s) are queued; \`pacing serve\` delivers them.`);
  // A halt or a question Slack refused pages now, not at the next run.
  if (refused > 0) await page(app, null);
}

async function serveUntilSignal(io: commands.Io): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    io.err(redactText(`pacing: ${err instanceof PacingError ? err.message : unexpected(err)}`));
    return 1;
  }
  const { createLogger, serve } = await loadSlack();
  const log = createLogger(config.logLevel);
  let server: Server;
  try {
    server = await serve(config, log);
  } catch (err) {
    io.err(redactText(`pacing: ${err instanceof PacingError ? err.message : unexpected(err)}`));
    return 1;
  }
  io.err(
    server.mode === 'http'
      ? `Pacing Agent is listening on port ${server.port} (POST /slack/events). Stop with Ctrl-C.`
      : 'Pacing Agent is connected to Slack over Socket Mode. Stop with Ctrl-C.',
  );
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      io.err(`${signal}: stopping…`);
      server.stop().then(
        () => resolve(0),
        (err: unknown) => {
          io.err(redactText(`pacing: stopping failed: ${unexpected(err)}`));
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    watchNpmParent(() => stop('npm exited'));
  });
}

/**
 * `npx pacing serve` (or `npm start`): a supervisor's SIGTERM reaches npm, which exits without passing it on, and
 * this process would keep serving (and holding PORT) with nobody to stop it. When npm started us and is gone (we
 * were handed to another parent), stop as if told to. Not done otherwise: `node dist/main.js serve` started from a
 * shell that then exits keeps running, as a daemon would.
 */
function watchNpmParent(stop: () => void): void {
  if (!process.env.npm_execpath) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop();
  }, 500);
  timer.unref();
}

async function loadSlack() {
  const [{ createLogger }, { SlackNotifier }, { serve, webClient }] = await Promise.all([
    import('../log.js'),
    import('../slack/notifier.js'),
    import('../slack/serve.js'),
  ]);
  return { createLogger, SlackNotifier, serve, webClient };
}

/** SQLite stayed locked past its busy timeout: say who holds the run lock, if anyone. */
async function busy(app: ReadApp | null): Promise<string> {
  let holder = '';
  try {
    const h = await app?.reads.runLock();
    if (h) holder = ` Run ${h.holder} (process ${h.pid}) has held the run lock since ${h.acquiredAt}.`;
  } catch {
    // The lock table cannot be read either: say what we know.
  }
  return `The database (PACING_DB) stayed locked for more than 5 s: another Pacing Agent process is writing to it.${holder} Try again when it has finished.`;
}

function unexpected(err: unknown): string {
  const { message } = asPacingError(err);
  return `unexpected failure: ${message}${process.env.LOG_LEVEL === 'debug' && err instanceof Error ? `\n${err.stack}` : ' (set LOG_LEVEL=debug for details)'}`;
}

function defaultIo(): commands.Io {
  // A reader that stops early (`pacing run | head`) is not a failure: the rest of the output is dropped, and the
  // command still finishes its work (delivery, paging) instead of dying on an unhandled EPIPE.
  let closed = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed = true;
  });
  return {
    out: (t) => {
      if (!closed) process.stdout.write(`${t}\n`);
    },
    err: (t) => process.stderr.write(`${t}\n`),
    columns: terminalColumns(process.env.COLUMNS, process.stdout),
  };
}

/**
 * How wide the output may be: COLUMNS when it is a width (set by hand or exported by the shell), else the
 * terminal's own width; unknown (the table's default) for a file or a pipe.
 */
export function terminalColumns(
  columns: string | undefined,
  stdout: { isTTY?: boolean; columns?: number },
): number | undefined {
  const fromEnv = columns?.trim();
  if (fromEnv && /^\d+$/.test(fromEnv) && Number(fromEnv) >= 20) return Number(fromEnv);
  return stdout.isTTY && stdout.columns && stdout.columns > 0 ? stdout.columns : undefined;
}
