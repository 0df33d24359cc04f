// Builds requests the way Slack sends them to an app's Request URL, signed the way Slack signs them, and posts them
// to a Bolt HTTP receiver (`${baseUrl}/slack/events` by default).
//
// Signing (api.slack.com "Verifying requests from Slack"): `X-Slack-Request-Timestamp: <unix seconds>` and
// `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:<timestamp>:<raw body>")>`.
// Bolt 5.1 refuses (HTTP 401) a bad signature and a timestamp more than 5 minutes in the past.
//
// Bodies:
// - slash commands: `application/x-www-form-urlencoded` fields (command, text, user_id, channel_id, response_url…);
// - interactivity (block_actions, view_submission): `application/x-www-form-urlencoded` with one field,
//   `payload=<JSON>`;
// - Events API: `application/json` envelope of type `event_callback`.
// Bolt compares the form content type with `===`: `application/x-www-form-urlencoded;charset=UTF-8` (what fetch sets
// for a URLSearchParams body) would be parsed as JSON and fail, so the content type here is set exactly.
import { createHmac, randomBytes } from 'node:crypto';
import { FAKE_SLACK } from './slack-api.js';

export interface SignOptions {
  /** Sign with the wrong secret: Bolt answers 401. */
  badSignature?: boolean;
  /** Send a correctly signed request whose timestamp is 6 minutes old: Bolt answers 401. */
  stale?: boolean;
  /** Use this timestamp (unix seconds) instead of now. */
  timestamp?: number;
  /** Add `X-Slack-Retry-Num` (Slack's redelivery counter, 1-3) and `X-Slack-Retry-Reason`. */
  retryNum?: number;
  /** Defaults to 'http_timeout' when retryNum is given. */
  retryReason?: string;
  /** Path on the receiver (default `/slack/events`). */
  path?: string;
  /** Extra headers. */
  headers?: Record<string, string>;
}

export interface SlackDelivery {
  status: number;
  /** The raw response body (Bolt's ack body: empty, a string, or JSON text). */
  body: string;
  /** The body parsed as JSON when it is JSON, else undefined. */
  json: unknown;
  headers: Headers;
  /** The exact body that was sent (and signed). */
  sent: string;
}

/** `v0=` + hex HMAC-SHA256 of `v0:${timestamp}:${rawBody}` keyed by the signing secret. */
export function slackSignature(signingSecret: string, timestamp: number | string, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** Posts an already-built body, signed as Slack signs it. */
export async function sendSigned(
  baseUrl: string,
  signingSecret: string,
  rawBody: string,
  contentType: 'application/x-www-form-urlencoded' | 'application/json',
  opts: SignOptions = {},
): Promise<SlackDelivery> {
  const now = Math.floor(Date.now() / 1000);
  const timestamp = opts.timestamp ?? (opts.stale ? now - 6 * 60 : now);
  const secret = opts.badSignature ? `${signingSecret}-wrong` : signingSecret;
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    'X-Slack-Request-Timestamp': String(timestamp),
    'X-Slack-Signature': slackSignature(secret, timestamp, rawBody),
    'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...(opts.retryNum !== undefined
      ? { 'X-Slack-Retry-Num': String(opts.retryNum), 'X-Slack-Retry-Reason': opts.retryReason ?? 'http_timeout' }
      : {}),
    ...(opts.headers ?? {}),
  };
  const url = `${baseUrl.replace(/\/+$/, '')}${opts.path ?? '/slack/events'}`;
  const res = await fetch(url, { method: 'POST', headers, body: rawBody });
  const body = await res.text();
  let json: unknown;
  try {
    json = body.length > 0 ? (JSON.parse(body) as unknown) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, body, json, headers: res.headers, sent: rawBody };
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

