// Structured logs (pino) on stderr, with secrets redacted by key and by shape before they are written.
import pino from 'pino';
import { redact } from './redact.js';

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
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as pino.DestinationStream,
  );
}

export const silentLogger = (): Logger => pino({ level: 'silent' });
