// Explanations end to end: the real CLI over the bundled demo, with LLM_PROVIDER=openai pointed at a wire fake of
// an OpenAI-compatible server on 127.0.0.1. The demo's halts and escalations carry grounded notes in `run --json`,
// `status --json` and `status <campaign>`; invented figures and foreign codes are dropped and audited; a provider that
// is down, slow or refusing changes no decision and keeps the run within its deadline; the key goes nowhere.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, groundedNote, startFakeLlm } from '../fakes/llm.js';
import {
  type AuditDoc,
  ensureBuilt,
  type PendingDoc,
  pacing,
  pacingJson,
  type ResultDoc,
  type RunDoc,
  readAudit,
  type Workspace,
  workspace,
} from '../fakes/pacing-cli.js';

const KEY = 'sk-e2e-llm-secret-4f2a9c0d1e';
const WRONG_KEY = 'sk-e2e-wrong-key-b7d3e8f1a2';
interface Explained extends ResultDoc {
  explanation: {
    summary: string;
    causes: { text: string; evidence: string[] }[];
    nextStep: string;
    model: string;
  } | null;
}
type ExplainedRun = Omit<RunDoc, 'results'> & {
  results: Explained[];
  summary?: { explanations?: Record<string, unknown> };
};

let fake: FakeLlm;
const spaces: Workspace[] = [];
beforeAll(async () => {
  await ensureBuilt();
  fake = await startFakeLlm({ apiKey: KEY });
}, 60_000);
afterAll(async () => {
  for (const w of spaces) w.cleanup();
  await fake.close();
});

const llm = (extra: Record<string, string> = {}) => ({
  LLM_PROVIDER: 'openai',
  LLM_MODEL: 'gpt-4o-mini',
  LLM_API_KEY: KEY,
  LLM_BASE_URL: fake.openaiBaseUrl,
  LLM_TIMEOUT_MS: '8000',
  ...extra,
});
const ws = (env: Record<string, string> = {}) => {
  const w = workspace(env);
  spaces.push(w);
  return w;
};
const run = (w: Workspace) => pacingJson<ExplainedRun>(w, ['run']);
const wanted = (r: ResultDoc) => r.action === 'halt' || r.action === 'escalate' || r.severity === 'critical';
/** What the rules decided, row by row: a note must never change any of it. */
const decisions = (doc: ExplainedRun) =>
  doc.results.map((r) => ({
    id: `${r.campaignId}/${r.platformCampaignId}`,
    action: r.action,
    proposedAction: r.proposedAction,
    status: r.status,
    reason: (r as unknown as { reason: string }).reason,
    rootCause: r.rootCause,
    mitigation: r.mitigation,
  }));
const questions = (p: PendingDoc) =>
  p.pending.map(({ campaignId, platformCampaignId, proposedAction, reason }) => ({
    campaignId,
    platformCampaignId,
    proposedAction,
    reason,
  }));