let seq = 0;
function triggerId(): string {
  seq += 1;
  return `${Date.now()}.${1000 + seq}.${randomBytes(16).toString('hex')}`;
}
function actionTs(): string {
  const ms = Date.now();
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000 + (seq % 1000)).padStart(6, '0')}`;
}

/** A response_url that refuses connections, so a test that forgot to give one never reaches real Slack. */
export const UNREACHABLE_RESPONSE_URL = 'http://127.0.0.1:9/respond/not-configured';

interface Workspace {
  teamId?: string;
  teamDomain?: string;
  apiAppId?: string;
  userName?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Slash commands

export interface SlashCommandArgs extends Workspace {
  text: string;
  userId: string;
  channelId: string;
  /** Where respond() posts; use fake.responseUrl(). Defaults to UNREACHABLE_RESPONSE_URL. */
  responseUrl?: string;
  command?: string;
  triggerId?: string;
  channelName?: string;
}

export function slashCommandBody(a: SlashCommandArgs): Record<string, string> {
  return {
    token: 'deprecated-verification-token',
    team_id: a.teamId ?? FAKE_SLACK.teamId,
    team_domain: a.teamDomain ?? FAKE_SLACK.teamDomain,
    channel_id: a.channelId,
    channel_name: a.channelName ?? (a.channelId.startsWith('D') ? 'directmessage' : a.channelId.toLowerCase()),
    user_id: a.userId,
    user_name: a.userName ?? a.userId.toLowerCase(),
    command: a.command ?? '/pacing',
    text: a.text,
    api_app_id: a.apiAppId ?? FAKE_SLACK.appId,
    is_enterprise_install: 'false',
    response_url: a.responseUrl ?? UNREACHABLE_RESPONSE_URL,
    trigger_id: a.triggerId ?? triggerId(),
  };
}

export function slashCommand(
  baseUrl: string,
  signingSecret: string,
  args: SlashCommandArgs,
  opts?: SignOptions,
): Promise<SlackDelivery> {
  return sendSigned(baseUrl, signingSecret, form(slashCommandBody(args)), 'application/x-www-form-urlencoded', opts);
}

// ---------------------------------------------------------------------------------------------------------------
// block_actions

export interface BlockActionArgs extends Workspace {
  userId: string;
  actionId: string;
  value?: string;
  /**
   * 'message' (default): a button in a channel message (container type message, with `message` and `channel`).
   * 'ephemeral': a button in an ephemeral message (no `message` object, container.is_ephemeral true).
   * 'home' / 'modal': a button in a view (container type view, `view` instead of `message`/`channel`; Slack
   * sends no response_url for these).
   */
  surface?: 'message' | 'ephemeral' | 'home' | 'modal';
  responseUrl?: string;
  channelId?: string;
  messageTs?: string;
  /** The message text Slack echoes back in `message.text`. */
  messageText?: string;
  triggerId?: string;
  /** The blocks of the message/view that holds the button (echoed back; block_id and button text looked up here). */
  blocks?: unknown[];
  blockId?: string;
  /** Button label; found in `blocks` when omitted. */
  buttonText?: string;
  /** Element type (default 'button'). For static_select pass selectedOption. */
  actionType?: string;
  selectedOption?: { text: { type: 'plain_text'; text: string }; value: string };
  viewId?: string;
  privateMetadata?: string;
  callbackId?: string;
  /** state.values Slack sends along (input values in the surface). */
  stateValues?: Record<string, Record<string, unknown>>;
  botUserId?: string;
  botId?: string;
}

function findElement(blocks: unknown[] | undefined, actionId: string): { blockId?: string; text?: string } | undefined {
  for (const b of blocks ?? []) {
    if (typeof b !== 'object' || b === null) continue;
    const block = b as { block_id?: string; elements?: unknown[]; accessory?: unknown; element?: unknown };
    const candidates = [...(block.elements ?? []), block.accessory, block.element];
    for (const el of candidates) {
      if (typeof el !== 'object' || el === null) continue;
      const e = el as { action_id?: string; text?: { text?: string } };
      if (e.action_id === actionId) {
        return {
          ...(block.block_id !== undefined ? { blockId: block.block_id } : {}),
          ...(e.text?.text !== undefined ? { text: e.text.text } : {}),
        };
      }
    }
  }
  return undefined;
}

export function blockActionPayload(a: BlockActionArgs): Record<string, unknown> {
  const surface = a.surface ?? 'message';
  const teamId = a.teamId ?? FAKE_SLACK.teamId;
  const found = findElement(a.blocks, a.actionId);
  const actionType = a.actionType ?? 'button';
  const action: Record<string, unknown> = {
    type: actionType,
    action_id: a.actionId,
    block_id: a.blockId ?? found?.blockId ?? 'actions',
    action_ts: actionTs(),
  };
  if (actionType === 'button') {
    action.text = { type: 'plain_text', text: a.buttonText ?? found?.text ?? 'Button', emoji: true };
    if (a.value !== undefined) action.value = a.value;
  } else if (a.selectedOption) {
    action.selected_option = a.selectedOption;
  } else if (a.value !== undefined) {
    action.value = a.value;
  }
  const base: Record<string, unknown> = {
    type: 'block_actions',
    user: {
      id: a.userId,
      username: a.userName ?? a.userId.toLowerCase(),
      name: a.userName ?? a.userId.toLowerCase(),
      team_id: teamId,
    },
    api_app_id: a.apiAppId ?? FAKE_SLACK.appId,
    token: 'deprecated-verification-token',
    trigger_id: a.triggerId ?? triggerId(),
    team: { id: teamId, domain: a.teamDomain ?? FAKE_SLACK.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    state: { values: a.stateValues ?? {} },
    actions: [action],
  };
  if (surface === 'home' || surface === 'modal') {
    const viewId = a.viewId ?? 'V0FAKEVIEW1';
    base.container = { type: 'view', view_id: viewId };
    base.view = {
      id: viewId,
      team_id: teamId,
      type: surface,
      blocks: a.blocks ?? [],
      private_metadata: a.privateMetadata ?? '',
      callback_id: a.callbackId ?? '',
      state: { values: a.stateValues ?? {} },
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      app_id: a.apiAppId ?? FAKE_SLACK.appId,
      bot_id: a.botId ?? FAKE_SLACK.botId,
      ...(surface === 'modal' ? { title: { type: 'plain_text', text: 'Pacing' }, root_view_id: viewId } : {}),
    };
    return base;
  }
  const channelId = a.channelId ?? 'C0FAKECHAN1';
  const messageTs = a.messageTs ?? '1732100000.000100';
  base.container = {
    type: 'message',
    message_ts: messageTs,
    channel_id: channelId,
    is_ephemeral: surface === 'ephemeral',
  };
  base.channel = { id: channelId, name: channelId.toLowerCase() };
  base.response_url = a.responseUrl ?? UNREACHABLE_RESPONSE_URL;
  if (surface === 'message') {
    base.message = {
      type: 'message',
      user: a.botUserId ?? FAKE_SLACK.botUserId,
      bot_id: a.botId ?? FAKE_SLACK.botId,
      app_id: a.apiAppId ?? FAKE_SLACK.appId,
      team: teamId,
      ts: messageTs,
      text: a.messageText ?? '',
      blocks: a.blocks ?? [],
    };
  }
  return base;
}

export function blockAction(
  baseUrl: string,
  signingSecret: string,
  args: BlockActionArgs,
  opts?: SignOptions,
): Promise<SlackDelivery> {
  const raw = form({ payload: JSON.stringify(blockActionPayload(args)) });
  return sendSigned(baseUrl, signingSecret, raw, 'application/x-www-form-urlencoded', opts);
}

// ---------------------------------------------------------------------------------------------------------------
// view_submission

export interface ViewSubmissionArgs extends Workspace {
  userId: string;
  callbackId: string;
  privateMetadata?: string;
  /** state.values: `{ [block_id]: { [action_id]: { type: 'plain_text_input', value: '…' } } }`. */
  values?: Record<string, Record<string, unknown>>;
  viewId?: string;
  blocks?: unknown[];
  title?: string;
  triggerId?: string;
  /** When the modal has response_url_enabled inputs, Slack sends these; Bolt's respond() uses the first. */
  responseUrls?: { block_id: string; action_id: string; channel_id: string; response_url: string }[];
  externalId?: string;
}

export function viewSubmissionPayload(a: ViewSubmissionArgs): Record<string, unknown> {
  const teamId = a.teamId ?? FAKE_SLACK.teamId;
  const viewId = a.viewId ?? 'V0FAKEVIEW1';
  return {
    type: 'view_submission',
    team: { id: teamId, domain: a.teamDomain ?? FAKE_SLACK.teamDomain },
    user: {
      id: a.userId,
      username: a.userName ?? a.userId.toLowerCase(),
      name: a.userName ?? a.userId.toLowerCase(),
      team_id: teamId,
    },
    api_app_id: a.apiAppId ?? FAKE_SLACK.appId,
    token: 'deprecated-verification-token',
    trigger_id: a.triggerId ?? triggerId(),
    view: {
      id: viewId,
      team_id: teamId,
      type: 'modal',
      blocks: a.blocks ?? [],
      private_metadata: a.privateMetadata ?? '',
      callback_id: a.callbackId,
      state: { values: a.values ?? {} },
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      title: { type: 'plain_text', text: a.title ?? 'Pacing', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: { type: 'plain_text', text: 'Submit', emoji: true },
      previous_view_id: null,
      root_view_id: viewId,
      app_id: a.apiAppId ?? FAKE_SLACK.appId,
      external_id: a.externalId ?? '',
      app_installed_team_id: teamId,
      bot_id: FAKE_SLACK.botId,
    },
    response_urls: a.responseUrls ?? [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

export function viewSubmission(
  baseUrl: string,
  signingSecret: string,
  args: ViewSubmissionArgs,
  opts?: SignOptions,
): Promise<SlackDelivery> {
  const raw = form({ payload: JSON.stringify(viewSubmissionPayload(args)) });
  return sendSigned(baseUrl, signingSecret, raw, 'application/x-www-form-urlencoded', opts);
}

// ---------------------------------------------------------------------------------------------------------------
// Events API

export interface EventEnvelopeOptions extends Workspace {
  /** Reuse an event_id to model Slack redelivering the same event (with retryNum in SignOptions). */
  eventId?: string;
  botUserId?: string;
}

let eventSeq = 0;
export function eventCallbackBody(
  event: Record<string, unknown>,
  o: EventEnvelopeOptions = {},
): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const teamId = o.teamId ?? FAKE_SLACK.teamId;
  eventSeq += 1;
  return {
    token: 'deprecated-verification-token',
    team_id: teamId,
    api_app_id: o.apiAppId ?? FAKE_SLACK.appId,
    event: { event_ts: `${now}.${String(eventSeq).padStart(6, '0')}`, ...event },
    type: 'event_callback',
    event_id: o.eventId ?? `Ev0FAKE${String(eventSeq).padStart(6, '0')}`,
    event_time: now,
    authorizations: [
      {
        enterprise_id: null,
        team_id: teamId,
        user_id: o.botUserId ?? FAKE_SLACK.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-fake-${randomBytes(6).toString('hex')}`,
  };
}

/** e.g. eventCallback(base, secret, { type: 'app_home_opened', user: 'U1', channel: 'D1', tab: 'home' }). */
export function eventCallback(
  baseUrl: string,
  signingSecret: string,
  event: Record<string, unknown>,
  opts: SignOptions & EventEnvelopeOptions = {},
): Promise<SlackDelivery> {
  return sendSigned(baseUrl, signingSecret, JSON.stringify(eventCallbackBody(event, opts)), 'application/json', opts);
}

/** The handshake Slack sends when the Request URL is saved; Bolt answers `{challenge}`. */
export function urlVerification(
  baseUrl: string,
  signingSecret: string,
  challenge: string,
  opts?: SignOptions,
): Promise<SlackDelivery> {
  const raw = JSON.stringify({ token: 'deprecated-verification-token', challenge, type: 'url_verification' });
  return sendSigned(baseUrl, signingSecret, raw, 'application/json', opts);
}
