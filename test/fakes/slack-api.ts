// A local stand-in for Slack's Web API and for `response_url` endpoints, speaking Slack's wire format and refusing
// what Slack refuses. Point a WebClient (or Bolt's `clientOptions`) at `fake.url` through `slackApiUrl`.
//
// Wire format, as Slack documents it (api.slack.com/web, "Keeping up with the JSONs" changelog 2017-10):
// - POST /api/<method>, body `application/x-www-form-urlencoded` (what @slack/web-api sends: objects such as
//   `blocks` and `view` are JSON strings inside the form) or `application/json`.
// - The token comes from `Authorization: Bearer …`, or from a `token` form field. A JSON body must use the header.
// - Errors are HTTP 200 with `{ok:false, error}`; only rate limiting uses a status code (429 + `Retry-After`, seconds).
// - Block Kit refusals on messages: `invalid_blocks` with `errors: ["must be less than 76 characters
//   [json-pointer:/blocks/0/elements/0/text/text]"]`; on views: `invalid_arguments` with the same sentences in
//   `response_metadata.messages` prefixed by `[ERROR] `.
// - Files go up in three steps (docs.slack.dev, "Uploading files"): files.getUploadURLExternal (filename, length)
//   answers an upload_url and a file_id; the bytes are POSTed to that URL (raw, or multipart as @slack/web-api's
//   filesUploadV2 sends them); files.completeUploadExternal (`files` = JSON [{id, title?}], optional channel_id,
//   thread_ts, initial_comment) finishes them and shares them. Here the upload URLs live on the fake's own origin.
//   The alt text is `alt_txt` (docs.slack.dev, files.getUploadURLExternal); @slack/web-api's filesUploadV2 sends
//   `alt_text`, which Slack does not refuse but which is linked to files silently never being shared: the fake
//   answers ok and never shares such a file. Slack shares asynchronously: completeUploadExternal's answer does not
//   say where the file went; files.info does, once shared (after `shareDelayMs`).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Identities the fake answers with; the signed-request builders use the same ones by default. */
export const FAKE_SLACK = {
  token: 'xoxb-fake-bot-token',
  teamId: 'T0PACING01',
  teamDomain: 'pacing-test',
  teamName: 'Pacing Test',
  botUserId: 'U0PACINGBOT',
  botId: 'B0PACINGBOT',
  appId: 'A0PACINGAPP',
  userName: 'pacing-agent',
} as const;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A parsed request body: form fields are strings, `blocks`/`attachments`/`view`/`metadata` are JSON-decoded. */
export type CallBody = Record<string, unknown>;

export interface RecordedCall {
  method: string;
  body: CallBody;
  /** The token the call presented (header first, then a form `token` field), or undefined. */
  token: string | undefined;
  /** Date.now() when the call arrived. */
  at: number;
  /** The request's media type without parameters, e.g. `application/x-www-form-urlencoded`. */
  contentType: string;
  /** The HTTP status the fake answered with (0 when the connection was reset on purpose). */
  status: number;
  /** The body the fake answered with (an object for JSON answers). */
  response: unknown;
}

export interface RespondRequest {
  id: string;
  body: unknown;
  at: number;
  contentType: string;
  /** 200 when accepted; 404 once the URL was used up; 400 for a body Slack would refuse. */
  status: number;
  /** Slack's verdict: 'ok', 'used_url', 'invalid_blocks', 'invalid_payload', 'msg_too_long', 'no_text'. */
  result: string;
}

/** A message the fake holds: what chat.postMessage created and chat.update last changed. */
export interface StoredMessage {
  channel: string;
  ts: string;
  text: string | undefined;
  blocks: unknown[] | undefined;
  attachments: unknown;
  threadTs: string | undefined;
  updates: number;
  /** File ids a files.completeUploadExternal share put in the message. */
  files?: string[];
}

/** A POST to an upload URL handed out by files.getUploadURLExternal. */
export interface UploadRequest {
  /** The file id the URL was issued for (undefined for a URL the fake never issued). */
  fileId: string | undefined;
  contentType: string;
  /** The file's bytes as received (the file part of a multipart body). */
  size: number;
  /** 200 accepted; 404 for an unknown or already used URL. */
  status: number;
}

/** A file files.completeUploadExternal finished: its bytes, and where it was shared. */
export interface UploadedFile {
  id: string;
  filename: string;
  title: string;
  altText: string | undefined;
  bytes: Buffer;
  /** The channel it was shared to (channel_id), or undefined when only uploaded (or silently not shared). */
  channel: string | undefined;
  /** The channel completeUploadExternal was asked to share it to. */
  requestedChannel: string | undefined;
  /** When the share becomes visible in files.info (ms). */
  sharedAt: number | undefined;
  threadTs: string | undefined;
  initialComment: string | undefined;
  /** The ts of the message that shares it. */
  ts: string | undefined;
}

/** A canned HTTP answer: `{status: 429, headers: {'Retry-After': '1'}}`, `{status: 503}`. */
export interface HttpFailure {
  status: number;
  headers?: Record<string, string>;
  /** Defaults: 429 → `{ok:false,error:'ratelimited'}`; others → a short text body. Objects are sent as JSON. */
  body?: unknown;
}
/** A Slack error body answered with HTTP 200, e.g. `{ok:false, error:'channel_not_found'}`. */
export interface SlackErrorBody {
  ok: false;
  error: string;
  [key: string]: unknown;
}
/** `'reset'` destroys the connection without an answer (the client sees a network error). */
export type FailureSpec = SlackErrorBody | HttpFailure | 'reset';

