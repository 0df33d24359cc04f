// The logger Slack's libraries (Bolt and its WebClient, or our own WebClient) write through: pino underneath, so
// their lines are redacted like ours. Left to its default console logger, WebClient prints request URLs raw,
// credentials in SLACK_API_URL included.
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../log.js';
import { redactText } from '../redact.js';

export function slackLogger(log: Logger, module = 'slack'): SlackLogger {
  const child = log.child({ module });
  let level = LogLevel.INFO;
  const line = (m: unknown[]) => redactText(m.map(String).join(' '));
  return {
    debug: (...m: unknown[]) => child.debug(line(m)),
    info: (...m: unknown[]) => child.info(line(m)),
    warn: (...m: unknown[]) => child.warn(line(m)),
    error: (...m: unknown[]) => child.error(line(m)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
