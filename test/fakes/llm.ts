// Local stand-ins for the two model APIs on 127.0.0.1, answering as the providers do and refusing what they refuse.
//
// OpenAI Chat Completions (platform.openai.com API reference; what OpenAI-compatible servers copy): POST
// /v1/chat/completions, `Authorization: Bearer <key>` (401 `invalid_api_key` otherwise), JSON `{ model, messages,
// tools?, tool_choice?, response_format? }`. With `tools`, the note comes back as a tool call: `choices[0].message`
// `{ role: "assistant", content: null, tool_calls: [{ id, type: "function", function: { name, arguments: "<JSON
// string>" } }] }`, `finish_reason: "tool_calls"`; with `response_format.type === "json_schema"`, as the message's
// `content` (a JSON string). A refusal is `message.refusal` with `content: null`. `usage: { prompt_tokens,
// completion_tokens, total_tokens }`. Errors: `{ error: { message, type, code } }`, 429 with `retry-after`.
//
// Anthropic Messages (docs.anthropic.com): POST /v1/messages, `x-api-key` and `anthropic-version` headers, JSON
// `{ model, max_tokens, system?, messages, tools?, tool_choice? }`; a forced tool answers `content: [{ type:
// "tool_use", id, name, input }]`, `stop_reason: "tool_use"`, `usage: { input_tokens, output_tokens }`. Errors:
// `{ type: "error", error: { type, message } }` (401 authentication_error, 429 rate_limit_error, 529 overloaded_error).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the model "writes" for one request, given the evidence the app sent. */
export type NoteWriter = (evidence: EvidenceSent) => unknown;

/** The evidence table as the app sent it (parsed back from the user turn). */
export interface EvidenceSent {
  campaign: { planId: string | null; platformCampaignId: string | null; untrustedNames: Record<string, unknown> };
  figures: Record<string, unknown>;
  rootCauses: { code: string }[];
  [k: string]: unknown;
}

/** How the next requests are answered. */
export type Behaviour =
  | { kind: 'answer'; write?: NoteWriter }
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  | { kind: 'slow'; ms: number }
  | { kind: 'refuse'; text: string };

export interface LlmRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  /** Raw body as received: what left the app, byte for byte. */
  raw: string;
  status: number;
}

export interface FakeLlm {
  /** Base URL as LLM_BASE_URL takes it: `…/v1` for OpenAI-compatible, the host for Anthropic. */
  openaiBaseUrl: string;
  anthropicBaseUrl: string;
  requests: LlmRequest[];
  /** Every request from now on is answered so (until changed). */
  behave(b: Behaviour): void;
  close(): Promise<void>;
}

/** An amount as the evidence gives it ({ amount, currency }), written "5400 USD"; "null" when there is none. */
const amountOf = (a: unknown): string => {
  const m = a as { amount?: unknown; currency?: unknown } | null;
  return m && typeof m.amount === 'number'
    ? `${m.amount} ${typeof m.currency === 'string' ? m.currency : ''}`.trim()
    : 'null';
};

/** A grounded note: figures copied from the evidence as given (each amount in its currency), the first cause cited. */
export const groundedNote: NoteWriter = (e) => ({
  summary: `Spent ${amountOf(e.figures.actualSpend)} against ${e.figures.targetSpendToDate ? amountOf(e.figures.targetSpendToDate) : 'no plan'} planned to date.`,
  causes: [{ text: 'Spend is far from plan.', evidence: [e.rootCauses[0]?.code ?? 'over_pacing'] }],
  next_step: 'Check the campaign on the platform.',
});

function evidenceIn(text: string): EvidenceSent {
  const m = /<evidence>\n([\s\S]*?)\n<\/evidence>/.exec(text);
  if (!m?.[1]) throw new Error('no <evidence> block in the user turn');
  return JSON.parse(m[1]) as EvidenceSent;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      data += c;
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });

