// The logging notifier sits in front of Slack's: whatever it logs, every call reaches Slack's notifier whole.
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import type { Notifier } from '../../src/agent/ports.js';
import { runFigures } from '../../src/domain/run-counts.js';
import { createLogger } from '../../src/log.js';
import { LoggingNotifier } from '../../src/slack/activity-log.js';
import { escalation, row } from '../cli/rows.js';

const quiet = createLogger('info', new Writable({ write: (_c, _e, done) => done() }));

it('passes the run figures on with the alerts, so the summary counts what the CLI counts', async () => {
  const calls: { method: string; args: unknown[] }[] = [];
  const inner = new Proxy({} as Notifier, {
    get:
      (_t, method) =>
      async (...args: unknown[]) => {
        calls.push({ method: String(method), args });
      },
  });
  const logging = new LoggingNotifier(inner, quiet);
  const rows = [
    row({ action: 'halt', pause: 'paused', escalationId: null }),
    row({ action: 'escalate', escalationId: 'esc-1' }),
  ];
  const figures = runFigures(rows, new Set(['esc-1']));
  await logging.runAlerts('run-1', rows, figures);
  await logging.escalationUpdated(escalation({ id: 'esc-1' }));
  expect(calls).toEqual([
    { method: 'runAlerts', args: ['run-1', rows, figures] },
    { method: 'escalationUpdated', args: [expect.objectContaining({ id: 'esc-1' })] },
  ]);
  expect(figures.counts.escalated).toBe(1);
});
