// Structured logs (pino) on stderr, with secrets redacted by key and by shape before they are written.
import pino from 'pino';
import { redact, redactText } from './redact.js';

export type Logger = pino.Logger;

export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      level,
      base: { app: 'pacing-agent' },
      redact: {
        paths: [
          'token',
          '*.token',
          'headers.authorization',
          '*.headers.authorization',
          'config.slack.botToken',
          'config.slack.signingSecret',
          'config.slack.appToken',
        ],
        censor: '[redacted]',
      },
      formatters: { log: (obj) => redact(obj) },
      // formatters.log sees only the object: the message string, its interpolated values, and an error's message
      // (pino's msg when none is given) are redacted here.
      hooks: {
        logMethod(args, method) {
          const [first, ...rest] = args as unknown[];
          if (typeof first === 'string') return method.apply(this, [redactText(first), ...rest.map(redact)] as never);
          const err = first instanceof Error ? first : (first as { err?: unknown } | null)?.err;
          if (rest.length === 0 && err instanceof Error && (first as { msg?: unknown }).msg === undefined)
            return method.apply(this, [first, redactText(err.message)] as never);
          return method.apply(this, [first, ...rest.map(redact)] as never);
        },
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as pino.DestinationStream,
  );
}

export const silentLogger = (): Logger => pino({ level: 'silent' });
