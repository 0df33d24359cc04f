// The command line's words: which commands and options exist, and how a typo in either is answered.
import { parseArgs } from 'node:util';
import { isReportBy, REPORT_BY } from '../domain/report.js';
import { closest } from '../domain/suggest.js';
import type { Options } from './commands.js';
import { UsageError } from './commands.js';

/** Every command `pacing` knows, in the order help lists them. */
export const COMMANDS = [
  'run',
  'status',
  'pending',
  'approve',
  'reject',
  'audit',
  'resume-campaign',
  'restore-budget',
  'report',
  'optimise',
  'replay',
  'preview',
  'digest',
  'serve',
  'migrate',
  'help',
] as const;
export type Command = (typeof COMMANDS)[number];

const OPTIONS = {
  json: { type: 'boolean', default: false },
  csv: { type: 'boolean', default: false },
  all: { type: 'boolean', default: false },
  now: { type: 'boolean', default: false },
  by: { type: 'string' },
  user: { type: 'string' },
  reason: { type: 'string' },
  campaign: { type: 'string' },
  type: { type: 'string' },
  run: { type: 'string' },
  limit: { type: 'string' },
  pool: { type: 'string' },
  from: { type: 'string' },
  runs: { type: 'string' },
  since: { type: 'string' },
  set: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** " Did you mean status?" for a command typed wrong, or "". */
export function commandHint(typed: string): string {
  const near = closest(
    typed,
    COMMANDS.map((id) => ({ id })),
    1,
  );
  return near[0] ? ` Did you mean ${near[0].id}?` : '';
}

/** " Did you mean --json?" for an option typed wrong, or "". */
function optionHint(typed: string): string {
  const near = closest(
    typed.replace(/^-+/, '').split('=')[0] ?? '',
    Object.keys(OPTIONS).map((id) => ({ id })),
    1,
  );
  return near[0] ? ` Did you mean --${near[0].id}?` : '';
}

/**
 * Node's parser explains its errors in its own words ("To specify a positional argument starting with a '-'…"):
 * say what was wrong in ours, with the nearest option when it is a typo.
 */
function parserError(err: unknown, numberMessages: Record<string, string>): UsageError {
  const code = (err as { code?: unknown }).code;
  const message = (err as Error).message;
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown option ${option}.${optionHint(option)}`);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // `--limit -1`, `--runs -1`, `--limit --json` (a value that starts with a dash is ambiguous to parseArgs) or
    // no value: say what the option takes.
    const numberMessage = numberMessages[option];
    if (numberMessage) return new UsageError(numberMessage);
    if (/does not take an argument/.test(message)) return new UsageError(`${option} takes no value.`);
    return new UsageError(`${option} needs a value.`);
  }
  return new UsageError(message);
}

export interface Parsed {
  command: string | undefined;
  args: string[];
  options: Options;
}

export function parse(argv: string[]): Parsed {
  // --limit: digits only (no sign, decimal point, exponent or hex), and at most a million rows, so that the
  // number reaches SQLite as an integer it takes (99999999999999999999 does not fit: "datatype mismatch").
  const maxLimit = 1_000_000;
  const limitMessage = `--limit takes a whole number from 1 to ${maxLimit}.`;
  const runsMessage = `--runs takes a whole number from 1 to ${maxLimit}.`;
  let result: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>>;
  try {
    result = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (err) {
    throw parserError(err, { '--limit': limitMessage, '--runs': runsMessage });
  }
  const { values, positionals } = result;
  const limitText = values.limit?.trim();
  const limit = limitText === undefined ? undefined : /^\d+$/.test(limitText) ? Number(limitText) : Number.NaN;
  if (limit !== undefined && !(limit >= 1 && limit <= maxLimit)) throw new UsageError(limitMessage);
  if (values.json && values.csv) throw new UsageError('--json and --csv do not go together: choose one.');
  const by = values.by?.trim();
  if (by !== undefined && !isReportBy(by))
    throw new UsageError(`--by takes one of ${REPORT_BY.join(', ')} (not "${values.by}").`);
  const runsText = values.runs?.trim();
  const runs = runsText === undefined ? undefined : /^\d+$/.test(runsText) ? Number(runsText) : Number.NaN;
  if (runs !== undefined && !(runs >= 1 && runs <= maxLimit)) throw new UsageError(runsMessage);
  const since = values.since?.trim();
  if (since !== undefined && !isDay(since))
    throw new UsageError(`--since takes a date as YYYY-MM-DD, such as 2026-11-01 (not "${values.since}").`);
  const [command, ...args] = positionals;
  const options: Options = {
    json: values.json,
    csv: values.csv,
    all: values.all,
    now: values.now,
    by,
    user: values.user,
    reason: values.reason,
    campaign: values.campaign,
    type: values.type,
    run: values.run,
    limit,
    pool: values.pool,
    from: values.from,
    runs,
    since,
    set: values.set,
  };
  return { command: values.help ? 'help' : command, args, options };
}

/** What each command needs beyond its name, checked before anything loads (a usage error exits 2). */
export function checkUsage(command: Command, args: readonly string[], o: Options): void {
  const need = (n: number, what: string) => {
    if (args.length < n) throw new UsageError(`${command} needs ${what}.`);
  };
  if (command === 'approve' || command === 'reject')
    need(1, 'an escalation id (or a plan campaign id with one open question)');
  if (command === 'resume-campaign' || command === 'restore-budget')
    need(1, "the plan's campaign id, or a platform and its campaign id (google 123…)");
  // The README promises a usage error: the decision is not attempted without knowing who takes it.
  if (
    (command === 'approve' || command === 'reject' || command === 'resume-campaign' || command === 'restore-budget') &&
    !o.user?.trim()
  )
    throw new UsageError(`${command} needs --user <slack-user-id> (one of PACING_APPROVERS when set).`);
  if (o.csv && command !== 'status' && command !== 'report') throw new UsageError('--csv is for status and report.');
  if (o.by !== undefined && command !== 'report') throw new UsageError('--by is for report.');
  if (o.all && command !== 'run' && command !== 'status') throw new UsageError('--all is for run and status.');
  if (o.now && command !== 'digest') throw new UsageError('--now is for digest.');
  if (o.pool !== undefined && command !== 'optimise') throw new UsageError('--pool is for optimise.');
  if (o.from !== undefined && command !== 'migrate') throw new UsageError('--from is for migrate.');
  if (o.from !== undefined && !o.from.trim()) throw new UsageError('--from needs the SQLite file to copy.');
  if (command !== 'replay' && (o.runs !== undefined || o.since !== undefined || o.set !== undefined))
    throw new UsageError(
      `${o.set !== undefined ? '--set' : o.runs !== undefined ? '--runs' : '--since'} is for replay.`,
    );
  if (command === 'digest' && !o.now)
    throw new UsageError('digest needs --now (PACING_DIGEST_CRON sends it on its schedule while serve runs).');
}

/** A calendar day written YYYY-MM-DD that exists (no 2026-02-30). */
function isDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const t = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === text;
}