export interface FakeSlackApiOptions {
  /** Tokens the fake accepts (default FAKE_SLACK.token). */
  tokens?: string[];
  teamId?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  /** Seconds part of the first `ts` handed out (default 1732100000 → "1732100000.000100", "1732100000.000200", …). */
  tsBase?: number;
  /** When given, any other channel is `channel_not_found` (chat.*, conversations.info). Otherwise any non-empty id. */
  knownChannels?: string[];
  /** chat.update / chat.getPermalink of a ts this fake never issued: `message_not_found` (default true). */
  strictMessages?: boolean;
  /** Posts allowed per response_url (Slack: 5 within 30 minutes). */
  respondLimit?: number;
  /** Host to listen on (default 127.0.0.1). */
  host?: string;
  /** How long after files.completeUploadExternal its share shows in files.info (default 0: at once). */
  shareDelayMs?: number;
  /**
   * How long a click's trigger_id can open a view (Slack: 3 s, then `expired_trigger_id`). Measured from the click
   * time the request builders put at the start of their trigger ids (`<ms>.<seq>.<hex>`); other ids never expire.
   */
  triggerTtlMs?: number;
}

export interface FakeSlackApi {
  /** Base for WebClient's `slackApiUrl`: `http://127.0.0.1:PORT/api/`. */
  url: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** Every Web API call, in arrival order, including refused ones. */
  calls: RecordedCall[];
  /** Every POST to a response_url built by responseUrl(). */
  respondRequests: RespondRequest[];
  /** Messages by `${channel}/${ts}`. */
  messages: Map<string, StoredMessage>;
  /** Last published Home tab view by user id. */
  homeViews: Map<string, Record<string, unknown>>;
  /** Views opened with views.open, in order. */
  openedViews: Record<string, unknown>[];
  /** POSTs to upload URLs, in order, including refused ones. */
  uploads: UploadRequest[];
  /** Files finished by files.completeUploadExternal, in order, with their bytes. */
  files: UploadedFile[];
  /** The identities this instance answers with. */
  ids: { token: string; teamId: string; botUserId: string; botId: string; appId: string };
  /** Queue a canned failure for the next `times` calls of `method` ('*' = any method). FIFO per method. */
  failNext(method: string, spec: FailureSpec, times?: number): void;
  /** A response_url served by this fake (`http://127.0.0.1:PORT/respond/<id>`); a fresh id when omitted. */
  responseUrl(id?: string): string;
  /** Calls of one method. */
  callsTo(method: string): RecordedCall[];
  /** Polls `calls` until one matches (a method name or a predicate); throws listing the calls seen. */
  waitFor(match: string | ((call: RecordedCall) => boolean), timeoutMs?: number): Promise<RecordedCall>;
  /** Polls `respondRequests` until one matches; throws listing what arrived. */
  waitForRespond(match?: (req: RespondRequest) => boolean, timeoutMs?: number): Promise<RespondRequest>;
  /**
   * Runs `look` as each call of `method` arrives, before it is answered: to see the app's state at that moment
   * (e.g. whether a decision was already taken when its modal was opened). Replaces an earlier one.
   */
  onArrival(method: string, look: (call: RecordedCall) => void): void;
  /** Forget calls, respond requests, messages, views, uploads, files and queued failures (the ts counter keeps going). */
  reset(): void;
  /** Stop listening and drop open connections; later calls fail with a connection error. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Block Kit limits (api.slack.com/reference/block-kit/*, docs.slack.dev/reference/views/modal-views).

const MAX_MESSAGE_BLOCKS = 50;
const MAX_VIEW_BLOCKS = 100;
const MAX_TEXT = 40_000;

const KNOWN_BLOCK_TYPES = new Set([
  'section',
  'divider',
  'image',
  'actions',
  'context',
  'input',
  'header',
  'file',
  'rich_text',
  'video',
  'markdown',
  'table',
  'context_actions',
  'call',
]);

type Errors = string[];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function tooLong(errors: Errors, value: unknown, max: number, ptr: string): void {
  if (typeof value === 'string' && value.length > max) {
    errors.push(`must be less than ${max + 1} characters [json-pointer:${ptr}]`);
  }
}

function tooMany(errors: Errors, value: unknown, max: number, ptr: string): void {
  if (Array.isArray(value) && value.length > max)
    errors.push(`no more than ${max} items allowed [json-pointer:${ptr}]`);
}

/** A text object: `{type: 'plain_text'|'mrkdwn', text}`. */
function checkText(
  errors: Errors,
  t: unknown,
  ptr: string,
  opts: { max?: number; plainOnly?: boolean; required?: boolean } = {},
): void {
  if (t === undefined) {
    if (opts.required) errors.push(`missing required field: ${ptr.split('/').pop() ?? 'text'} [json-pointer:${ptr}]`);
    return;
  }
  if (!isObject(t)) {
    errors.push(`must provide an object [json-pointer:${ptr}]`);
    return;
  }
  if (t.type !== 'plain_text' && t.type !== 'mrkdwn') {
    errors.push(`must be one of plain_text, mrkdwn [json-pointer:${ptr}/type]`);
  } else if (opts.plainOnly && t.type !== 'plain_text') {
    errors.push(`must be plain_text [json-pointer:${ptr}/type]`);
  }
  if (typeof t.text !== 'string') {
    errors.push(`missing required field: text [json-pointer:${ptr}]`);
    return;
  }
  if (t.text.length === 0) errors.push(`must be more than 0 characters [json-pointer:${ptr}/text]`);
  if (opts.max !== undefined) tooLong(errors, t.text, opts.max, `${ptr}/text`);
}

function checkConfirm(errors: Errors, c: unknown, ptr: string): void {
  if (c === undefined) return;
  if (!isObject(c)) {
    errors.push(`must provide an object [json-pointer:${ptr}]`);
    return;
  }
  checkText(errors, c.title, `${ptr}/title`, { max: 100, plainOnly: true, required: true });
  checkText(errors, c.text, `${ptr}/text`, { max: 300, required: true });
  checkText(errors, c.confirm, `${ptr}/confirm`, { max: 30, plainOnly: true, required: true });
  checkText(errors, c.deny, `${ptr}/deny`, { max: 30, plainOnly: true, required: true });
}

function checkOptions(errors: Errors, options: unknown, ptr: string, max: number, plainOnly: boolean): void {
  if (options === undefined) return;
  if (!Array.isArray(options)) {
    errors.push(`must provide an array [json-pointer:${ptr}]`);
    return;
  }
  tooMany(errors, options, max, ptr);
  options.forEach((o, i) => {
    const p = `${ptr}/${i}`;
    if (!isObject(o)) {
      errors.push(`must provide an object [json-pointer:${p}]`);
      return;
    }
    checkText(errors, o.text, `${p}/text`, { max: 75, plainOnly, required: true });
    tooLong(errors, o.value, 150, `${p}/value`);
    checkText(errors, o.description, `${p}/description`, { max: 75 });
  });
}

/** Interactive and non-interactive block elements (button, selects, inputs, images…). */
function checkElement(errors: Errors, el: unknown, ptr: string): void {
  if (!isObject(el)) {
    errors.push(`must provide an object [json-pointer:${ptr}]`);
    return;
  }
  tooLong(errors, el.action_id, 255, `${ptr}/action_id`);
  checkConfirm(errors, el.confirm, `${ptr}/confirm`);
  if (el.placeholder !== undefined) checkText(errors, el.placeholder, `${ptr}/placeholder`, { max: 150 });
  switch (el.type) {
    case 'button':
      checkText(errors, el.text, `${ptr}/text`, { max: 75, plainOnly: true, required: true });
      tooLong(errors, el.value, 2000, `${ptr}/value`);
      tooLong(errors, el.url, 3000, `${ptr}/url`);
      tooLong(errors, el.accessibility_label, 75, `${ptr}/accessibility_label`);
      if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') {
        errors.push(`must be one of primary, danger [json-pointer:${ptr}/style]`);
      }
      break;
    case 'static_select':
    case 'multi_static_select':
      checkOptions(errors, el.options, `${ptr}/options`, 100, true);
      break;
    case 'overflow':
      checkOptions(errors, el.options, `${ptr}/options`, 5, true);
      break;
    case 'radio_buttons':
    case 'checkboxes':
      checkOptions(errors, el.options, `${ptr}/options`, 10, false);
      break;
    case 'image':
      tooLong(errors, el.image_url, 3000, `${ptr}/image_url`);
      tooLong(errors, el.alt_text, 2000, `${ptr}/alt_text`);
      break;
    case 'plain_text_input':
      if (typeof el.max_length === 'number' && el.max_length > 3000) {
        errors.push(`must be less than or equal to 3000 [json-pointer:${ptr}/max_length]`);
      }
      break;
    case undefined:
      errors.push(`missing required field: type [json-pointer:${ptr}]`);
      break;
    default:
      break;
  }
}

