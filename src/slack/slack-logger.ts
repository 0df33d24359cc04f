// The logger Slack's libraries (Bolt and its WebClient, or our own WebClient) write through: pino underneath, so
// their lines are redacted like ours. Left to its default console logger, WebClient prints request URLs raw,
// credentials in SLACK_API_URL included.
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../log.js';
import { redactText } from '../redact.js';

export function slackLogger(log: Logger, module = 'slack'): SlackLogger {
  const child = log.child({ module });
  let level = LogLevel.INFO;
  // WebClient logs every request body at debug: only a line that will be written is built and redacted.
  const at =
    (lvl: 'debug' | 'info' | 'warn' | 'error') =>
    (...m: unknown[]) => {
      if (child.isLevelEnabled(lvl)) child[lvl](redactText(m.map(String).join(' ')));
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
