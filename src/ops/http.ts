// /healthz, /readyz and /metrics: as Bolt custom routes beside /slack/events in HTTP mode (no Slack signature
// needed), and on a small server of their own on PORT in Socket Mode, which has no HTTP receiver.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { Readiness } from './health.js';
import type { Metrics } from './metrics.js';

/** The shape of Bolt's CustomRoute, kept here so this module does not load Bolt. */
export interface OpsRoute {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export function opsRoutes(readiness: Readiness, metrics: Metrics, log: Logger): OpsRoute[] {
  const send = (req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const json = (req: IncomingMessage, res: ServerResponse, status: number, body: unknown) =>
    send(req, res, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);
  // Bolt does not catch what a custom route throws: every handler answers, whatever happens.
  const guarded =
    (what: string, handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void) =>
    (req: IncomingMessage, res: ServerResponse) => {
      Promise.resolve()
        .then(() => handle(req, res))
        .catch((err: unknown) => {
          log.error({ err: { message: (err as Error).message }, route: what }, 'operations endpoint failed');
          if (!res.headersSent) json(req, res, 500, { status: 'error' });
          else res.end();
        });
    };
  const methods = ['GET', 'HEAD'];
  return [
    {
      path: '/healthz',
      method: methods,
      handler: guarded('/healthz', (req, res) => json(req, res, 200, { status: 'ok' })),
    },
    {
      path: '/readyz',
      method: methods,
      handler: guarded('/readyz', async (req, res) => {
        const report = await readiness.report();
        json(req, res, report.status === 'ready' ? 200 : 503, report);
      }),
    },
    {
      path: '/metrics',
      method: methods,
      handler: guarded('/metrics', async (req, res) => send(req, res, 200, metrics.contentType, await metrics.text())),
    },
  ];
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

/** Serves only `routes` on `port` (Socket Mode); anything else is a 404. Rejects when the port cannot be had. */
export function startOpsServer(port: number, routes: OpsRoute[], log: Logger, host?: string): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes.find((r) => r.path === path);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found\n');
      return;
    }
    if (!route.method.includes(req.method ?? '')) {
      res.writeHead(405, { allow: route.method.join(', '), 'content-type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed\n');
      return;
    }
    route.handler(req, res);
  });
  // Probes and scrapers open a connection per request: do not keep idle sockets that delay shutdown.
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, ...(host ? { host } : {}) }, () => {
      server.off('error', reject);
      server.on('error', (err) => log.error({ err: { message: err.message } }, 'operations server failed'));
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}