/** Validates a blocks array; `base` is the JSON pointer of the array (`/blocks` or `/view/blocks`). */
export function blockErrors(blocks: unknown, base: string, maxBlocks: number): Errors {
  const errors: Errors = [];
  if (!Array.isArray(blocks)) {
    errors.push(`must provide an array [json-pointer:${base}]`);
    return errors;
  }
  tooMany(errors, blocks, maxBlocks, base);
  const blockIds = new Set<string>();
  blocks.forEach((b, i) => {
    const ptr = `${base}/${i}`;
    if (!isObject(b)) {
      errors.push(`must provide an object [json-pointer:${ptr}]`);
      return;
    }
    if (typeof b.type !== 'string') {
      errors.push(`missing required field: type [json-pointer:${ptr}]`);
      return;
    }
    if (!KNOWN_BLOCK_TYPES.has(b.type)) {
      errors.push(`unsupported type: ${b.type} [json-pointer:${ptr}/type]`);
      return;
    }
    if (b.block_id !== undefined) {
      tooLong(errors, b.block_id, 255, `${ptr}/block_id`);
      if (typeof b.block_id === 'string') {
        if (blockIds.has(b.block_id)) errors.push(`duplicate block_id: ${b.block_id} [json-pointer:${ptr}/block_id]`);
        blockIds.add(b.block_id);
      }
    }
    switch (b.type) {
      case 'section': {
        if (b.text === undefined && b.fields === undefined) {
          errors.push(`must define either \`text\` or \`fields\` [json-pointer:${ptr}/type]`);
        }
        checkText(errors, b.text, `${ptr}/text`, { max: 3000 });
        if (b.fields !== undefined) {
          if (!Array.isArray(b.fields)) errors.push(`must provide an array [json-pointer:${ptr}/fields]`);
          else {
            tooMany(errors, b.fields, 10, `${ptr}/fields`);
            b.fields.forEach((f, j) => {
              checkText(errors, f, `${ptr}/fields/${j}`, { max: 2000, required: true });
            });
          }
        }
        if (b.accessory !== undefined) checkElement(errors, b.accessory, `${ptr}/accessory`);
        break;
      }
      case 'header':
        checkText(errors, b.text, `${ptr}/text`, { max: 150, plainOnly: true, required: true });
        break;
      case 'actions':
      case 'context': {
        const max = b.type === 'actions' ? 25 : 10;
        if (!Array.isArray(b.elements)) {
          errors.push(`missing required field: elements [json-pointer:${ptr}]`);
          break;
        }
        if (b.elements.length === 0) errors.push(`must provide at least 1 items [json-pointer:${ptr}/elements]`);
        tooMany(errors, b.elements, max, `${ptr}/elements`);
        const actionIds = new Set<string>();
        b.elements.forEach((el, j) => {
          const p = `${ptr}/elements/${j}`;
          if (b.type === 'context' && isObject(el) && (el.type === 'plain_text' || el.type === 'mrkdwn')) {
            checkText(errors, el, p);
            return;
          }
          checkElement(errors, el, p);
          if (isObject(el) && typeof el.action_id === 'string') {
            if (actionIds.has(el.action_id)) {
              errors.push(`duplicate action_id: ${el.action_id} [json-pointer:${p}/action_id]`);
            }
            actionIds.add(el.action_id);
          }
        });
        break;
      }
      case 'input':
        checkText(errors, b.label, `${ptr}/label`, { max: 2000, plainOnly: true, required: true });
        checkText(errors, b.hint, `${ptr}/hint`, { max: 2000, plainOnly: true });
        if (b.element === undefined) errors.push(`missing required field: element [json-pointer:${ptr}]`);
        else checkElement(errors, b.element, `${ptr}/element`);
        break;
      case 'image':
        tooLong(errors, b.image_url, 3000, `${ptr}/image_url`);
        tooLong(errors, b.alt_text, 2000, `${ptr}/alt_text`);
        checkText(errors, b.title, `${ptr}/title`, { max: 2000, plainOnly: true });
        break;
      case 'markdown':
        if (typeof b.text !== 'string') errors.push(`missing required field: text [json-pointer:${ptr}]`);
        else tooLong(errors, b.text, 12_000, `${ptr}/text`);
        break;
      default:
        break;
    }
  });
  return errors;
}

