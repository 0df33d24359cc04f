#!/usr/bin/env node
// The one check that talks to a real model provider (SPEC, Explanations): the bundled demo run with the provider
// named by LLM_PROVIDER / LLM_MODEL / LLM_API_KEY (and LLM_BASE_URL), in a throw-away database. It runs only when a
// key is set, outside `npm test`, so the suite never calls a provider: `npm run smoke:llm`.
// It passes when the run succeeds, the model was asked and at least one note was kept (grounded), every answer dropped
// has its reason in the audit, and the key appears nowhere in what the app printed or stored.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const keyFile = process.env.LLM_API_KEY_FILE;
const key = process.env.LLM_API_KEY || (keyFile ? readFileSync(keyFile, 'utf8').trim() : '');
if (!key) {
  console.log('smoke:llm: LLM_API_KEY (or LLM_API_KEY_FILE) is not set, so nothing was sent to a provider.');
  process.exit(0);
}
if (!['openai', 'anthropic'].includes(process.env.LLM_PROVIDER ?? '') || !process.env.LLM_MODEL) {
  console.error('smoke:llm: set LLM_PROVIDER (openai or anthropic) and LLM_MODEL beside the key.');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'pacing-smoke-llm-'));
const env = { ...process.env, PACING_DB: join(dir, 'pacing.db'), SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '' };
const bin = new URL('../dist/cli/bin.js', import.meta.url).pathname;
const pacing = (...args) => spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 180_000 });

let failed = false;
const fail = (what) => {
  failed = true;
  console.error(`smoke:llm: ${what}`);
};
try {
  const started = Date.now();
  const run = pacing('run', '--json');
  if (run.status !== 0) fail(`the run exited ${run.status}: ${run.stderr.slice(0, 400)}`);
  const results = run.status === 0 ? JSON.parse(run.stdout).results : [];
  const audit = pacing('audit', '--json');
  const events = audit.status === 0 ? JSON.parse(audit.stdout).events : [];
  const added = events.filter((e) => e.type === 'explanation_added');
  const rejected = events.filter((e) => e.type === 'explanation_rejected');
  const explained = results.filter((r) => r.explanation);
  const usage = added.reduce(
    (sum, e) => ({ input: sum.input + (e.details?.usage?.input ?? 0), output: sum.output + (e.details?.usage?.output ?? 0) }),
    { input: 0, output: 0 },
  );
  console.log(
    `smoke:llm: ${process.env.LLM_PROVIDER} ${process.env.LLM_MODEL} in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
      `${added.length} notes kept, ${rejected.length} dropped; ${usage.input} tokens in, ${usage.output} out.`,
  );
  for (const e of rejected.slice(0, 5)) console.log(`  dropped ${e.campaignId ?? e.platformCampaignId}: ${e.details?.reason}`);
  const first = explained[0];
  if (first) console.log(`  ${first.campaignId}: ${first.explanation.summary}`);
  if (added.length + rejected.length === 0) fail('the model was never asked (no explanation_added or explanation_rejected).');
  else if (added.length === 0) fail('no note was kept: every answer was dropped (the reasons are above).');
  if (rejected.some((e) => typeof e.details?.reason !== 'string' || e.details.reason === ''))
    fail('a dropped answer has no reason in the audit.');
  // A fresh database: every note kept is a new one, audited once.
  if (explained.length !== added.length) fail(`${explained.length} rows carry a note, but the audit records ${added.length}.`);
  const stored = readdirSync(dir).map((f) => readFileSync(join(dir, f)).toString('latin1'));
  if ([run.stdout, run.stderr, audit.stdout, ...stored].some((text) => text.includes(key)))
    fail('the key appears in the output or the database.');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
