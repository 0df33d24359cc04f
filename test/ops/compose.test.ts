// deploy/compose.yaml as an operator runs it: two replicas on one PostgreSQL, nothing reachable from outside the
// host but what a reverse proxy forwards, and no secret where `docker inspect` shows it (environment, env_file):
// every secret the app reads is a compose secret, a file under /run/secrets/ named by its <NAME>_FILE. Checked on
// the text (no YAML parser is a dependency): the file keeps one key per line, two-space indents, and the
// replicas' shared settings in one `x-app` block that each merges.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { SECRET_SETTINGS } from '../../src/config-secrets.js';
import { ROOT } from '../fakes/pacing-cli.js';

const compose = readFileSync(join(ROOT, 'deploy', 'compose.yaml'), 'utf8');

/** The lines of a block: from `header` (at `indent`) to the next line indented as much or less. */
function block(text: string, header: string, indent: number): string[] {
  const lines = text.split('\n');
  // A header may name an anchor (`x-app: &app`).
  const at = `${' '.repeat(indent)}${header}:`;
  const start = lines.findIndex((l) => l === at || l.startsWith(`${at} &`));
  if (start < 0) throw new Error(`no "${header}:" at indent ${indent}`);
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (line.length - line.trimStart().length <= indent) break;
    out.push(line);
  }
  return out;
}
/** What both replicas merge (`<<: *app`). */
const app = block(compose, 'x-app', 0);
const appSection = (key: string) => block(app.join('\n'), key, 2);
const service = (name: string) => block(compose, name, 2);
const items = (lines: string[]) => lines.map((l) => /^\s+- (.+)$/.exec(l)?.[1]).filter((v) => v !== undefined);
const mapping = (lines: string[]) =>
  Object.fromEntries(
    lines.map((l) => /^\s+([A-Za-z_][\w]*): (.+)$/.exec(l)).flatMap((m) => (m?.[1] && m[2] ? [[m[1], m[2]]] : [])),
  );

describe('deploy/compose.yaml', () => {
  it('publishes every port on 127.0.0.1 only (Socket Mode needs none; HTTP goes through a proxy)', () => {
    const services = block(compose, 'services', 0)
      .filter((l) => /^ {2}\w/.test(l))
      .map((l) => l.trim().replace(/:$/, ''));
    expect(services).toEqual(['postgres', 'app', 'app-2', 'prometheus', 'grafana']);
    const published = services
      .filter((s) => s !== 'postgres')
      .flatMap((s) => items(block(service(s).join('\n'), 'ports', 4)));
    expect(published).toHaveLength(4);
    for (const port of published) expect(port, port).toMatch(/^"127\.0\.0\.1:\d+:\d+"$/);
    expect(items(block(service('app').join('\n'), 'ports', 4))).toEqual(['"127.0.0.1:3000:3000"']);
    expect(items(block(service('app-2').join('\n'), 'ports', 4))).toEqual(['"127.0.0.1:3002:3000"']);
    // PostgreSQL is reached on the compose network only.
    expect(service('postgres').join('\n')).not.toMatch(/^\s+ports:/m);
  });

  it('runs two replicas of one app on one PostgreSQL, started once it is healthy', () => {
    for (const replica of ['app', 'app-2']) expect(service(replica)[0]?.trim(), replica).toBe('<<: *app');
    expect(compose).toMatch(/^x-app: &app$/m);
    const env = mapping(appSection('environment'));
    // The URL carries no password: it comes from the secret both the server and the app read.
    expect(env.PACING_DB).toBe('postgres://pacing@postgres:5432/pacing');
    expect(env.PACING_DB_PASSWORD_FILE).toBe('/run/secrets/pacing_db_password');
    const postgres = service('postgres').join('\n');
    expect(postgres).toContain('POSTGRES_PASSWORD_FILE: /run/secrets/pacing_db_password');
    expect(postgres).toMatch(/POSTGRES_USER: pacing\n\s+POSTGRES_DB: pacing/);
    expect(postgres).toMatch(/healthcheck:\n\s+test: \["CMD-SHELL", "pg_isready -U pacing -d pacing"\]/);
    expect(appSection('depends_on').join('\n')).toMatch(/postgres:\n\s+condition: service_healthy/);
    expect(block(compose, 'volumes', 0).map((l) => l.trim())).toContain('postgres-data:');
  });

  it('passes no settings through env_file, and no secret through environment', () => {
    expect(compose).not.toMatch(/^\s+env_file:/m);
    const envs = {
      app: mapping(appSection('environment')),
      postgres: mapping(block(service('postgres').join('\n'), 'environment', 4)),
      grafana: mapping(block(service('grafana').join('\n'), 'environment', 4)),
    };
    for (const [name, env] of Object.entries(envs))
      for (const variable of Object.keys(env))
        expect(variable, `${name}: ${variable}`).not.toMatch(/(TOKEN|SECRET|PASSWORD|KEY)$/);
  });

  it('mounts every secret the app reads as a compose secret file, named by its _FILE', () => {
    const env = mapping(appSection('environment'));
    const mounted = items(appSection('secrets'));
    const declared = `${block(compose, 'secrets', 0).join('\n')}\n`;
    for (const name of SECRET_SETTINGS) {
      const secret = name.toLowerCase();
      expect(env[`${name}_FILE`], name).toBe(`/run/secrets/${secret}`);
      expect(mounted, name).toContain(secret);
      expect(declared, name).toContain(`  ${secret}:\n    file: ./secrets/${secret}\n`);
    }
    // Grafana's admin password the same way (Grafana's own __FILE convention).
    const grafana = service('grafana').join('\n');
    expect(grafana).toContain('GF_SECURITY_ADMIN_PASSWORD__FILE: /run/secrets/grafana_admin_password');
    expect(declared).toContain('  grafana_admin_password:\n    file: ./secrets/grafana_admin_password\n');
    // The secrets folder stays out of git (the build context already leaves deploy/ out).
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain('deploy/secrets/');
  });

  it('gives the app its settings file read-only where it reads .env, never creating a folder for a missing one', () => {
    const volumes = appSection('volumes').join('\n');
    expect(volumes).toMatch(
      /- type: bind\n\s+source: \.\.\/\.env\n\s+target: \/app\/\.env\n\s+read_only: true\n\s+bind:\n\s+create_host_path: false/,
    );
    // The image's WORKDIR, where the app looks for .env.
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/^WORKDIR \/app$/m);
  });

  it('sets only values the app accepts in its environment', () => {
    const env = mapping(appSection('environment'));
    const plain = Object.fromEntries(
      Object.entries(env)
        .filter(([k]) => !k.endsWith('_FILE'))
        .map(([k, v]) => [k, v.replace(/^"|"$/g, '')]),
    );
    expect(() => loadConfig(plain)).not.toThrow();
  });
});
