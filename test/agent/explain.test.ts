// The explanation step inside a real cycle (real SQLite file, fake platforms): grounded notes land on the rows, in
// the store and in the questions opened; a bad, failing or slow model changes no decision and keeps its deadline.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeModel } from '@langchain/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { PacingAgent } from '../../src/agent/agent.js';
import type { Explainer } from '../../src/agent/ports.js';
import type { Evidence } from '../../src/domain/explanation.js';
import { structuredExplainer } from '../../src/llm/langchain.js';
import { Store } from '../../src/store/index.js';
import { campaign, NOW, planRow } from '../domain/builders.js';
import { agentOnFakes, FakePlatform } from '../fakes/platform.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

type Answer = (e: Evidence, signal: AbortSignal) => unknown;

/** A model port that answers from the evidence it is given, counting its calls. */
class ScriptedExplainer implements Explainer {
  readonly model = 'fake-model-1';
  readonly asked: Evidence[] = [];
  constructor(private readonly answer: Answer) {}
  async explain(evidence: Evidence, signal: AbortSignal) {
    this.asked.push(evidence);
    return { answer: await this.answer(evidence, signal), usage: { inputTokens: 120, outputTokens: 30 } };
  }
}

const money = (a: Evidence['figures'][string] | undefined): string =>
  a !== null && typeof a === 'object' ? `${a.amount} ${a.currency}` : String(a);

const grounded: Answer = (e) => ({
  summary: `Spent ${money(e.figures.actualSpend)} against ${money(e.figures.targetSpendToDate)} planned to date.`,
  causes: [{ text: 'Spend runs far from plan.', evidence: [e.rootCauses[0]?.code] }],
  next_step: 'Check the daily budget on the platform.',
});

/** A halt (c-1: +71 %, sure match) and an escalation (c-2: product and market differ, so confidence is low). */
async function world(explainer: Explainer | null, limits = { timeoutMs: 2000, maxCallsPerRun: 20 }) {
  const dir = mkdtempSync(join(tmpdir(), 'pacing-explain-'));
  const store = await Store.open(join(dir, 'p.db'));
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const agent: PacingAgent = agentOnFakes({
    store,
    plan: [planRow(), planRow({ campaignId: 'c-2', campaignName: 'UK Brand Display', line: 3 })],
    google: new FakePlatform('google', [
      campaign({ spend: 2400 }),
      campaign({ id: 'g-2', name: 'UK Brand Display', market: 'FR', product: 'Generic', spend: 3000 }),
    ]),
    now: NOW,
  });
  agent.deps.explainer = explainer;
  agent.deps.explanations = limits;
  return { agent, store };
}

/** `n` campaigns 71 % over plan on sure matches: `n` halts to explain. */
async function manyCritical(explainer: Explainer, n: number, limits: { timeoutMs: number; maxCallsPerRun: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'pacing-explain-'));
  const store = await Store.open(join(dir, 'p.db'));
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const ids = Array.from({ length: n }, (_, i) => i + 1);
  const agent: PacingAgent = agentOnFakes({
    store,
    plan: ids.map((i) =>
      planRow({ campaignId: `c-${i}`, campaignName: `Campaign ${i}`, platformCampaignId: `g-${i}`, line: i + 1 }),
    ),
    google: new FakePlatform(
      'google',
      ids.map((i) => campaign({ id: `g-${i}`, name: `Campaign ${i}`, spend: 2400 + i })),
    ),
    now: NOW,
  });
  agent.deps.explainer = explainer;
  agent.deps.explanations = limits;
  return { agent, store };
}

const decisions = (rows: { key: string; action: string; status: string; reason: string; rootCause: unknown }[]) =>
  rows.map((r) => ({ key: r.key, action: r.action, status: r.status, reason: r.reason, rootCause: r.rootCause }));

