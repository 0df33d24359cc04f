// The commands about Slack's messages: `preview` (what the latest run posts, without a workspace) and
// `digest --now` (the digest sent now rather than on its schedule). Slack's modules load only here.
import { ConfigError, PlatformError } from '../errors.js';
import type { OutboxApp, ReadApp } from '../open.js';
import type { Io, Options } from './commands.js';
import { json } from './commands.js';

export async function preview(app: ReadApp, o: Options, io: Io): Promise<void> {
  const { buildPreview, previewText } = await import('../slack/preview.js');
  const p = await buildPreview(app.reads, app.config.clock(), {
    healthyVariance: app.config.thresholds.healthyVariance,
  });
  if (o.json) json(io, p);
  else io.out(previewText(p));
}

/** Where `digest --now` posts: the digest channel, else the alerts channel (as serve does), with a bot token. */
export function digestTarget(app: ReadApp): { token: string; channel: string } {
  const s = app.config.slack;
  const how = 'To see the digest without Slack: npx pacing preview.';
  if (!s.botToken)
    throw new ConfigError('SLACK_BOT_TOKEN', `digest --now posts to Slack, but SLACK_BOT_TOKEN is not set. ${how}`);
  const channel = s.digestChannel ?? s.alertChannel;
  if (!channel)
    throw new ConfigError(
      'SLACK_DIGEST_CHANNEL',
      `digest --now needs a channel: set SLACK_DIGEST_CHANNEL (or SLACK_ALERT_CHANNEL, which it falls back to). ${how}`,
    );
  return { token: s.botToken, channel };
}

/** Sends the digest (and its chart) now, as the schedule would; says whether Slack took it within 15 s. */
export async function digestNow(app: OutboxApp, o: Options, io: Io): Promise<void> {
  const { token, channel } = digestTarget(app);
  const [{ sendDigestNow }, { webClient }, { createLogger }] = await Promise.all([
    import('../slack/post-digest.js'),
    import('../slack/serve.js'),
    import('../log.js'),
  ]);
  const log = createLogger('warn');
  const { digest, statuses, refused } = await sendDigestNow(
    app.store,
    { channel, healthyVariance: app.config.thresholds.healthyVariance, timeZone: app.config.schedule.tz },
    webClient(token, app.config.slack.apiUrl, log),
    log,
    app.config.clock,
    { channelPaceMs: app.config.slack.channelPaceMs },
  );
  const sent = statuses.every((s) => s === 'sent');
  if (o.json) {
    json(io, { channel, runId: digest.latestRunId, sent, messages: statuses });
    return;
  }
  if (refused !== null) throw new PlatformError('slack', `Slack refused the digest for ${channel}: ${refused}.`);
  io.out(
    sent
      ? `Digest${digest.latestRunId ? ` of run ${digest.latestRunId}` : ''} sent to ${channel}${statuses.length > 1 ? ' with its chart' : ''}.`
      : `Digest queued for ${channel}; Slack did not take it within 15 s. \`pacing serve\` delivers it.`,
  );
}
