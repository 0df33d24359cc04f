// Bundles the two entry points (`dist/cli/bin.js`, the `pacing` command, and `dist/main.js`, `npm start`) over
// tsc's output, so a command loads a few files instead of hundreds: start-up is mostly module loading (zod,
// LangGraph and our own modules, ~400 files), and a read command must start within 3× a bare `node -e 0`.
// Code that is loaded on demand (Slack, the agent) becomes chunks loaded by the same dynamic imports.
// Left external: native or rarely-loaded packages (better-sqlite3, Slack, logging, charts, metrics, schedules,
// Google sign-in for Sheets, the language-model providers, loaded only when LLM_PROVIDER names one).
// The other files tsc wrote stay in dist/ for the benchmark and for tools that import modules one by one.
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

// The chunks of the previous build are named by their hash: remove them, or dist/ grows with every build.
const OUTPUTS = 'dist/.bundle-outputs.json';
const ENTRIES = ['dist/cli/bin.js', 'dist/main.js'];
if (existsSync(OUTPUTS)) {
  for (const file of JSON.parse(readFileSync(OUTPUTS, 'utf8'))) {
    if (!ENTRIES.some((e) => file === e || file === `${e}.map`)) rmSync(file, { force: true });
  }
}

const result = await build({
  metafile: true,
  entryPoints: ENTRIES,
  outdir: 'dist',
  outbase: 'dist',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // CommonJS packages inside an ES module bundle (dotenv) call require: give them the real one.
  banner: { js: "import { createRequire as __pacingRequire } from 'node:module'; const require = __pacingRequire(import.meta.url);" },
  external: [
    'better-sqlite3',
    '@slack/*',
    'pino',
    'pino-*',
    'vega',
    'vega-*',
    '@resvg/*',
    'prom-client',
    'node-schedule',
    // Loaded only when a run reads the plan from Google Sheets with a service account.
    'google-auth-library',
    '@langchain/openai',
    '@langchain/anthropic',
  ],
});
writeFileSync(OUTPUTS, JSON.stringify(Object.keys(result.metafile.outputs)));
chmodSync('dist/cli/bin.js', 0o755);