describe('the explanation step', () => {
  it('puts a grounded note on the halt and the escalation, audited with the model and its tokens', async () => {
    const model = new ScriptedExplainer(grounded);
    const w = await world(model);
    const report = await w.agent.run('test');
    expect(report.results.map((r) => r.action).sort()).toEqual(['escalate', 'halt']);
    for (const row of report.results) {
      expect(row.explanation).toMatchObject({
        model: 'fake-model-1',
        nextStep: 'Check the daily budget on the platform.',
      });
      expect(row.explanation?.summary).toContain(String(row.actualSpend));
    }
    // Most money at stake first: c-2 (1,600 over) before c-1 (1,000 over).
    expect(model.asked.map((e) => e.campaign.planId)).toEqual(['c-2', 'c-1']);
    const added = await w.store.audit.list({ type: 'explanation_added' });
    expect(added).toHaveLength(2);
    expect(added[0]?.details).toEqual({ model: 'fake-model-1', usage: { input: 120, output: 30 }, reused: false });
    expect(report.summary.explanations).toMatchObject({
      asked: 2,
      added: 2,
      rejected: 0,
      usage: { input: 240, output: 60 },
    });
    // Summed per run in the audit trail too (run_completed holds the summary).
    const completed = (await w.store.audit.list({ type: 'run_completed' }))[0];
    expect(completed?.details.explanations).toMatchObject({ usage: { input: 240, output: 60 } });
    // The question the run opened shows the note (its message is built from the stored escalation).
    const escalationId = report.results.find((r) => r.action === 'escalate')?.escalationId as string;
    expect((await w.store.escalations.get(escalationId))?.snapshot.explanation?.model).toBe('fake-model-1');
    // status --json reads the stored rows: the note is there too.
    const stored = (await w.agent.latest())?.results ?? [];
    expect(stored.map((r) => r.explanation?.summary)).toEqual(report.results.map((r) => r.explanation?.summary));
  });

  it('reuses the stored note while action, amounts and causes are unchanged, and asks again when they change', async () => {
    const model = new ScriptedExplainer(grounded);
    const w = await world(model);
    const first = await w.agent.run('test');
    const second = await w.agent.run('test');
    // The open question's row is the same: its note is reused. The halted one is now paused on the platform (a
    // new root cause): it is asked again.
    const codes = (id: string, r: typeof first) =>
      r.results.find((x) => x.campaignId === id)?.rootCause.map((c) => c.code);
    expect(codes('c-2', second)).toEqual(codes('c-2', first));
    expect(codes('c-1', second)).not.toEqual(codes('c-1', first));
    expect(model.asked.map((e) => e.campaign.planId)).toEqual(['c-2', 'c-1', 'c-1']);
    expect(second.results.every((r) => r.explanation !== null)).toBe(true);
    expect(second.summary.explanations).toMatchObject({ asked: 1, added: 2, reused: 1 });
    // Audited when written, not again when reused: two notes in the first run, one new in the second.
    const added = await w.store.audit.list({ type: 'explanation_added' });
    expect(added).toHaveLength(3);
    expect(added.every((e) => e.details.reused === false)).toBe(true);
  });

  it('drops a note with an invented number or a code the row lacks, and says why', async () => {
    const w = await world(
      new ScriptedExplainer((e) =>
        e.campaign.planId === 'c-1'
          ? { ...(grounded(e, new AbortController().signal) as object), summary: 'It will end 123,456 EUR over.' }
          : {
              ...(grounded(e, new AbortController().signal) as object),
              causes: [{ text: 'x', evidence: ['spend_spike'] }],
            },
      ),
    );
    const report = await w.agent.run('test');
    expect(report.results.map((r) => r.explanation)).toEqual([null, null]);
    const reasons = (await w.store.audit.list({ type: 'explanation_rejected' }))
      .map((e) => e.details.reason as string)
      .sort();
    expect(reasons).toEqual([
      "cites spend_spike, which is not one of the row's root causes",
      'writes the number 123,456, which the evidence does not hold',
    ]);
  });

  it('keeps decisions and messages as they are without a model when the provider fails', async () => {
    const none = await world(null);
    const before = await none.agent.run('test');
    const failing = await world(
      new ScriptedExplainer(() => {
        throw Object.assign(new Error('Internal Server Error'), { status: 500 });
      }),
    );
    const after = await failing.agent.run('test');
    expect(decisions(after.results)).toEqual(decisions(before.results));
    expect(after.results.every((r) => r.explanation === null)).toBe(true);
    expect((await failing.store.audit.list({ type: 'explanation_rejected' }))[0]?.details.reason).toBe(
      'provider error: 500 Internal Server Error',
    );
  });

  it('ends the step at its deadline: a model that never answers is abandoned and the run goes on', async () => {
    let aborted = 0;
    const hanging = new ScriptedExplainer(
      (_e, signal) =>
        new Promise(() => {
          signal.addEventListener('abort', () => aborted++);
        }),
    );
    const w = await world(hanging, { timeoutMs: 300, maxCallsPerRun: 20 });
    const started = performance.now();
    const report = await w.agent.run('test');
    // The deadline plus the run's own work; generous for a loaded machine, far below a hanging call.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(aborted).toBe(2);
    expect(report.results.map((r) => r.action).sort()).toEqual(['escalate', 'halt']);
    expect(report.summary.explanations).toMatchObject({ asked: 2, added: 0, rejected: 2 });
    expect(report.summary.explanations?.durationMs).toBeLessThan(4000);
  });

  it('counts as asked only the calls started before the deadline, and audits no row it never asked', async () => {
    const hanging = new ScriptedExplainer(() => new Promise(() => {}));
    const w = await manyCritical(hanging, 7, { timeoutMs: 300, maxCallsPerRun: 20 });
    const report = await w.agent.run('test');
    // Four calls go out at once; none answers, so the other three rows are never sent.
    expect(hanging.asked).toHaveLength(4);
    expect(report.summary.explanations).toMatchObject({ asked: 4, notAsked: 3, added: 0, rejected: 4 });
    const rejected = await w.store.audit.list({ type: 'explanation_rejected' });
    expect(rejected).toHaveLength(4);
    expect(rejected.map((e) => e.campaignId).sort()).toEqual(hanging.asked.map((e) => e.campaign.planId).sort());
  });

  it('gives each call its own signal, so listeners added per call never pile up on one (no leak warning)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      // As the provider clients do: listeners on the signal of each call, never removed.
      const listening = new ScriptedExplainer((e, signal) => {
        for (let i = 0; i < 3; i++) signal.addEventListener('abort', () => {});
        return grounded(e, signal);
      });
      const w = await manyCritical(listening, 12, { timeoutMs: 5000, maxCallsPerRun: 20 });
      const report = await w.agent.run('test');
      expect(report.summary.explanations).toMatchObject({ asked: 12, added: 12 });
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('asks at most LLM_MAX_CALLS_PER_RUN, the most money at stake first', async () => {
    const model = new ScriptedExplainer(grounded);
    const w = await world(model, { timeoutMs: 2000, maxCallsPerRun: 1 });
    const report = await w.agent.run('test');
    expect(model.asked.map((e) => e.campaign.planId)).toEqual(['c-2']);
    expect(report.results.find((r) => r.campaignId === 'c-1')?.explanation).toBeNull();
  });
});

describe('the LangChain explainer', () => {
  it('reads the structured output and its token counts, and parses it again (fake models do not validate)', async () => {
    const chat = fakeModel().structuredResponse({
      raw: { usage_metadata: { input_tokens: 11, output_tokens: 7 } },
      parsed: { summary: 'fine', causes: [], next_step: 'none' },
    });
    const explainer = structuredExplainer(chat, 'fake-chat');
    const out = await explainer.explain({} as Evidence, new AbortController().signal);
    expect(out.usage).toEqual({ inputTokens: 11, outputTokens: 7 });
    // The shape is wrong (no causes): the grounding check is what refuses it.
    expect(out.answer).toEqual({ summary: 'fine', causes: [], next_step: 'none' });
  });

  it('turns an answer without the note (a refusal) into an error with the refusal', async () => {
    const chat = fakeModel().structuredResponse({
      raw: { additional_kwargs: { refusal: "I can't help with that." } },
      parsed: null,
    });
    await expect(structuredExplainer(chat, 'x').explain({} as Evidence, new AbortController().signal)).rejects.toThrow(
      /did not answer with the note: "I can't help with that."/,
    );
  });
});