describe('LLM_PROVIDER=openai over the demo', () => {
  let w: Workspace;
  let doc: ExplainedRun;
  beforeAll(async () => {
    fake.behave({ kind: 'answer' });
    fake.requests.length = 0;
    w = ws(llm());
    doc = await run(w);
  }, 60_000);

  it('puts a grounded note on every halt, escalation and critical row, and on no other', () => {
    const explained = doc.results.filter(wanted);
    expect(explained.length).toBeGreaterThanOrEqual(8);
    for (const r of explained) {
      expect(r.explanation, `${r.campaignId ?? r.platformCampaignId}`).toMatchObject({ model: 'gpt-4o-mini' });
      expect(r.explanation?.summary).toContain(`Spent ${r.actualSpend}`);
      expect(r.rootCause.map((c) => c.code)).toEqual(expect.arrayContaining(r.explanation?.causes[0]?.evidence ?? []));
    }
    for (const r of doc.results.filter((x) => !wanted(x))) expect(r.explanation).toBeNull();
    expect(fake.requests).toHaveLength(explained.length);
    expect(doc.summary?.explanations).toMatchObject({ model: 'gpt-4o-mini', added: explained.length, rejected: 0 });
  });

  it('shows the same notes in status --json, and the note in status <campaign>', async () => {
    const status = await pacingJson<ExplainedRun>(w, ['status']);
    expect(status.results.map((r) => r.explanation)).toEqual(doc.results.map((r) => r.explanation));
    const one = await pacing(w, ['status', 'ACM-G-004']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/analysis\s+by gpt-4o-mini \(a model's note/);
    expect(one.stdout).toContain('Spent ');
  });

  it('audits each note with the model and its token counts, summed in the run', async () => {
    const events = (await pacingJson<AuditDoc>(w, ['audit'])).events;
    const added = events.filter((e) => e.type === 'explanation_added');
    expect(added).toHaveLength(doc.results.filter(wanted).length);
    for (const e of added) {
      expect(e.details).toMatchObject({ model: 'gpt-4o-mini', reused: false, usage: { output: 60 } });
      expect((e.details.usage as { input: number }).input).toBeGreaterThan(0);
    }
    const completed = events.find((e) => e.type === 'run_completed');
    expect(completed?.details.explanations).toMatchObject({ usage: { output: 60 * added.length } });
  });

  it('sends names, amounts, plan and platform ids only: no key, no owner, no other id', () => {
    for (const r of fake.requests) {
      expect(r.raw).not.toContain(KEY);
      expect(r.raw).not.toMatch(/U0[45][A-Z]{2,}[A-Z0-9]+/); // owners' Slack ids
      expect(r.raw).not.toMatch(/run-[0-9a-f]{10}|esc-[0-9a-f]{10}/); // run and escalation ids
      expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
    }
    const sent = fake.requests.map((r) => {
      const messages = (r.body as { messages: { role: string; content: string }[] }).messages;
      const user = messages.find((m) => m.role === 'user')?.content ?? '';
      return JSON.parse(/<evidence>\n([\s\S]*?)\n<\/evidence>/.exec(user)?.[1] ?? '{}') as {
        campaign: { planId: string | null; platformCampaignId: string | null };
      };
    });
    expect(sent.map((e) => e.campaign.planId)).toContain('ACM-G-004');
    expect(sent.map((e) => e.campaign.platformCampaignId)).toContain('20512340004');
  });

  it("prints no leak warning: the provider client listens on each call's own signal", async () => {
    fake.behave({ kind: 'answer' });
    const out = await pacing(ws(llm()), ['run', '--json']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).not.toContain('MaxListenersExceededWarning');
  });

  it('keeps the key out of stdout, stderr, the audit trail and the database file', async () => {
    const out = await pacing(w, ['status', '--json']);
    expect(out.stdout + out.stderr).not.toContain(KEY);
    expect(JSON.stringify(readAudit(w))).not.toContain(KEY);
    expect(readFileSync(w.db).includes(KEY)).toBe(false);
  });

  it('does not ask the same question twice: an unchanged row reuses its note', async () => {
    fake.requests.length = 0;
    const again = await run(w);
    const reused = again.results.filter((r) => wanted(r) && r.explanation !== null);
    expect(reused.length).toBeGreaterThan(0);
    // Only rows whose action, amounts or causes changed (the halts now stand paused) are asked again.
    expect(fake.requests.length).toBeLessThan(doc.results.filter(wanted).length);
    expect(again.summary?.explanations).toMatchObject({ reused: expect.any(Number) });
    expect((again.summary?.explanations?.reused as number) > 0).toBe(true);
  });
});

describe('an answer that is not grounded', () => {
  it('is dropped and audited: an invented number, or a code the row lacks', async () => {
    fake.behave({
      kind: 'answer',
      write: (e) =>
        e.campaign.planId === 'ACM-G-004'
          ? { ...(groundedNote(e) as object), summary: 'It will end 987,654 EUR over budget.' }
          : { ...(groundedNote(e) as object), causes: [{ text: 'A spike.', evidence: ['spend_spike_invented'] }] },
    });
    const w = ws(llm());
    const doc = await run(w);
    expect(doc.results.every((r) => r.explanation === null)).toBe(true);
    const rejected = readAudit(w).filter((e) => e.type === 'explanation_rejected');
    expect(rejected.length).toBe(doc.results.filter(wanted).length);
    const reasons = rejected.map((e) => e.details.reason as string);
    expect(reasons).toContain('writes the number 987,654, which the evidence does not hold');
    expect(reasons.filter((r) => r.startsWith('cites spend_spike_invented'))).toHaveLength(rejected.length - 1);
  });
});

describe('a provider that is down, slow or refusing', () => {
  let baseline: ExplainedRun;
  let baselinePending: PendingDoc;
  beforeAll(async () => {
    const w = ws();
    baseline = await run(w);
    baselinePending = await pacingJson<PendingDoc>(w, ['pending']);
  }, 60_000);

  it.each<[string, () => void, Record<string, string>]>([
    ['down (nothing listens)', () => fake.behave({ kind: 'answer' }), { LLM_BASE_URL: 'http://127.0.0.1:9/v1' }],
    ['answering 500', () => fake.behave({ kind: 'status', status: 500 }), {}],
    [
      'rate limiting with a long retry-after',
      () => fake.behave({ kind: 'status', status: 429, retryAfterSeconds: 120 }),
      {},
    ],
    ['refusing', () => fake.behave({ kind: 'refuse', text: "I can't help with that." }), {}],
    ['refusing the key, and echoing it back', () => fake.behave({ kind: 'answer' }), { LLM_API_KEY: WRONG_KEY }],
    ['slow (answers after a minute)', () => fake.behave({ kind: 'slow', ms: 60_000 }), { LLM_TIMEOUT_MS: '1500' }],
  ])(
    'leaves decisions and questions as they are, within the deadline: %s',
    async (_, behave, env) => {
      behave();
      const w = ws(llm(env));
      const started = performance.now();
      const doc = await run(w);
      const took = performance.now() - started;
      expect(decisions(doc)).toEqual(decisions(baseline));
      expect(questions(await pacingJson<PendingDoc>(w, ['pending']))).toEqual(questions(baselinePending));
      expect(doc.results.every((r) => r.explanation === null)).toBe(true);
      const explanations = doc.summary?.explanations as {
        durationMs: number;
        asked: number;
        notAsked: number;
        rejected: number;
      };
      // Every call started is rejected; a row the deadline came before is not asked (nor audited as rejected).
      expect(explanations.rejected).toBe(explanations.asked);
      expect(explanations.asked + explanations.notAsked).toBe(doc.results.filter(wanted).length);
      expect(readAudit(w).filter((e) => e.type === 'explanation_rejected')).toHaveLength(explanations.asked);
      // The step ends by its deadline (plus a little for a loaded machine), whatever the provider does.
      expect(explanations.durationMs).toBeLessThanOrEqual(Number(llm(env).LLM_TIMEOUT_MS) + 1000);
      expect(took).toBeLessThan(30_000);
      const reasons = readAudit(w)
        .filter((e) => e.type === 'explanation_rejected')
        .map((e) => String(e.details.reason));
      expect(reasons.length).toBeGreaterThan(0);
      for (const r of reasons) expect(r).not.toContain(env.LLM_API_KEY ?? KEY);
      expect(readFileSync(w.db).includes(env.LLM_API_KEY ?? KEY)).toBe(false);
    },
    60_000,
  );
});

describe('LLM_PROVIDER=anthropic', () => {
  it("puts grounded notes on the demo's halts through the Messages API's tool_use", async () => {
    fake.behave({ kind: 'answer' });
    fake.requests.length = 0;
    const w = ws(llm({ LLM_PROVIDER: 'anthropic', LLM_MODEL: 'claude-test', LLM_BASE_URL: fake.anthropicBaseUrl }));
    const doc = await run(w);
    const halts = doc.results.filter((r) => r.action === 'halt');
    expect(halts.length).toBeGreaterThan(0);
    for (const r of halts) expect(r.explanation).toMatchObject({ model: 'claude-test' });
    expect(fake.requests.every((r) => r.path === '/v1/messages' && r.headers['x-api-key'] === KEY)).toBe(true);
  }, 60_000);
});
