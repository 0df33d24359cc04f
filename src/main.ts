// `npm start`: with Slack settings, the Slack app; without, one pacing cycle over the configured data (the
// bundled demo by default), then what to do next. With arguments (`node dist/main.js serve`, as the container
// runs it) it is the `pacing` command itself: a missing Slack setting is then an error, not a demo run.
import { main as cli } from './cli/cli.js';
import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';

async function start(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.length > 0) return cli(argv);
  let bundled = true;
  let hasSlack = false;
  try {
    const config = loadConfig();
    bundled = config.bundledData;
    hasSlack = config.slack.botToken !== null;
    if (bundled && !hasSlack) {
      process.stdout.write(
        `Using the bundled demo data (fixtures/), as of ${config.fixedNow ?? 'now'};\nset PACING_DATA_DIR for your own.\n\n`,
      );
    }
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
  }
  if (hasSlack) return cli(['serve']);
  const code = await cli(['run']);
  if (code !== 0) return code;
  // Within 80 columns: the steps are read on a laptop's terminal.
  process.stdout.write(`
Next:
  npx pacing pending                         escalations waiting for an approver
  npx pacing approve <id> --user U0123ABCD   carry one out
  npx pacing reject <id> --user U0123ABCD    overrule it (add --reason "…")
  npx pacing status <campaign>               one campaign, its cause and remedy
  npx pacing audit                           what the agent decided and did
${hasSlack ? '' : '  Connect Slack: see "Slack" in README.md\n  (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, channels).\n'}`);
  return 0;
}

process.exitCode = await start();
