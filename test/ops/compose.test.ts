// deploy/compose.yaml as an operator runs it: nothing reachable from outside the host but what a reverse proxy
// forwards, and no secret where `docker inspect` shows it (environment, env_file): every secret the app reads is
// a compose secret, a file under /run/secrets/ named by its <NAME>_FILE. Checked on the text (no YAML parser is a
// dependency): the file keeps one key per line, two-space indents.
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
  const start = lines.indexOf(`${' '.repeat(indent)}${header}:`);
  if (start < 0) throw new Error(`no "${header}:" at indent ${indent}`);
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (line.length - line.trimStart().length <= indent) break;
    out.push(line);
  }
  return out;
}
const app = block(compose, 'app', 2);
const appSection = (key: string) => block(app.join('\n'), key, 4);
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
    expect(services).toEqual(['app', 'prometheus', 'grafana']);
    const published = services.flatMap((s) => items(block(block(compose, s, 2).join('\n'), 'ports', 4)));
    expect(published).toHaveLength(3);
    for (const port of published) expect(port, port).toMatch(/^"127\.0\.0\.1:\d+:\d+"$/);
    expect(items(appSection('ports'))).toEqual(['"127.0.0.1:3000:3000"']);
  });

  it('passes no settings through env_file, and no secret through environment', () => {
    expect(compose).not.toMatch(/^\s+env_file:/m);
    for (const service of ['app', 'grafana']) {
      const env = mapping(block(block(compose, service, 2).join('\n'), 'environment', 4));
      for (const name of Object.keys(env))
        expect(name, `${service}: ${name}`).not.toMatch(/(TOKEN|SECRET|PASSWORD|KEY)$/);
    }
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
    const grafana = block(compose, 'grafana', 2).join('\n');
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