export async function startFakeLlm(opts: { apiKey: string }): Promise<FakeLlm> {
  const requests: LlmRequest[] = [];
  let behaviour: Behaviour = { kind: 'answer' };
  const open = new Set<ServerResponse>();

  const server = createServer(async (req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    const raw = await readBody(req);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      // Answered below as the provider answers a body that is not JSON.
    }
    const entry: LlmRequest = { path: req.url ?? '', headers: req.headers, body, raw, status: 0 };
    requests.push(entry);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    const anthropic = entry.path === '/v1/messages';
    const openai = entry.path === '/v1/chat/completions';
    const error = (status: number, type: string, message: string, headers: Record<string, string> = {}) =>
      send(
        status,
        anthropic ? { type: 'error', error: { type, message } } : { error: { message, type, code: type } },
        headers,
      );
    if (req.method !== 'POST' || (!anthropic && !openai))
      return error(404, 'not_found_error', `Unknown route ${req.url}`);
    const key = anthropic ? req.headers['x-api-key'] : /^Bearer (.+)$/.exec(String(req.headers.authorization))?.[1];
    // Echoes the key it was given, as some proxies do (OpenAI itself masks most of it): the app must redact it.
    if (key !== opts.apiKey)
      return error(
        401,
        anthropic ? 'authentication_error' : 'invalid_api_key',
        `Incorrect API key provided: ${String(key)}.`,
      );
    if (anthropic && !req.headers['anthropic-version'])
      return error(400, 'invalid_request_error', 'anthropic-version header is required');
    if (typeof body.model !== 'string' || !Array.isArray(body.messages))
      return error(400, 'invalid_request_error', "'model' and 'messages' are required");
    if (anthropic && typeof body.max_tokens !== 'number')
      return error(400, 'invalid_request_error', 'max_tokens: Field required');

    const b = behaviour;
    if (b.kind === 'status') {
      const type = b.status === 429 ? (anthropic ? 'rate_limit_error' : 'rate_limit_exceeded') : 'api_error';
      return error(
        b.status,
        type,
        b.status === 429 ? 'Rate limit reached.' : 'The server had an error processing your request.',
        b.retryAfterSeconds === undefined ? {} : { 'retry-after': String(b.retryAfterSeconds) },
      );
    }
    if (b.kind === 'slow') {
      // Holds the request open (a model that takes long); the client's abort closes it.
      setTimeout(() => error(504, 'timeout', 'Timed out.'), b.ms).unref();
      return;
    }
    const messages = body.messages as { role: string; content: unknown }[];
    const user = messages.filter((m) => m.role === 'user' || m.role === 'human').at(-1);
    const userText =
      typeof user?.content === 'string'
        ? user.content
        : Array.isArray(user?.content)
          ? (user.content as { text?: string }[]).map((c) => c.text ?? '').join('')
          : '';
    const usage = { input: Math.ceil(raw.length / 4), output: 60 };
    if (b.kind === 'refuse') {
      if (anthropic)
        return send(200, {
          id: 'msg_fake',
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: [{ type: 'text', text: b.text }],
          stop_reason: 'end_turn',
          usage: { input_tokens: usage.input, output_tokens: 12 },
        });
      return send(200, completion(body.model, { role: 'assistant', content: null, refusal: b.text }, 'stop', usage));
    }
    let note: unknown;
    try {
      note = (b.write ?? groundedNote)(evidenceIn(userText));
    } catch (err) {
      return error(400, 'invalid_request_error', (err as Error).message);
    }
    const tools = body.tools as { name?: string; function?: { name: string } }[] | undefined;
    if (anthropic) {
      const tool = tools?.[0]?.name;
      if (!tool) return error(400, 'invalid_request_error', 'this fake answers notes through a forced tool only');
      return send(200, {
        id: 'msg_fake',
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [{ type: 'tool_use', id: 'toolu_fake', name: tool, input: note }],
        stop_reason: 'tool_use',
        usage: { input_tokens: usage.input, output_tokens: usage.output },
      });
    }
    const format = body.response_format as { type?: string } | undefined;
    if (format?.type === 'json_schema')
      return send(200, completion(body.model, { role: 'assistant', content: JSON.stringify(note) }, 'stop', usage));
    const fn = tools?.[0]?.function?.name;
    if (!fn) return error(400, 'invalid_request_error', 'this fake answers notes through tools or json_schema only');
    return send(
      200,
      completion(
        body.model,
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_fake', type: 'function', function: { name: fn, arguments: JSON.stringify(note) } }],
        },
        'tool_calls',
        usage,
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    openaiBaseUrl: `http://127.0.0.1:${port}/v1`,
    anthropicBaseUrl: `http://127.0.0.1:${port}`,
    requests,
    behave(b) {
      behaviour = b;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of open) r.destroy();
        server.close(() => resolve());
      }),
  };
}

function completion(
  model: unknown,
  message: Record<string, unknown>,
  finish: string,
  usage: { input: number; output: number },
) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_764_000_000,
    model,
    choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
    usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output },
  };
}
