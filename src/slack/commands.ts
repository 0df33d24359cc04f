// /pacing: acknowledged at once; anything slow answers afterwards through respond().
import type { App as Bolt, RespondFn } from '@slack/bolt';
import type { PoolChange } from '../agent/reads.js';
import { replay } from '../agent/replay.js';
import { withOverrides } from '../config-overrides.js';
import { campaignHint, findCampaign } from '../domain/lookup.js';
import type { Escalation, ResultRow } from '../domain/records.js';
import { asPacingError, ConfigError, RunInProgress } from '../errors.js';
import type { Logger } from '../log.js';
import { runMode } from '../platforms/index.js';
import type { AgentApp } from '../wiring.js';
import { type Block, esc, modeNote, plainNote, withNote } from './views/blocks.js';
import { replayBlocks, replayText } from './views/replay.js';
import { campaignBlocks, helpBlocks, pendingBlocks, statusBlocks } from './views/status.js';

/**
 * Lets the requests already waiting be acknowledged before this one's answer is built: Slack gives each
 * command 3 seconds to be acknowledged, while the answer itself may come later. Under a burst of commands
 * this keeps every acknowledgement fast instead of queueing it behind the others' replies.
 */
const afterOtherAcks = () => new Promise<void>((resolve) => setImmediate(resolve));

/** How many of the latest runs `/pacing replay` decides again (the CLI's `--runs` chooses any number). */
export const REPLAY_RUNS = 30;

/** Starts a run unless one is in progress; resolves with a one-line summary. */
export type RunStarter = (trigger: string, actor: string) => Promise<string>;

export function registerCommands(bolt: Bolt, app: AgentApp, startRun: RunStarter, log: Logger): void {
  // Demo data or a dry run is said in every answer about runs too, as in every message the app posts.
  const note = modeNote(runMode(app.config.platforms));
  const reply = async (respond: RespondFn, blocks: unknown[], text: string): Promise<void> => {
    await respond({
      response_type: 'ephemeral',
      text: note ? `${text} (${plainNote(note)})` : text,
      blocks: withNote(blocks as Block[], note) as never,
    });
  };
  bolt.command('/pacing', async ({ command, ack, respond }) => {
    const [sub = 'status', ...rest] = command.text.trim().split(/\s+/).filter(Boolean);
    const arg = rest.join(' ');
    const user = command.user_id;
    switch (sub.toLowerCase()) {
      case 'status':
        await ack();
        await afterOtherAcks();
        if (arg) {
          const latest = await app.reads.latest();
          const rows = latest ? findCampaign(latest.results, arg) : [];
          const { escalations, poolChanges } = await lookupsOf(app, rows);
          await reply(
            respond,
            rows.length
              ? campaignBlocks(
                  rows,
                  (id) => escalations.get(id) ?? null,
                  (r) => poolChanges.get(r.key) ?? null,
                )
              : helpBlocks(
                  `No campaign matching *${esc(arg)}* in the latest run.${esc(latest ? campaignHint(arg, latest.results) : '')}`,
                ),
            `Pacing status for ${arg}`,
          );
        } else {
          await reply(respond, statusBlocks(await app.reads.latest(), await app.reads.pending()), 'Pacing status');
        }
        return;
      case 'pending':
        await ack();
        await afterOtherAcks();
        await reply(respond, pendingBlocks(await app.reads.pending()), 'Escalations awaiting a decision');
        return;
      case 'run': {
        if (!app.agent.mayDecide(user, 'slack')) {
          await ack({ response_type: 'ephemeral', text: notApprover(app) });
          return;
        }
        const since = (await app.reads.runLock())?.acquiredAt;
        if (since) {
          await ack({
            response_type: 'ephemeral',
            text: `A pacing run is already in progress (since ${since}); try again when it has finished.`,
          });
          return;
        }
        await ack({
          response_type: 'ephemeral',
          text: 'Starting a pacing run… I will post the summary here when it is done.',
        });
        startRun('slack', user)
          .then((summary) =>
            respond({ response_type: 'ephemeral', text: note ? `${summary}\n_${plainNote(note)}_` : summary }),
          )
          .catch((err: unknown) =>
            respond({
              response_type: 'ephemeral',
              text: err instanceof RunInProgress ? err.message : `The run failed: ${asPacingError(err).message}`,
            }),
          )
          .catch((err: unknown) => log.warn({ err }, 'could not answer /pacing run'));
        return;
      }
      case 'replay': {
        if (!app.agent.mayDecide(user, 'slack')) {
          await ack({ response_type: 'ephemeral', text: notApprover(app) });
          return;
        }
        let overridden: ReturnType<typeof withOverrides>;
        try {
          overridden = withOverrides(app.config, rest);
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          await ack({
            response_type: 'ephemeral',
            text: `${err.message} Try: /pacing replay CONFIDENCE_THRESHOLD=60`,
          });
          return;
        }
        await ack({
          response_type: 'ephemeral',
          text: `Replaying the latest ${REPLAY_RUNS} runs… I will answer here. Nothing is changed.`,
        });
        replay(app.reads, overridden.config, overridden.settings, { runs: REPLAY_RUNS })
          .then((report) => reply(respond, replayBlocks(report), replayText(report)))
          .catch((err: unknown) =>
            respond({ response_type: 'ephemeral', text: `The replay failed: ${asPacingError(err).message}` }),
          )
          .catch((err: unknown) => log.warn({ err }, 'could not answer /pacing replay'));
        return;
      }
      case 'help':
        await ack({ response_type: 'ephemeral', blocks: helpBlocks(), text: 'Pacing Agent help' });
        return;
      default:
        await ack({
          response_type: 'ephemeral',
          blocks: helpBlocks(`I don't know \`${esc(sub)}\`. Here is what I can do:`),
          text: 'Pacing Agent help',
        });
    }
  });
}

export function notApprover(app: AgentApp): string {
  return app.config.approvers.length === 0
    ? 'No approvers are configured (PACING_APPROVERS), so nobody can do this from Slack. Ask the operator to set it.'
    : `Only approvers can do this. Ask one of ${app.config.approvers.map((u) => `<@${u}>`).join(', ')}.`;
}

/** What a status reply shows beside the rows (as many as it shows): their escalations and pool changes. */
async function lookupsOf(
  app: AgentApp,
  rows: readonly ResultRow[],
): Promise<{ escalations: Map<string, Escalation | null>; poolChanges: Map<string, PoolChange | null> }> {
  const escalations = new Map<string, Escalation | null>();
  const poolChanges = new Map<string, PoolChange | null>();
  for (const r of rows.slice(0, 5)) {
    if (r.escalationId && !escalations.has(r.escalationId))
      escalations.set(r.escalationId, await app.reads.escalation(r.escalationId));
    poolChanges.set(r.key, await app.reads.poolChangeFor(r));
  }
  return { escalations, poolChanges };
}
