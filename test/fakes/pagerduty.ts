// A local stand-in for PagerDuty's Events API v2 on 127.0.0.1, answering as PagerDuty does and refusing what it
// refuses. Point PAGERDUTY_EVENTS_URL at `fake.url`.
//
// Wire format (developer.pagerduty.com, Events API v2 "Send an Alert Event" and "Response Codes & Retry Logic"):
// - POST /v2/enqueue, `application/json`: `routing_key` (32 characters), `event_action` (trigger | acknowledge |
//   resolve), `dedup_key` (≤ 255 characters; optional on a trigger, then PagerDuty makes one up), and on a trigger a
//   `payload` with `summary` (≤ 1,024), `source`, `severity` (critical | error | warning | info), optional
//   `timestamp`, `component`, `group`, `class`, `custom_details`; beside the payload, optional `links`
//   (`[{href, text?}]`, href an http(s) URL) and `images`.
// - 202 `{status: "success", message: "Event processed", dedup_key}`; 400 `{status: "invalid event", message:
//   "Event object is invalid", errors: [...]}`; 429 when rate limited; 5xx on its own trouble.
// - Alerts: a trigger opens one for its dedup key, or adds to the one open; a resolve closes it; after that a trigger
//   with the same key opens a new one, and an acknowledge or resolve without an open alert is dropped.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PagerDutyRequest {
  at: number;
  path: string;
  contentType: string;
  /** The parsed body, or the raw text when it was not JSON. */
  body: Record<string, unknown> | string;
  status: number;
  response: unknown;
}

export interface FakeAlert {
  routingKey: string;
  dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  /** Trigger events applied to it (the first opened it). */
  triggers: number;
  summary: string;
}

export interface FakePagerDuty {
  url: string;
  requests: PagerDutyRequest[];
  /** Every alert ever opened, in order (a dedup key triggered again after its resolve is a second alert). */
  alerts: FakeAlert[];
  /** Events accepted (202), in order. */
  accepted(): Record<string, unknown>[];
  /** The next `n` events are answered 429 (PagerDuty's rate limit), with `Retry-After` when given (seconds). */
  rateLimitNext(n?: number, retryAfterSeconds?: number): void;
  /** The next `n` events are answered with this 5xx. */
  failNext(n: number, status?: number): void;
  /** The next `n` events are refused (400) with these errors, as PagerDuty refuses an invalid event. */
  refuseNext(n: number, errors: string[]): void;
  waitFor(pred: (r: PagerDutyRequest) => boolean, timeoutMs?: number): Promise<PagerDutyRequest>;
  close(): Promise<void>;
}

const ACTIONS = new Set(['trigger', 'acknowledge', 'resolve']);
const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

/** PagerDuty's own checks of an event, as the sentences of its `errors` list. */
export function validate(event: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';
  if (blank(event.routing_key)) errors.push("'routing_key' is missing or blank");
  else if ((event.routing_key as string).length !== 32)
    errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  if (blank(event.event_action)) errors.push("'event_action' is missing or blank");
  else if (!ACTIONS.has(event.event_action as string))
    errors.push("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)");
  if (event.dedup_key !== undefined) {
    if (typeof event.dedup_key !== 'string') errors.push("'dedup_key' must be a string");
    else if (event.dedup_key.length > 255) errors.push("Length of 'dedup_key' is too long (maximum is 255 characters)");
  }
  if (event.event_action === 'acknowledge' || event.event_action === 'resolve') {
    if (blank(event.dedup_key)) errors.push("'dedup_key' is missing or blank");
  }
  if (event.event_action === 'trigger') {
    const p = event.payload;
    if (!p || typeof p !== 'object' || Array.isArray(p)) errors.push("'payload' is missing or not an object");
    else {
      const payload = p as Record<string, unknown>;
      if (blank(payload.summary)) errors.push("'payload.summary' is missing or blank");
      else if ((payload.summary as string).length > 1024)
        errors.push("Length of 'payload.summary' is too long (maximum is 1024 characters)");
      if (blank(payload.source)) errors.push("'payload.source' is missing or blank");
      if (blank(payload.severity)) errors.push("'payload.severity' is missing or blank");
      else if (!SEVERITIES.has(payload.severity as string))
        errors.push("'payload.severity' is invalid (must be one of: critical, error, warning, info)");
      if (payload.timestamp !== undefined && Number.isNaN(Date.parse(String(payload.timestamp))))
        errors.push("'payload.timestamp' is not a valid ISO 8601 time");
      if (
        payload.custom_details !== undefined &&
        (payload.custom_details === null || typeof payload.custom_details !== 'object')
      )
        errors.push("'payload.custom_details' must be an object");
    }
  }
  if (event.links !== undefined) {
    if (!Array.isArray(event.links)) errors.push("'links' must be an array");
    else
      event.links.forEach((link: unknown, i) => {
        const l = link as { href?: unknown; text?: unknown } | null;
        if (!l || typeof l !== 'object') errors.push(`'links[${i}]' must be an object`);
        else if (typeof l.href !== 'string' || !/^https?:\/\/\S+$/.test(l.href))
          errors.push(`'links[${i}].href' must be an http or https URL`);
        else if (l.text !== undefined && typeof l.text !== 'string') errors.push(`'links[${i}].text' must be a string`);
      });
  }
  return errors;
}