/** Validates a view object for views.open (`modal`) or views.publish (`home`). Pointers start at `/view`. */
export function viewErrors(view: unknown, expectedType: 'modal' | 'home'): Errors {
  const errors: Errors = [];
  if (!isObject(view)) return [`must provide an object [json-pointer:/view]`];
  if (view.type !== expectedType) errors.push(`must be one of ${expectedType} [json-pointer:/view/type]`);
  if (view.blocks === undefined) errors.push(`missing required field: blocks [json-pointer:/view]`);
  else errors.push(...blockErrors(view.blocks, '/view/blocks', MAX_VIEW_BLOCKS));
  tooLong(errors, view.private_metadata, 3000, '/view/private_metadata');
  tooLong(errors, view.callback_id, 255, '/view/callback_id');
  tooLong(errors, view.external_id, 255, '/view/external_id');
  if (expectedType === 'modal') {
    checkText(errors, view.title, '/view/title', { max: 24, plainOnly: true, required: true });
    checkText(errors, view.close, '/view/close', { max: 24, plainOnly: true });
    checkText(errors, view.submit, '/view/submit', { max: 24, plainOnly: true });
    if (view.submit === undefined && Array.isArray(view.blocks)) {
      const i = view.blocks.findIndex((b) => isObject(b) && b.type === 'input');
      if (i >= 0)
        errors.push(`must define \`submit\` to use an \`input\` block in modals [json-pointer:/view/blocks/${i}]`);
    }
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------------------------

const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata', 'files'] as const;
/** Slack's limit for one uploaded file (1 GB). */
const MAX_FILE_BYTES = 1_000_000_000;

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function ok(extra: Record<string, unknown> = {}): Answer {
  return { status: 200, body: { ok: true, ...extra } };
}
function fail(error: string, extra: Record<string, unknown> = {}): Answer {
  return { status: 200, body: { ok: false, error, ...extra } };
}
function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

async function readBytes(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBytes(req)).toString('utf8');
}

/**
 * The file in a multipart/form-data body: the part with a filename (else the first part), as bytes. Null when the
 * body is not multipart as its content type says.
 */
export function multipartFile(raw: Buffer, contentType: string): Buffer | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const b = boundary?.[1] ?? boundary?.[2]?.trim();
  if (!b) return null;
  const delimiter = Buffer.from(`--${b}`);
  const parts: { headers: string; body: Buffer }[] = [];
  let at = raw.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (raw.subarray(start, start + 2).toString() === '--') break; // the closing delimiter
    const next = raw.indexOf(delimiter, start);
    if (next < 0) return null;
    const part = raw.subarray(start + 2, next - 2); // without the CRLF after the delimiter and before the next
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) return null;
    parts.push({ headers: part.subarray(0, split).toString('utf8'), body: part.subarray(split + 4) });
    at = next;
  }
  const file = parts.find((p) => /filename=/i.test(p.headers)) ?? parts[0];
  return file ? Buffer.from(file.body) : null;
}

function send(res: ServerResponse, answer: Answer): void {
  const headers: Record<string, string> = { ...(answer.headers ?? {}) };
  let payload: string;
  if (typeof answer.body === 'string') {
    payload = answer.body;
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'text/plain';
  } else {
    payload = JSON.stringify(answer.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json; charset=utf-8';
    }
  }
  res.writeHead(answer.status, headers);
  res.end(payload);
}

function describeCall(c: RecordedCall): string {
  const r = isObject(c.response) ? (c.response.ok === true ? 'ok' : String(c.response.error)) : String(c.response);
  const body = JSON.stringify(c.body);
  return `  ${c.method} → ${c.status} ${r}  ${body.length > 200 ? `${body.slice(0, 200)}…` : body}`;
}

