// The operations side of `pacing serve`: readiness, metrics and the routes that expose them, fed by the agent.
import type { Logger } from '../log.js';
import type { App } from '../wiring.js';
import { Readiness } from './health.js';
import { type OpsRoute, opsRoutes } from './http.js';
import { createMetrics, type Metrics } from './metrics.js';

export interface Ops {
  readiness: Readiness;
  metrics: Metrics;
  routes: OpsRoute[];
  /** Stops listening to runs and platform calls (before the store closes). */
  stop(): void;
}

export function createOps(app: App, log: Logger): Ops {
  const readiness = new Readiness(app.store, app.config.clock);
  const metrics = createMetrics(app.store, app.config.clock, log);
  const stopListening = app.agent.onRunEnd(async (end) => {
    metrics.runEnded(end);
    await readiness.runEnded(end);
  });
  return {
    readiness,
    metrics,
    routes: opsRoutes(readiness, metrics, log),
    stop: () => {
      stopListening();
      metrics.stop();
    },
  };
}
