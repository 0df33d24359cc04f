// The analyst's notes in Slack, end to end in process: `pacing serve` with LLM_PROVIDER=openai pointed at a wire
// fake on 127.0.0.1, a /pacing run from an approver, and what the fake Slack API received: the halts' alerts and
// the questions carry an "Analysis" section with the model named; the key is in none of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../fakes/llm.js';
import { CHANNELS, escalationMessage } from './helpers.js';
import { servedSlack } from './serve-harness.js';

const KEY = 'sk-slack-llm-key-7c1e5b2a90';
let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm({ apiKey: KEY });
});
afterAll(() => fake.close());

const t = servedSlack();

describe('pacing serve with a model', () => {
  it("puts the model's note on the halts' alerts and on the questions", async () => {
    await t.start({
      LLM_PROVIDER: 'openai',
      LLM_MODEL: 'gpt-4o-mini',
      LLM_API_KEY: KEY,
      LLM_BASE_URL: fake.openaiBaseUrl,
    });
    await t.runFromSlack();
    const question = JSON.stringify(escalationMessage(t.world.fake, 'ACM-M-005').blocks);
    expect(question).toContain('*Analysis*');
    expect(question).toContain('Analysis by gpt-4o-mini');
    const posted = t.world.fake.callsTo('chat.postMessage');
    const halts = posted.filter(
      (c) => c.body.channel === CHANNELS.alerts && JSON.stringify(c.body).includes('Resume campaign'),
    );
    expect(halts.length).toBeGreaterThan(0);
    for (const h of halts) expect(JSON.stringify(h.body.blocks)).toContain('Analysis by gpt-4o-mini');
    expect(JSON.stringify(posted)).not.toContain(KEY);
    expect(t.audit('explanation_added').length).toBeGreaterThan(0);
  });
});