export async function startFakeSlackApi(opts: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
  const tokens = opts.tokens ?? [FAKE_SLACK.token];
  const ids = {
    token: tokens[0] ?? FAKE_SLACK.token,
    teamId: opts.teamId ?? FAKE_SLACK.teamId,
    botUserId: opts.botUserId ?? FAKE_SLACK.botUserId,
    botId: opts.botId ?? FAKE_SLACK.botId,
    appId: opts.appId ?? FAKE_SLACK.appId,
  };
  const strict = opts.strictMessages ?? true;
  const respondLimit = opts.respondLimit ?? 5;
  const tsBase = opts.tsBase ?? 1_732_100_000;
  const known = opts.knownChannels ? new Set(opts.knownChannels) : undefined;

  const calls: RecordedCall[] = [];
  const respondRequests: RespondRequest[] = [];
  const messages = new Map<string, StoredMessage>();
  const homeViews = new Map<string, Record<string, unknown>>();
  const openedViews: Record<string, unknown>[] = [];
  const failures = new Map<string, FailureSpec[]>();
  const respondCounts = new Map<string, number>();
  const usedTriggers = new Set<string>();
  const triggerTtlMs = opts.triggerTtlMs ?? 3_000;
  const arrivals = new Map<string, (call: RecordedCall) => void>();
  /** Views opened, by id: views.update replaces them. */
  const viewsById = new Map<string, Record<string, unknown>>();
  const uploads: UploadRequest[] = [];
  const files: UploadedFile[] = [];
  /** Files handed an upload URL, by file id; `bytes` once they were POSTed, `completed` once finished. */
  interface Issued {
    filename: string;
    length: number;
    altText: string | undefined;
    /** getUploadURLExternal was given `alt_text`: the file is never shared. */
    strayAltText: boolean;
    bytes?: Buffer;
    completed: boolean;
  }
  const issued = new Map<string, Issued>();
  const shareDelayMs = opts.shareDelayMs ?? 0;
  /** Upload URL tokens → file id; a token is deleted once used (Slack's URLs take one upload). */
  const uploadUrls = new Map<string, string>();
  let fileCounter = 0;
  let tsCounter = 0;
  let idCounter = 0;
  let origin = '';

  const nextTs = (): string => {
    tsCounter += 1;
    const micro = tsCounter * 100;
    const sec = tsBase + Math.floor(micro / 1_000_000);
    return `${sec}.${String(micro % 1_000_000).padStart(6, '0')}`;
  };
  const nextViewId = (): string => `V0FAKE${String(++idCounter).padStart(5, '0')}`;
  const channelMissing = (channel: string | undefined): boolean =>
    !channel || channel.trim() === '' || (known !== undefined && !known.has(channel));

  /** Message-shaped content checks shared by chat.postMessage/update/postEphemeral. */
  function contentAnswer(body: CallBody, blocksParseFailed: boolean): Answer | undefined {
    const text = str(body.text);
    const blocks = body.blocks;
    const attachments = body.attachments;
    const hasBlocks = Array.isArray(blocks) ? blocks.length > 0 : blocks !== undefined;
    const hasAttachments = Array.isArray(attachments) ? attachments.length > 0 : attachments !== undefined;
    if (!text && !hasBlocks && !hasAttachments) return fail('no_text');
    if (text && text.length > MAX_TEXT) return fail('msg_too_long');
    if (blocksParseFailed) return fail('invalid_blocks_format');
    if (blocks !== undefined) {
      const errors = blockErrors(blocks, '/blocks', MAX_MESSAGE_BLOCKS);
      if (errors.length > 0) {
        return fail('invalid_blocks', { errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } });
      }
    }
    return undefined;
  }

  function messageJson(m: StoredMessage): Record<string, unknown> {
    return {
      type: 'message',
      user: ids.botUserId,
      bot_id: ids.botId,
      app_id: ids.appId,
      team: ids.teamId,
      ts: m.ts,
      text: m.text ?? '',
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    };
  }

  function viewJson(view: Record<string, unknown>, id: string): Record<string, unknown> {
    return {
      id,
      team_id: ids.teamId,
      type: view.type,
      blocks: view.blocks,
      private_metadata: view.private_metadata ?? '',
      callback_id: view.callback_id ?? '',
      external_id: view.external_id ?? '',
      state: { values: {} },
      hash: `${Date.now()}.${randomBytes(4).toString('hex')}`,
      title: view.title ?? { type: 'plain_text', text: 'View Title' },
      close: view.close ?? null,
      submit: view.submit ?? null,
      clear_on_close: view.clear_on_close ?? false,
      notify_on_close: view.notify_on_close ?? false,
      previous_view_id: null,
      root_view_id: id,
      app_id: ids.appId,
      app_installed_team_id: ids.teamId,
      bot_id: ids.botId,
    };
  }

  const handlers: Record<string, (body: CallBody, parseFailed: Set<string>) => Answer> = {
    'auth.test': () =>
      ok({
        url: `https://${FAKE_SLACK.teamDomain}.slack.com/`,
        team: FAKE_SLACK.teamName,
        user: FAKE_SLACK.userName,
        team_id: ids.teamId,
        user_id: ids.botUserId,
        bot_id: ids.botId,
        app_id: ids.appId,
        is_enterprise_install: false,
      }),

    'chat.postMessage': (body, parseFailed) => {
      const channel = str(body.channel);
      if (channelMissing(channel) || channel === undefined) return fail('channel_not_found');
      const refused = contentAnswer(body, parseFailed.has('blocks'));
      if (refused) return refused;
      const m: StoredMessage = {
        channel,
        ts: nextTs(),
        text: str(body.text),
        blocks: Array.isArray(body.blocks) ? body.blocks : undefined,
        attachments: body.attachments,
        threadTs: str(body.thread_ts),
        updates: 0,
      };
      messages.set(`${channel}/${m.ts}`, m);
      return ok({ channel, ts: m.ts, message: messageJson(m) });
    },

    'chat.update': (body, parseFailed) => {
      const channel = str(body.channel);
      if (channelMissing(channel) || channel === undefined) return fail('channel_not_found');
      const ts = str(body.ts);
      if (!ts) return fail('message_not_found');
      const existing = messages.get(`${channel}/${ts}`);
      if (!existing && strict) return fail('message_not_found');
      const refused = contentAnswer(body, parseFailed.has('blocks'));
      if (refused) return refused;
      const m: StoredMessage = existing ?? {
        channel,
        ts,
        text: undefined,
        blocks: undefined,
        attachments: undefined,
        threadTs: undefined,
        updates: 0,
      };
      // Only the fields the call carries change: a text-only update leaves the old blocks in place, as Slack
      // does (python-slack-sdk issue 523: updating a blocks message with text alone answers ok, blocks stay).
      if (body.text !== undefined) m.text = str(body.text);
      if (body.blocks !== undefined) m.blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
      if (body.attachments !== undefined) m.attachments = body.attachments;
      m.updates += 1;
      messages.set(`${channel}/${ts}`, m);
      return ok({ channel, ts, text: m.text ?? '', message: messageJson(m) });
    },

    'chat.postEphemeral': (body, parseFailed) => {
      const channel = str(body.channel);
      if (channelMissing(channel)) return fail('channel_not_found');
      if (!str(body.user)) return fail('user_not_found');
      const refused = contentAnswer(body, parseFailed.has('blocks'));
      if (refused) return refused;
      return ok({ message_ts: nextTs() });
    },

    'chat.getPermalink': (body) => {
      const channel = str(body.channel);
      if (channelMissing(channel) || channel === undefined) return fail('channel_not_found');
      const ts = str(body.message_ts);
      if (!ts || (strict && !messages.has(`${channel}/${ts}`))) return fail('message_not_found');
      return ok({
        channel,
        permalink: `https://${FAKE_SLACK.teamDomain}.slack.com/archives/${channel}/p${ts.replace('.', '')}`,
      });
    },

    'views.publish': (body, parseFailed) => {
      const userId = str(body.user_id);
      if (!userId)
        return fail('invalid_arguments', {
          response_metadata: { messages: ['[ERROR] missing required field: user_id'] },
        });
      if (parseFailed.has('view') || body.view === undefined) {
        return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: view'] } });
      }
      const errors = viewErrors(body.view, 'home');
      if (errors.length > 0) {
        return fail('invalid_arguments', { response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } });
      }
      const previous = homeViews.get(userId);
      const hash = str(body.hash);
      if (hash && previous && previous.hash !== hash) return fail('hash_conflict');
      const view = viewJson(body.view as Record<string, unknown>, (previous?.id as string | undefined) ?? nextViewId());
      homeViews.set(userId, view);
      return ok({ view });
    },

    'views.open': (body, parseFailed) => {
      const trigger = str(body.trigger_id) ?? str(body.interactivity_pointer);
      if (!trigger) {
        return fail('invalid_arguments', {
          response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] },
        });
      }
      if (usedTriggers.has(trigger)) return fail('exchanged_trigger_id');
      const clickedAt = /^(\d{13})\./.exec(trigger)?.[1];
      if (clickedAt !== undefined && Date.now() - Number(clickedAt) > triggerTtlMs) return fail('expired_trigger_id');
      if (parseFailed.has('view') || body.view === undefined) {
        return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: view'] } });
      }
      const errors = viewErrors(body.view, 'modal');
      if (errors.length > 0) {
        return fail('invalid_arguments', { response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } });
      }
      usedTriggers.add(trigger);
      const view = viewJson(body.view as Record<string, unknown>, nextViewId());
      openedViews.push(view);
      viewsById.set(view.id as string, view);
      return ok({ view });
    },

    // An open view is replaced by id (no trigger needed); a hash that is not the view's latest is a conflict.
    'views.update': (body, parseFailed) => {
      const viewId = str(body.view_id);
      if (!viewId)
        return fail('invalid_arguments', {
          response_metadata: { messages: ['[ERROR] missing required field: view_id'] },
        });
      const previous = viewsById.get(viewId);
      if (!previous) return fail('not_found');
      const hash = str(body.hash);
      if (hash && previous.hash !== hash) return fail('hash_conflict');
      if (parseFailed.has('view') || body.view === undefined) {
        return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: view'] } });
      }
      const errors = viewErrors(body.view, 'modal');
      if (errors.length > 0) {
        return fail('invalid_arguments', { response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } });
      }
      const view = viewJson(body.view as Record<string, unknown>, viewId);
      viewsById.set(viewId, view);
      const at = openedViews.findIndex((v) => v.id === viewId);
      if (at >= 0) openedViews[at] = view;
      return ok({ view });
    },

    'files.getUploadURLExternal': (body) => {
      const filename = str(body.filename);
      const length = Number(str(body.length));
      const problems: string[] = [];
      if (!filename?.trim()) problems.push('missing required field: filename');
      if (str(body.length) === undefined) problems.push('missing required field: length');
      else if (!Number.isInteger(length) || length < 1 || length > MAX_FILE_BYTES)
        problems.push(`length must be a whole number of bytes from 1 to ${MAX_FILE_BYTES}`);
      const altText = str(body.alt_txt);
      if (altText && altText.length > 1000) problems.push('alt_txt must be at most 1000 characters');
      if (problems.length)
        return fail('invalid_arguments', { response_metadata: { messages: problems.map((m) => `[ERROR] ${m}`) } });
      const fileId = `F0FAKE${String(++fileCounter).padStart(5, '0')}`;
      const token = randomBytes(12).toString('hex');
      issued.set(fileId, {
        filename: filename as string,
        length,
        altText,
        strayAltText: body.alt_text !== undefined,
        completed: false,
      });
      uploadUrls.set(token, fileId);
      return ok({ upload_url: `${origin}/upload/v1/${token}`, file_id: fileId });
    },

    'files.completeUploadExternal': (body, parseFailed) => {
      const list = body.files;
      const invalid = (m: string) => fail('invalid_arguments', { response_metadata: { messages: [`[ERROR] ${m}`] } });
      if (parseFailed.has('files') || list === undefined) return invalid('missing required field: files');
      if (!Array.isArray(list) || list.length === 0) return invalid('files must be a non-empty array');
      const entries: { id: string; title: string | undefined }[] = [];
      for (const f of list) {
        if (!isObject(f) || typeof f.id !== 'string') return invalid('each file must have an id');
        entries.push({ id: f.id, title: str(f.title) });
      }
      // Everything is checked before anything changes: Slack finishes all the files of a call, or none.
      for (const e of entries) {
        const f = issued.get(e.id);
        const notFound = (why: string) =>
          fail('file_not_found', { response_metadata: { messages: [`[ERROR] ${e.id}: ${why}`] } });
        if (!f) return notFound('no upload URL was issued for this file');
        if (f.completed) return notFound('this upload was already completed');
        if (!f.bytes) return notFound('no bytes were uploaded');
        if (f.bytes.length !== f.length)
          return notFound(`${f.bytes.length} bytes were uploaded, files.getUploadURLExternal was told ${f.length}`);
      }
      const channel = str(body.channel_id) ?? str(body.channels);
      if (channel !== undefined && channelMissing(channel)) return fail('channel_not_found');
      const comment = str(body.initial_comment);
      if (comment && comment.length > MAX_TEXT) return fail('msg_too_long');
      const threadTs = str(body.thread_ts);
      // A file whose upload URL was asked for with `alt_text` is finished but never shared.
      const lost = entries.some((e) => issued.get(e.id)?.strayAltText === true);
      const shareTo = lost ? undefined : channel;
      const ts = shareTo === undefined ? undefined : nextTs();
      const done = entries.map((e) => {
        const f = issued.get(e.id) as Issued & { bytes: Buffer };
        issued.set(e.id, { ...f, length: f.bytes.length, completed: true });
        const file: UploadedFile = {
          id: e.id,
          filename: f.filename,
          title: e.title ?? f.filename,
          altText: f.altText,
          bytes: f.bytes,
          channel: shareTo,
          requestedChannel: channel,
          sharedAt: shareTo === undefined ? undefined : Date.now() + shareDelayMs,
          threadTs,
          initialComment: comment,
          ts,
        };
        files.push(file);
        return file;
      });
      if (shareTo !== undefined && ts !== undefined) {
        messages.set(`${shareTo}/${ts}`, {
          channel: shareTo,
          ts,
          text: comment ?? '',
          blocks: undefined,
          attachments: undefined,
          threadTs,
          updates: 0,
          files: done.map((f) => f.id),
        });
      }
      // Slack shares asynchronously: the answer does not say where the file went (files.info does).
      return ok({ files: done.map((f) => ({ id: f.id, name: f.filename, title: f.title, size: f.bytes.length })) });
    },

    'files.info': (body) => {
      const f = files.find((x) => x.id === str(body.file));
      if (!f) return fail('file_not_found');
      const shared = f.channel !== undefined && f.sharedAt !== undefined && Date.now() >= f.sharedAt;
      const where = shared && f.channel ? f.channel : undefined;
      const isPrivate = where?.startsWith('G') === true;
      return ok({
        file: {
          id: f.id,
          name: f.filename,
          title: f.title,
          mimetype: 'image/png',
          size: f.bytes.length,
          ...(f.altText !== undefined ? { alt_txt: f.altText } : {}),
          channels: where && !isPrivate ? [where] : [],
          groups: where && isPrivate ? [where] : [],
          ims: [],
          shares: where ? { [isPrivate ? 'private' : 'public']: { [where]: [{ ts: f.ts }] } } : {},
        },
      });
    },

    'conversations.info': (body) => {
      const channel = str(body.channel);
      if (channelMissing(channel) || channel === undefined) return fail('channel_not_found');
      const kind = channel[0];
      return ok({
        channel: {
          id: channel,
          name: channel.toLowerCase(),
          is_channel: kind === 'C',
          is_group: kind === 'G',
          is_im: kind === 'D',
          is_mpim: false,
          is_private: kind !== 'C',
          is_archived: false,
          is_general: false,
          is_member: true,
          created: tsBase - 86_400,
          context_team_id: ids.teamId,
        },
      });
    },
  };

  async function handleApi(method: string, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const raw = await readBody(req);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    let body: CallBody = Object.fromEntries(url.searchParams);
    let bodyError: string | undefined;
    if (raw.length > 0) {
      if (contentType === 'application/x-www-form-urlencoded') {
        body = { ...body, ...Object.fromEntries(new URLSearchParams(raw)) };
      } else if (contentType === 'application/json') {
        try {
          const parsed: unknown = JSON.parse(raw);
          if (isObject(parsed)) body = { ...body, ...parsed };
          else bodyError = 'invalid_json';
        } catch {
          bodyError = 'invalid_json';
        }
      } else if (contentType === '') {
        bodyError = 'missing_post_type';
      } else {
        bodyError = 'invalid_post_type';
      }
    }
    const parseFailed = new Set<string>();
    for (const field of JSON_FIELDS) {
      const v = body[field];
      if (typeof v === 'string') {
        try {
          body[field] = JSON.parse(v) as unknown;
        } catch {
          parseFailed.add(field);
        }
      }
    }
    const auth = req.headers.authorization;
    const headerToken = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined;
    // Slack reads a token from the form (or query), never from a JSON body.
    const fieldToken = contentType === 'application/json' ? str(url.searchParams.get('token')) : str(body.token);
    const token = headerToken || fieldToken || undefined;

    const call: RecordedCall = { method, body, token, at: Date.now(), contentType, status: 0, response: undefined };
    arrivals.get(method)?.(call);
    const queue = failures.get(method)?.length ? failures.get(method) : failures.get('*');
    const failure = queue?.shift();

    let answer: Answer;
    if (failure === 'reset') {
      calls.push(call);
      req.socket.destroy();
      return;
    }
    if (failure !== undefined && 'status' in failure && typeof failure.status === 'number') {
      const hf = failure as HttpFailure;
      answer = {
        status: hf.status,
        headers: hf.headers ?? {},
        body: hf.body ?? (hf.status === 429 ? { ok: false, error: 'ratelimited' } : `fake slack: HTTP ${hf.status}`),
      };
    } else if (failure !== undefined) {
      answer = { status: 200, body: failure };
    } else if (bodyError) {
      answer = fail(bodyError);
    } else {
      const handler = handlers[method];
      if (!handler) answer = fail('unknown_method');
      else if (!token) answer = fail('not_authed');
      else if (!tokens.includes(token)) answer = fail('invalid_auth');
      else answer = handler(body, parseFailed);
    }
    call.status = answer.status;
    call.response = answer.body;
    calls.push(call);
    send(res, answer);
  }

  /** The bytes of a file, POSTed to the URL files.getUploadURLExternal handed out: raw, or as multipart. */
  async function handleUpload(token: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBytes(req);
    const type = req.headers['content-type'] ?? '';
    const contentType = type.split(';')[0]?.trim().toLowerCase() ?? '';
    const fileId = uploadUrls.get(token);
    const bytes = contentType === 'multipart/form-data' ? multipartFile(raw, type) : raw;
    const refuse = (status: number, text: string) => {
      uploads.push({ fileId, contentType, size: bytes?.length ?? raw.length, status });
      send(res, { status, body: text });
    };
    if (fileId === undefined) return refuse(404, 'fake slack: unknown or already used upload URL');
    if (bytes === null) return refuse(400, 'fake slack: unreadable multipart body');
    uploadUrls.delete(token);
    const f = issued.get(fileId);
    if (f) issued.set(fileId, { ...f, bytes });
    uploads.push({ fileId, contentType, size: bytes.length, status: 200 });
    send(res, { status: 200, body: `OK - ${bytes.length}` });
  }

  async function handleRespond(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    let body: unknown = raw;
    let status = 200;
    let result = 'ok';
    const used = respondCounts.get(id) ?? 0;
    try {
      body = JSON.parse(raw) as unknown;
    } catch {
      status = 400;
      result = 'invalid_payload';
    }
    if (status === 200 && used >= respondLimit) {
      status = 404;
      result = 'used_url';
    }
    if (status === 200 && isObject(body)) {
      const text = str(body.text);
      const hasBlocks = Array.isArray(body.blocks) && body.blocks.length > 0;
      if (body.delete_original !== true && !text && !hasBlocks && body.attachments === undefined) {
        status = 400;
        result = 'no_text';
      } else if (text && text.length > MAX_TEXT) {
        status = 400;
        result = 'msg_too_long';
      } else if (body.blocks !== undefined && blockErrors(body.blocks, '/blocks', MAX_MESSAGE_BLOCKS).length > 0) {
        status = 400;
        result = 'invalid_blocks';
      }
    } else if (status === 200) {
      status = 400;
      result = 'invalid_payload';
    }
    if (status === 200) respondCounts.set(id, used + 1);
    respondRequests.push({ id, body, at: Date.now(), contentType, status, result });
    send(res, { status, body: status === 200 ? { ok: true } : { ok: false, error: result } });
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const api = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
    const respond = /^\/respond\/([^/]+)$/.exec(url.pathname);
    const upload = /^\/upload\/v1\/([^/]+)$/.exec(url.pathname);
    let work: Promise<void>;
    if (api?.[1]) work = handleApi(api[1], req, res, url);
    else if (upload?.[1] && req.method === 'POST') work = handleUpload(upload[1], req, res);
    else if (respond?.[1] && req.method === 'POST') work = handleRespond(decodeURIComponent(respond[1]), req, res);
    else {
      send(res, { status: 404, body: 'fake slack: no such endpoint' });
      return;
    }
    work.catch((err: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: `fake slack crashed: ${String(err)}` });
      else res.destroy();
    });
  });

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${host}:${port}`;

  let respondIds = 0;

  async function poll<T>(list: T[], pred: (x: T) => boolean, timeoutMs: number, what: () => string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = list.find(pred);
      if (found !== undefined) return found;
      if (Date.now() >= deadline) throw new Error(what());
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  return {
    url: `${origin}/api/`,
    origin,
    calls,
    respondRequests,
    messages,
    homeViews,
    openedViews,
    uploads,
    files,
    ids,
    failNext(method, spec, times = 1) {
      const q = failures.get(method) ?? [];
      for (let i = 0; i < times; i++) q.push(spec);
      failures.set(method, q);
    },
    responseUrl(id) {
      const rid = id ?? `r${++respondIds}-${randomBytes(3).toString('hex')}`;
      return `${origin}/respond/${encodeURIComponent(rid)}`;
    },
    callsTo(method) {
      return calls.filter((c) => c.method === method);
    },
    waitFor(match, timeoutMs = 2000) {
      const pred = typeof match === 'string' ? (c: RecordedCall) => c.method === match : match;
      const label = typeof match === 'string' ? `${match} call` : 'matching call';
      return poll(calls, pred, timeoutMs, () => {
        const seen = calls.length === 0 ? '  (none)' : calls.map(describeCall).join('\n');
        return `fake Slack API: no ${label} within ${timeoutMs} ms. Calls seen:\n${seen}`;
      });
    },
    waitForRespond(match = () => true, timeoutMs = 2000) {
      return poll(respondRequests, match, timeoutMs, () => {
        const seen =
          respondRequests.length === 0
            ? '  (none)'
            : respondRequests.map((r) => `  ${r.id} → ${r.status} ${r.result}  ${JSON.stringify(r.body)}`).join('\n');
        return `fake Slack: no matching response_url post within ${timeoutMs} ms. Posts seen:\n${seen}`;
      });
    },
    onArrival(method, look) {
      arrivals.set(method, look);
    },
    reset() {
      arrivals.clear();
      viewsById.clear();
      calls.length = 0;
      respondRequests.length = 0;
      messages.clear();
      homeViews.clear();
      openedViews.length = 0;
      uploads.length = 0;
      files.length = 0;
      failures.clear();
      respondCounts.clear();
      usedTriggers.clear();
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