export async function startFakePagerDuty(): Promise<FakePagerDuty> {
  const requests: PagerDutyRequest[] = [];
  const alerts: FakeAlert[] = [];
  const waiters: { pred: (r: PagerDutyRequest) => boolean; resolve: (r: PagerDutyRequest) => void }[] = [];
  let rateLimited = 0;
  let retryAfter: number | undefined;
  let failing = 0;
  let failStatus = 500;
  let refusing = 0;
  let refusal: string[] = [];

  const record = (r: PagerDutyRequest) => {
    requests.push(r);
    for (const w of [...waiters]) {
      if (w.pred(r)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(r);
      }
    }
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
      const path = (req.url ?? '').split('?')[0] ?? '';
      const answer = (status: number, response: unknown, body: Record<string, unknown> | string, headers = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(response));
        record({ at: Date.now(), path, contentType, body, status, response });
      };
      if (req.method !== 'POST' || path !== '/v2/enqueue') {
        answer(404, { status: 'not found', message: 'Not found' }, text);
        return;
      }
      let event: Record<string, unknown>;
      try {
        const parsed = JSON.parse(text) as unknown;
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        event = parsed as Record<string, unknown>;
      } catch {
        answer(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Malformed JSON'] }, text);
        return;
      }
      if (rateLimited > 0) {
        rateLimited--;
        answer(
          429,
          {
            status: 'throttle event',
            message: 'Requests for this service are arriving too quickly. Please retry later.',
          },
          event,
          retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) },
        );
        return;
      }
      if (failing > 0) {
        failing--;
        answer(failStatus, { status: 'error', message: 'Internal Server Error' }, event);
        return;
      }
      const refused = refusing > 0;
      if (refused) refusing--;
      const errors = refused ? [...refusal] : validate(event);
      if (contentType !== 'application/json') errors.push('Content-Type must be application/json');
      if (errors.length > 0) {
        answer(400, { status: 'invalid event', message: 'Event object is invalid', errors }, event);
        return;
      }
      const routingKey = event.routing_key as string;
      const dedupKey = typeof event.dedup_key === 'string' ? event.dedup_key : randomUUID().replaceAll('-', '');
      const open = alerts.find(
        (a) => a.routingKey === routingKey && a.dedupKey === dedupKey && a.status !== 'resolved',
      );
      if (event.event_action === 'trigger') {
        if (open) open.triggers++;
        else
          alerts.push({
            routingKey,
            dedupKey,
            status: 'triggered',
            triggers: 1,
            summary: String((event.payload as { summary: string }).summary),
          });
      } else if (open) {
        open.status = event.event_action === 'resolve' ? 'resolved' : 'acknowledged';
      }
      answer(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey }, event);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v2/enqueue`,
    requests,
    alerts,
    accepted: () =>
      requests
        .filter((r) => r.status === 202 && typeof r.body === 'object')
        .map((r) => r.body as Record<string, unknown>),
    rateLimitNext: (n = 1, seconds?: number) => {
      rateLimited = n;
      retryAfter = seconds;
    },
    failNext: (n: number, status = 500) => {
      failing = n;
      failStatus = status;
    },
    refuseNext: (n: number, errors: string[]) => {
      refusing = n;
      refusal = errors;
    },
    waitFor: (pred, timeoutMs = 10_000) => {
      const seen = requests.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching PagerDuty event in time')), timeoutMs);
        waiters.push({
          pred,
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
