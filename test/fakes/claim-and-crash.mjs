// Simulates a process killed (kill -9) after it claimed a decision but before it resumed the escalation's
// thread: opens the app from the built dist/, claims the decision in the database, and SIGKILLs itself.
// Usage: node test/fakes/claim-and-crash.mjs <escalation-id> <approved|overridden> <user>
// Configuration comes from the environment, as for the CLI.
import { loadConfig } from '../../dist/config.js';
import { createApp } from '../../dist/wiring.js';

const [id, decision, user] = process.argv.slice(2);
const silent = { alert: async () => {}, escalationOpened: async () => {}, escalationClosed: async () => {} };
const config = loadConfig();
const app = await createApp(config, silent);
const claim = await app.store.escalations.claim(id, decision, user, config.clock(), null);
if (!claim.claimed) {
  process.stderr.write(`could not claim ${id}: ${claim.escalation?.status ?? 'no such escalation'}\n`);
  process.exit(3);
}
process.stdout.write(`claimed ${id}\n`);
// No close, no resume: the process dies here, as under kill -9.
process.kill(process.pid, 'SIGKILL');
