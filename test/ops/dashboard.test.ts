// The Grafana dashboard in deploy/ is built on exactly the metrics the app exports: every metric a PromQL
// expression names is in /metrics (a histogram's _bucket/_sum/_count count as the histogram), and every
// pacing_* metric the app exports is on the dashboard.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectingNotifier } from '../../src/cli/notifier.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { type OpsServer, startOpsServer } from '../../src/ops/http.js';
import { createOps, type Ops } from '../../src/ops/ops.js';
import { type App, createApp } from '../../src/wiring.js';
import { ROOT } from '../fakes/pacing-cli.js';
import { type SlackWorld, slackWorld } from '../slack/helpers.js';
import { type Exposition, parseExposition } from './prom.js';

const DASHBOARD = join(ROOT, 'deploy', 'grafana', 'pacing-dashboard.json');

interface Target {
  expr?: string;
  legendFormat?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
  fieldConfig?: {
    defaults?: { unit?: string };
    overrides?: { matcher: { id: string; options: string }; properties: { id: string; value: unknown }[] }[];
  };
}
interface Dashboard {
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: unknown }[] };
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression selects (not functions, keywords, labels, strings or Grafana variables). */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\$\{[^}]*\}|\$\w+/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\b/g, '');
  const names: string[] = [];
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const before = bare[(m.index ?? 0) - 1] ?? '';
    if (/[0-9.]/.test(before)) continue; // the exponent of a number such as 1e3
    if (
      bare
        .slice((m.index ?? 0) + m[0].length)
        .trimStart()
        .startsWith('(')
    )
      continue; // a function
    if (KEYWORDS.has(m[0].toLowerCase())) continue;
    names.push(m[0]);
  }
  return names;
}

/** Whether `name` is a series of a metric family the exposition declares. */
function exported(exp: Exposition, name: string): boolean {
  if (exp.types.has(name)) return true;
  const suffix = /_(bucket|sum|count)$/.exec(name);
  if (!suffix) return false;
  const type = exp.types.get(name.slice(0, -suffix[0].length));
  return type === 'histogram' || (type === 'summary' && suffix[1] !== 'bucket');
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

let world: SlackWorld;
let app: App;
let ops: Ops;
let server: OpsServer;
let metrics: Exposition;
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
const queries = allPanels(dashboard.panels).flatMap((p) =>
  (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr ?? '' })),
);

beforeAll(async () => {
  world = await slackWorld();
  app = await createApp(loadConfig({ ...world.env, SLACK_BOT_TOKEN: '' }), new CollectingNotifier());
  ops = createOps(app, silentLogger());
  server = await startOpsServer(0, ops.routes, silentLogger(), '127.0.0.1');
  await app.agent.run('schedule');
  const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
  metrics = parseExposition(await res.text());
});

afterAll(async () => {
  await server.close();
  ops.stop();
  await app.close();
  await world.cleanup();
});

describe('the Grafana dashboard', () => {
  it('reads metric names out of PromQL', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, platform) (rate(a_bucket{x="y", z=~"sum(b)"}[$__rate_interval])))',
      ),
    ).toEqual(['a_bucket']);
    expect(metricNames('time() - max(b_seconds) > 1e3 and on (job) c')).toEqual(['b_seconds', 'c']);
    expect(metricNames('sum(increase(d_total{outcome="failed"}[24h])) by (outcome) / 2')).toEqual(['d_total']);
  });

  it('has a Prometheus datasource variable that every panel and query uses', () => {
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(variable).toMatchObject({ name: 'datasource', query: 'prometheus' });
    for (const p of allPanels(dashboard.panels).filter((p) => p.type !== 'row')) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const t of p.targets ?? []) expect(t.datasource, p.title).toEqual(p.datasource);
    }
  });

  it('queries only metrics the app exports at /metrics', () => {
    expect(queries.length).toBeGreaterThan(20);
    for (const q of queries) {
      const names = metricNames(q.expr);
      expect(names.length, `${q.panel}: ${q.expr}`).toBeGreaterThan(0);
      for (const name of names) expect(exported(metrics, name), `${q.panel}: ${name} is not in /metrics`).toBe(true);
    }
  });

  it('shows every age in seconds as a duration (unit s), so 14400 reads as 4 hours', () => {
    // An age: a metric named …_age_seconds, or now minus a …_timestamp_seconds.
    const isAge = (expr: string) => /_age_seconds\b/.test(expr) || /time\(\)\s*-.*_timestamp_seconds\b/.test(expr);
    const ages = allPanels(dashboard.panels).flatMap((p) =>
      (p.targets ?? []).filter((t) => isAge(t.expr ?? '')).map((t) => ({ panel: p, target: t })),
    );
    expect(ages.length).toBeGreaterThanOrEqual(4);
    for (const { panel, target } of ages) {
      // The unit Grafana applies to this query's series: an override for its legend name, else the panel's.
      const override = panel.fieldConfig?.overrides?.find(
        (o) => o.matcher.id === 'byName' && o.matcher.options === target.legendFormat,
      );
      const unit = override?.properties.find((p) => p.id === 'unit')?.value ?? panel.fieldConfig?.defaults?.unit;
      expect(unit, `${panel.title}: ${target.expr}`).toBe('s');
    }
  });

  it('shows every pacing metric the app exports', () => {
    const used = new Set(queries.flatMap((q) => metricNames(q.expr)));
    const family = (n: string) => n.replace(/_(bucket|sum|count)$/, '');
    const shown = new Set([...used].map((n) => (metrics.types.has(n) ? n : family(n))));
    const pacing = [...metrics.types.keys()].filter((n) => n.startsWith('pacing_'));
    expect(pacing.length).toBeGreaterThanOrEqual(15);
    for (const name of pacing) expect(shown.has(name), `${name} is not on the dashboard`).toBe(true);
  });
});
