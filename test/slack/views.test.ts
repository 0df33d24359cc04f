// Block Kit builders on real result rows from a fixture run: what an approver sees, and that every message
// stays within Slack's limits even with 500 pending escalations or absurdly long names. Each message is also
// posted to the fake Slack API, which refuses what Slack refuses (invalid_blocks).
import type { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LatestRun } from '../../src/agent/agent.js';
import type { Escalation, EscalationClosed, ResultRow } from '../../src/domain/records.js';
import type { Digest } from '../../src/slack/digest.js';
import {
  alertBlocks,
  alertSummaryBlocks,
  alertText,
  RESUME_CAMPAIGN,
  resumedBlocks,
} from '../../src/slack/views/alert.js';
import type { Block } from '../../src/slack/views/blocks.js';
import { digestBlocks } from '../../src/slack/views/digest.js';
import { APPROVE, closedBlocks, escalationBlocks, escalationText, REJECT } from '../../src/slack/views/escalation.js';
import { homeView } from '../../src/slack/views/home.js';
import { pendingBlocks, statusBlocks } from '../../src/slack/views/status.js';
import { RecordingNotifier } from '../fakes/platform.js';
import { type FakeSlackApi, startFakeSlackApi } from '../fakes/slack-api.js';
import { type FixtureWorld, fastClient, fixtureWorld, later } from './fixture-app.js';

const CHANNEL = 'C0VIEWS001';
/** A paused flight's forecast: its 6,100 spent is where it ends, against a 20,000 budget. */
const PAUSED_FORECAST = {
  dailyRunRate: 0,
  projectedSpend: 6_100,
  budget: 20_000,
  projectedVariancePct: -69.5,
  daysLeft: 10,
  recommendedDailyBudget: 1_390,
  basis: 'last_7_days' as const,
};
const APPROVER = 'U0APPROVER1';
const REJECTER = 'U0REJECTER1';

let world: FixtureWorld;
let fake: FakeSlackApi;
let client: WebClient;
let rows: ResultRow[];
let latest: LatestRun;
let opened: Escalation[];
let closed: EscalationClosed[];

const row = (campaignId: string): ResultRow => {
  const r = rows.find((x) => x.campaignId === campaignId);
  if (!r) throw new Error(`no result row for ${campaignId}`);
  return r;
};
const escalation = (campaignId: string): Escalation => {
  const e = opened.find((x) => x.campaignId === campaignId);
  if (!e) throw new Error(`no escalation for ${campaignId}`);
  return e;
};

beforeAll(async () => {
  world = fixtureWorld();
  fake = await startFakeSlackApi({ knownChannels: [CHANNEL] });
  client = fastClient(fake.url);
  const notifier = new RecordingNotifier();
  const app = await world.open(notifier);
  const report = await app.agent.run('test');
  rows = report.results;
  latest = (await app.agent.latest()) as LatestRun;
  opened = [...notifier.opened];
  // One of each outcome: approved (a halt), rejected (an alert), and the rest expired a day later.
  await app.agent.decide(escalation('ACM-M-005').id, 'approved', APPROVER, null, 'slack');
  await app.agent.decide(escalation('ACM-M-004').id, 'overridden', REJECTER, 'planned push', 'slack');
  const tomorrow = new RecordingNotifier();
  await (await world.open(tomorrow, later(25))).agent.catchUp();
  closed = [...notifier.closed, ...tomorrow.closed];
});

afterAll(async () => {
  await fake?.close();
  await world?.cleanup();
});

// --- helpers -------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;
const text = (blocks: unknown): string => JSON.stringify(blocks);
/** Substring test that keeps a failure message short (the blocks can be 100 kB). */
const has = (haystack: string, needle: string): boolean => haystack.includes(needle);
/** The characters of text a message carries, summed over every text object. */
const textLength = (blocks: unknown): number => {
  let n = 0;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'text' && typeof x === 'string') n += x.length;
        else walk(x);
      }
    }
  };
  walk(blocks);
  return n;
};
const actionBlocks = (blocks: Block[]) =>
  blocks.filter((b) => b.type === 'actions') as unknown as { block_id: string; elements: Json[] }[];

/** Every limit the brief and PITFALLS.md name, checked directly; returns what is wrong, or []. */
function violations(blocks: readonly unknown[], maxBlocks: number): string[] {
  const out: string[] = [];
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const check = (what: string, s: unknown, max: number) => {
    if (typeof s !== 'string') return;
    if (s.length === 0) out.push(`${what} is empty`);
    if (s.length > max) out.push(`${what} has ${s.length} > ${max} characters`);
  };
  if (blocks.length > maxBlocks) out.push(`${blocks.length} blocks > ${maxBlocks}`);
  blocks.forEach((raw, i) => {
    const b = raw as Json;
    const at = `block ${i} (${String(b.type)})`;
    if (b.block_id !== undefined) check(`${at} block_id`, b.block_id, 255);
    if (b.type === 'header') check(`${at} header`, (b.text as Json).text, 150);
    if (b.type === 'section') {
      if (b.text) check(`${at} text`, (b.text as Json).text, 3000);
      const fields = (b.fields ?? []) as Json[];
      if (fields.length > 10) out.push(`${at} has ${fields.length} fields`);
      fields.forEach((f, j) => {
        check(`${at} field ${j}`, f.text, 2000);
      });
    }
    if (b.type === 'context') {
      const els = b.elements as Json[];
      if (els.length === 0 || els.length > 10) out.push(`${at} has ${els.length} elements`);
      els.forEach((e, j) => {
        check(`${at} element ${j}`, e.text, 3000);
      });
    }
    if (b.type === 'actions') {
      const els = b.elements as Json[];
      if (els.length === 0 || els.length > 25) out.push(`${at} has ${els.length} elements`);
      els.forEach((e, j) => {
        check(`${at} button ${j} text`, (e.text as Json).text, 75);
        check(`${at} button ${j} value`, str(e.value) || undefined, 2000);
        check(`${at} button ${j} action_id`, e.action_id, 255);
        const c = e.confirm as Json | undefined;
        if (c) {
          check(`${at} confirm title`, (c.title as Json).text, 100);
          check(`${at} confirm text`, (c.text as Json).text, 300);
          check(`${at} confirm button`, (c.confirm as Json).text, 30);
          check(`${at} deny button`, (c.deny as Json).text, 30);
        }
      });
    }
  });
  return out;
}

/** Posts a message to the fake Slack API; fails the test with Slack's own error list when it is refused. */
async function post(blocks: Block[], label = 'message'): Promise<void> {
  try {
    const res = await client.chat.postMessage({ channel: CHANNEL, text: label, blocks });
    expect(res.ok).toBe(true);
  } catch (err) {
    const data = (err as { data?: unknown }).data;
    throw new Error(`Slack refused the ${label}: ${JSON.stringify(data)}`);
  }
}

async function publish(view: ReturnType<typeof homeView>): Promise<void> {
  try {
    const res = await client.views.publish({ user_id: APPROVER, view });
    expect(res.ok).toBe(true);
  } catch (err) {
    throw new Error(`Slack refused the home view: ${JSON.stringify((err as { data?: unknown }).data)}`);
  }
}

/** Slack-sized trouble: a name far over every limit, full of characters mrkdwn escapes (each & < > becomes 4–5). */
const LONG = `${'Acme_<DE>_&_Sneakers_'.repeat(250)}_END`;

function longNamed(r: ResultRow): ResultRow {
  return {
    ...r,
    campaignId: r.campaignId ? `${r.campaignId}-${'X'.repeat(300)}` : null,
    campaignName: LONG,
    platformCampaignName: LONG,
    market: LONG,
    product: LONG,
    reason: `${LONG} ${r.reason}`,
    actionNote: r.actionNote ? LONG : null,
    rootCause: r.rootCause.map((c) => ({ ...c, message: LONG })),
    mitigation: r.mitigation.map((m) => ({ ...m, step: LONG })),
  };
}

function manyPending(n: number, long: boolean): Escalation[] {
  const base = opened;
  return Array.from({ length: n }, (_, i) => {
    const e = base[i % base.length] as Escalation;
    const snapshot = long ? longNamed(e.snapshot) : e.snapshot;
    return {
      ...e,
      id: `esc-${String(i).padStart(10, '0')}`,
      reason: long ? `${LONG} ${e.reason}` : e.reason,
      snapshot,
    };
  });
}

// --- the escalation message ------------------------------------------------------------------------------------

describe('escalationBlocks', () => {
  it('has two buttons carrying the escalation id: a halt on a doubtful match says "Yes, pause it" (danger, confirmed) and "No, keep it running"', async () => {
    const halt = escalation('ACM-M-005');
    expect(halt.proposedAction).toBe('halt');
    const blocks = escalationBlocks(halt);
    const actions = actionBlocks(blocks);
    expect(actions).toHaveLength(1);
    const [approve, reject, ...rest] = actions[0]?.elements ?? [];
    expect(rest).toEqual([]);
    expect(approve).toMatchObject({
      type: 'button',
      action_id: APPROVE,
      value: halt.id,
      style: 'danger',
      text: { text: 'Yes, pause it' },
    });
    expect(reject).toMatchObject({
      type: 'button',
      action_id: REJECT,
      value: halt.id,
      text: { text: 'No, keep it running' },
    });
    // The safe choice is never the red button.
    expect(reject?.style).toBeUndefined();
    expect(APPROVE).toBe('pacing_approve');
    expect(REJECT).toBe('pacing_reject');
    expect(approve?.confirm).toMatchObject({
      title: { type: 'plain_text' },
      confirm: { type: 'plain_text' },
      deny: { type: 'plain_text' },
    });
    expect(reject?.confirm).toBeUndefined();
    expect(violations(blocks, 50)).toEqual([]);
    await post(blocks, 'halt escalation');
  });

  it('a proposed alert is never red nor confirmed; its buttons answer the question asked', async () => {
    const answers = (id: string) => {
      const e = escalation(id);
      const [actions] = actionBlocks(escalationBlocks(e));
      return actions?.elements.map((b) => [
        b.action_id,
        b.value,
        (b.text as { text: string }).text,
        b.style,
        b.confirm,
      ]);
    };
    // "Is this the right campaign?" is answered yes or no; "Plan in EUR, Meta reports USD: send an alert anyway?"
    // with "Send alert anyway"; a plan row not found on the platform with "Send alert" / "Dismiss".
    expect(answers('ACM-M-004')).toEqual([
      [APPROVE, escalation('ACM-M-004').id, 'Yes, send the alert', 'primary', undefined],
      [REJECT, escalation('ACM-M-004').id, 'No, dismiss', undefined, undefined],
    ]);
    expect(answers('ACM-M-001')).toEqual([
      [APPROVE, escalation('ACM-M-001').id, 'Send alert anyway', 'primary', undefined],
      [REJECT, escalation('ACM-M-001').id, 'Dismiss', undefined, undefined],
    ]);
    expect(answers('ACM-M-007')).toEqual([
      [APPROVE, escalation('ACM-M-007').id, 'Send alert', 'primary', undefined],
      [REJECT, escalation('ACM-M-007').id, 'Dismiss', undefined, undefined],
    ]);
    for (const e of opened.filter((x) => x.proposedAction === 'alert')) {
      const [actions] = actionBlocks(escalationBlocks(e));
      for (const b of actions?.elements ?? []) expect([b.style, b.confirm]).not.toContain('danger');
    }
    await post(escalationBlocks(escalation('ACM-M-004')), 'alert escalation');
  });

  it('says under each question what its two buttons do, in their own words', () => {
    for (const e of opened) {
      const blocks = escalationBlocks(e);
      const [actions] = actionBlocks(blocks);
      const labels = (actions?.elements ?? []).map((b) => (b.text as { text: string }).text);
      const all = text(blocks);
      for (const label of labels) expect(all, e.id).toContain(`*${label}*`);
    }
  });

  it('asks the question that fits its reason', () => {
    const title = (id: string) => (escalationBlocks(escalation(id))[0] as { text: { text: string } }).text.text;
    expect(title('ACM-M-004')).toBe(':mag: Is this the right campaign? ACME | UK | Trail | Prospecting');
    expect(title('ACM-M-005')).toBe(':mag: Is this the right campaign? ACME | US | Basketball | Launch');
    expect(title('ACM-M-001')).toBe(
      ':currency_exchange: Plan in EUR, Meta reports USD: send an alert about ACME | FR | Running | Retargeting anyway?',
    );
    expect(title('ACM-M-007')).toBe(':mag: Not found on Meta: send an alert about ACME | SE | Yoga | Awareness?');
    const orphan = opened.find((e) => e.snapshot.campaignId === null && !e.batch) as Escalation;
    expect((escalationBlocks(orphan)[0] as { text: { text: string } }).text.text).toBe(
      ':question: Pause this unplanned spend? Acme_IT_Sandals_Clearance_Test on Google Ads',
    );
  });

  it('answers what, which campaign, how much and what to do in its first lines; the arithmetic in a context line', () => {
    const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
    for (const e of opened.filter((x) => !x.batch)) {
      const r = e.snapshot;
      const blocks = escalationBlocks(e);
      const [head, lead, why] = blocks as { type: string; text: { text: string } }[];
      expect(head?.type).toBe('header');
      expect(head?.text.text).toContain(r.campaignName ?? r.platformCampaignName);
      expect(head?.text.text).not.toMatch(/metadata|ACM-/);
      // Money with separators and the currency (or that it is unknown) in the first line.
      expect(lead?.text.text).toMatch(/\d{1,3}(,\d{3})*\.\d{2} (EUR|GBP|USD|\(currency unknown\))/);
      expect(why?.text.text).toContain(`*Asked because:* ${esc(e.reason)}`);
      if (r.ownerSlackId) expect(why?.text.text).toContain(`<@${r.ownerSlackId}>`);
      const all = text(blocks);
      // Confidence is one number with its parts in the context line, for a matched campaign.
      const ctx = JSON.stringify(blocks.filter((b) => b.type === 'context'));
      const p = r.confidenceParts;
      if (r.campaignId && r.platformCampaignId)
        expect(ctx).toContain(
          `Confidence *${r.confidence}* (metadata ${p.metadata} · name ${p.name} · freshness ${p.freshness})`,
        );
      expect(all).not.toContain(' = metadata ');
      // Each cause once; times as Slack date tokens, never raw ISO.
      for (const c of r.rootCause)
        expect(all.split(JSON.stringify(esc(c.message)).slice(1, -1)).length).toBeLessThanOrEqual(2);
      expect(all).toContain(`<!date^${Math.floor(Date.parse(e.expiresAt) / 1000)}^`);
      expect(all).not.toContain(e.expiresAt);
    }
    // The halt: 2,100.00 USD over plan, and where the flight ends at this rate.
    const lead = text(escalationBlocks(escalation('ACM-M-005')).slice(1, 2));
    expect(lead).toContain('*2,100.00 USD over plan* (+35.00%)');
    expect(lead).toContain('At this rate *6,495.18 USD over* its 18,000.00 USD budget');
  });
});

describe('closedBlocks', () => {
  const find = (decision: string) => {
    const c = closed.find((x) => x.decision === decision);
    if (!c) throw new Error(`no ${decision} escalation`);
    return c;
  };
  const header = (blocks: ReturnType<typeof closedBlocks>) => (blocks[0] as { text: { text: string } }).text.text;
  const token = (iso: string) => `<!date^${Math.floor(Date.parse(iso) / 1000)}^`;

  it('its header becomes the outcome; no buttons; who decided, as a mention, and when', async () => {
    const c = find('approved');
    const blocks = closedBlocks(c);
    expect(actionBlocks(blocks)).toEqual([]);
    expect(header(blocks)).toMatch(/^:(octagonal_sign|white_check_mark): (Paused|Alert sent): /);
    const t = text(blocks);
    expect(t).toContain(`*<@${APPROVER}> approved*`);
    expect(t).toContain(token(c.escalation.decidedAt as string));
    expect(t).not.toContain('Approve to carry it out');
    expect(t).not.toContain('*Pause campaign* stops');
    expect(violations(blocks, 50)).toEqual([]);
    await post(blocks, 'approved escalation');
  });

  it('a rejection says who kept it running and why; an expiry that nobody decided', async () => {
    const c = find('overridden');
    const withReason = closedBlocks({
      ...c,
      escalation: { ...c.escalation, decisionNote: 'Planned burst for the launch' },
    });
    expect(header(withReason)).toMatch(/^:(arrow_forward|no_entry_sign): (Kept running|Dismissed): /);
    expect(text(withReason)).toContain(`*<@${REJECTER}> rejected*`);
    expect(text(withReason)).toContain('*Reason:* Planned burst for the launch');
    const e = find('expired');
    const expired = closedBlocks(e);
    expect(actionBlocks(expired)).toEqual([]);
    expect(header(expired)).toMatch(/^:hourglass: Expired, nothing done: /);
    expect(text(expired)).toContain('No decision before the deadline');
    expect(text(expired)).toContain(token(e.escalation.decidedAt as string));
    expect(text(expired)).not.toContain('<@agent>');
    await post(withReason, 'rejected escalation');
    await post(expired, 'expired escalation');
  });
});

// --- alerts --------------------------------------------------------------------------------------------------

describe('alertBlocks', () => {
  it('mentions the owner when the tracker names one, and nobody otherwise', async () => {
    const r = row('ACM-G-002');
    expect(r.ownerSlackId).toBe('U04FRBUY02');
    const blocks = alertBlocks(r);
    expect(text(blocks)).toContain('<@U04FRBUY02>');
    expect(actionBlocks(blocks)).toEqual([]); // a warning has nothing to undo
    expect(text(alertBlocks({ ...r, ownerSlackId: null }))).not.toContain('<@');
    await post(blocks, 'warning alert');
  });

  it('gives a pause the agent made a Resume campaign button whose value names the campaign as JSON', async () => {
    const halts = rows.filter((x) => x.action === 'halt');
    expect(halts.map((x) => x.campaignId).sort()).toEqual(['ACM-G-004', 'ACM-G-005', 'ACM-M-003']);
    // ACM-G-005 was found paused: no undo is offered for a pause the agent did not make.
    const g005 = row('ACM-G-005');
    expect(g005.pause).toBe('already_paused');
    expect(actionBlocks(alertBlocks(g005))).toEqual([]);
    expect(text(alertBlocks(g005))).toContain('already paused');
    for (const r of halts.filter((x) => x.pause === 'paused')) {
      const blocks = alertBlocks(r);
      const [actions, ...more] = actionBlocks(blocks);
      expect(more).toEqual([]);
      expect(actions?.elements).toHaveLength(1);
      const button = actions?.elements[0] as Json;
      expect(button).toMatchObject({ type: 'button', action_id: RESUME_CAMPAIGN, text: { text: 'Resume campaign' } });
      expect(RESUME_CAMPAIGN).toBe('pacing_resume_campaign');
      expect(JSON.parse(button.value as string)).toEqual({
        platform: r.platform,
        platformCampaignId: r.platformCampaignId,
      });
      expect(text(blocks)).toContain(`<@${r.ownerSlackId}>`);
      expect(violations(blocks, 50)).toEqual([]);
      await post(blocks, `halt alert ${r.campaignId}`);
    }
    const g004 = actionBlocks(alertBlocks(row('ACM-G-004')))[0]?.elements[0];
    expect(JSON.parse(String(g004?.value))).toEqual({
      platform: 'google',
      platformCampaignId: '20512340004',
    });
  });
});

describe('alert cards a buyer reads in three seconds', () => {
  const title = (blocks: ReturnType<typeof alertBlocks>) => (blocks[0] as { text: { text: string } }).text.text;

  it("the header is the severity or outcome and the plan's name; the money at stake leads", () => {
    const g002 = alertBlocks(row('ACM-G-002'));
    expect(title(g002)).toBe(':large_yellow_circle: Warning overspend: Acme_FR_Running_Search_Brand_Q4');
    expect(text(g002.slice(1, 2))).toContain('*500.00 EUR over plan* (+10.00%)');
    const g003 = alertBlocks(row('ACM-G-003'));
    expect(title(g003)).toBe(':large_yellow_circle: Warning underspend: Acme_UK_Football_Search_Generic_Q4');
    expect(text(g003.slice(1, 2))).toContain('*1,000.00 GBP under plan* (-25.00%)');
    expect(title(alertBlocks(row('ACM-G-004')))).toBe(':octagonal_sign: Paused: Acme_NL_Outdoor_Awareness_Q4');
  });

  it('a campaign found paused while under plan is not called over plan, and "Not paused again" is said once', () => {
    const g005 = row('ACM-G-005');
    expect(g005.variancePct).toBeLessThan(0);
    const blocks = alertBlocks(g005);
    expect(title(blocks)).toBe(':double_vertical_bar: Under plan, already paused: Acme_DE_Running_PMax_Q4');
    expect(text(blocks).match(/[Nn]ot paused again/g)).toHaveLength(1);
  });

  it('times are Slack date tokens and the scoring arithmetic is in a context line', () => {
    for (const r of rows.filter((x) => x.action === 'alert' || x.action === 'halt')) {
      const blocks = alertBlocks(r);
      const sections = JSON.stringify(blocks.filter((b) => b.type !== 'context'));
      expect(sections).not.toMatch(/metadata \d/);
      expect(sections).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
      expect(JSON.stringify(blocks.filter((b) => b.type === 'context'))).toContain(`Confidence *${r.confidence}*`);
    }
  });

  it('links a live campaign to Google Ads or Ads Manager, built from the account and campaign ids', () => {
    const g = { ...row('ACM-G-002'), account: '123-456-7890' };
    expect(text(alertBlocks(g))).toContain(
      `<https://ads.google.com/aw/campaigns?campaignId=${g.platformCampaignId}&__e=1234567890|Open in Google Ads>`,
    );
    const m = { ...row('ACM-M-009'), account: 'act_998877' };
    expect(text(alertBlocks(m))).toContain(
      `<https://adsmanager.facebook.com/adsmanager/manage/campaigns?act=998877&selected_campaign_ids=${m.platformCampaignId}|Open in Ads Manager>`,
    );
    // Fixture campaigns have no account: no link that would open the wrong thing.
    expect(text(alertBlocks(row('ACM-G-002')))).not.toContain('Open in');
  });

  it('once a person resumes the campaign, the pause card says so in its header and loses its button', () => {
    const blocks = resumedBlocks(alertBlocks(row('ACM-G-004')), 'U0APPROVER1', 'today');
    expect(title(blocks)).toBe(':arrow_forward: Resumed: Acme_NL_Outdoor_Awareness_Q4');
    expect(text(blocks)).toContain('*Resumed by <@U0APPROVER1>*');
    expect(actionBlocks(blocks)).toEqual([]);
  });

  it('a resumed card no longer says what to do about the pause, nor where the paused flight ends', () => {
    const paused = { ...row('ACM-G-004'), forecast: PAUSED_FORECAST };
    const card = alertBlocks(paused);
    expect(text(card)).toContain('an approver can resume it with the button');
    expect(text(card)).toContain('Paused, it ends at its spend so far');
    const resumed = text(resumedBlocks(card, 'U0APPROVER1', 'today'));
    expect(resumed).not.toContain('resume it with the button');
    expect(resumed).not.toContain('The agent paused it');
    expect(resumed).not.toContain('its spend so far');
    // The money at stake and why it was paused stay.
    expect(resumed).toMatch(/\*[\d,]+\.\d\d EUR (over|under) plan\*/);
    // A card posted before its blocks had ids is recognised by its words.
    const old = JSON.parse(JSON.stringify(card, (k, v) => (k === 'block_id' ? undefined : v))) as Block[];
    expect(text(resumedBlocks(old, 'U0APPROVER1', 'today'))).not.toContain('resume it with the button');
  });

  it('a paused campaign ends at its spend so far on its card, never "at this rate … over its budget"', () => {
    // The agent paused ACM-G-004 in this run: its stored forecast is its spend so far.
    const g004 = row('ACM-G-004');
    expect(g004.pause).toBe('paused');
    if (g004.forecast) expect(g004.forecast.projectedSpend).toBe(g004.actualSpend);
    const lead = text(alertBlocks({ ...g004, forecast: PAUSED_FORECAST }).slice(1, 2));
    expect(lead).toContain('Paused, it ends at its spend so far: *6,100.00 EUR* of its 20,000.00 EUR budget (-69.50%)');
    expect(lead).not.toContain('At this rate');
  });

  it('an early-flight row says it is too early to judge in its header, not "Critical: not delivering"', () => {
    const early: ResultRow = {
      ...row('ACM-G-003'),
      severity: 'critical',
      variancePct: -100,
      actualSpend: 0,
      zeroDelivery: true,
      action: 'alert',
      rootCause: [
        {
          code: 'guard_early_flight',
          message: 'Too early to judge: the flight started 12 h ago (EARLY_FLIGHT_HOURS 24); not paused.',
          evidence: { startDate: '2026-11-20', hoursSinceStart: 12, earlyFlightHours: 24 },
        },
      ],
    };
    expect(title(alertBlocks(early))).toBe(
      ':hourglass_flowing_sand: Not delivering yet, too early to judge: Acme_UK_Football_Search_Generic_Q4',
    );
    expect(title(alertBlocks({ ...early, zeroDelivery: false, actualSpend: 100, variancePct: -97 }))).toBe(
      ':hourglass_flowing_sand: Under plan, too early to judge: Acme_UK_Football_Search_Generic_Q4',
    );
    expect(title(alertBlocks({ ...early, rootCause: [] }))).toBe(
      ':red_circle: Critical: not delivering: Acme_UK_Football_Search_Generic_Q4',
    );
  });

  it('an early-flight card leads with looking again after the first day, not with checking approvals now', () => {
    const early: ResultRow = {
      ...row('ACM-G-003'),
      severity: 'critical',
      variancePct: -100,
      actualSpend: 0,
      zeroDelivery: true,
      action: 'alert',
      pause: null,
      ownerSlackId: null,
      rootCause: [],
      mitigation: [
        { cause: 'no_delivery', step: 'Check ad approvals, the payment method, targeting and bids.' },
        { cause: 'guard_early_flight', step: 'Look again after the first day of delivery.' },
      ],
    };
    const held = text(
      alertBlocks({
        ...early,
        rootCause: [{ code: 'guard_early_flight', message: 'Too early to judge.', evidence: {} }],
      }),
    );
    expect(held).toContain('*Next:* Look again after the first day of delivery.');
    expect(held.indexOf('Check ad approvals')).toBeGreaterThan(held.indexOf('*Also*'));
    // Past its first hours the order stays: not delivering, check approvals first.
    expect(text(alertBlocks(early))).toContain('*Next:* Check ad approvals, the payment method, targeting and bids.');
  });

  it('an early-flight card gives no forecast from its first hours, only the daily budget that lands it', () => {
    // Nothing spent in 12 h projects nothing for the flight: "at this rate … under its budget" would contradict
    // "too early to judge".
    const early: ResultRow = {
      ...row('ACM-G-003'),
      severity: 'critical',
      variancePct: -100,
      actualSpend: 0,
      zeroDelivery: true,
      action: 'alert',
      forecast: { ...PAUSED_FORECAST, projectedSpend: 0, projectedVariancePct: -100, recommendedDailyBudget: 2_000 },
      rootCause: [
        {
          code: 'guard_early_flight',
          message: 'Too early to judge: the flight started 12 h ago (EARLY_FLIGHT_HOURS 24); not paused.',
          evidence: { startDate: '2026-11-20', hoursSinceStart: 12, earlyFlightHours: 24 },
        },
      ],
    };
    const lead = text(alertBlocks(early).slice(1, 2));
    expect(lead).not.toContain('At this rate');
    expect(lead).toContain(
      'Too early for a forecast: the flight has only just started. To land on its 20,000.00 GBP budget: 2,000.00 GBP a day for the 10 days left.',
    );
  });

  it('many alerts: one summary with money per currency and one line each, pauses first', async () => {
    const alerted = rows.filter((x) => x.action === 'alert' || x.action === 'halt');
    const blocks = alertSummaryBlocks('run-x', alerted);
    // The counts the CLI gives: pauses, new alerts and the one found paused apart (not "9 new alerts").
    expect(alerted.length).toBe(9);
    expect(title(blocks)).toBe(':bell: 2 paused · 6 new alerts');
    const t = text(blocks);
    expect(t).toContain('Standing: 1 paused earlier.');
    expect(t).toMatch(/\*Money at stake:\* [\d,]+\.\d\d EUR · [\d,]+\.\d\d USD · [\d,]+\.\d\d GBP/);
    const lines = (blocks[2] as { text: { text: string } }).text.text.split('\n');
    expect(lines).toHaveLength(alerted.length);
    expect(lines[0]).toMatch(/^:octagonal_sign: /);
    expect(lines[1]).toMatch(/^:octagonal_sign: /);
    expect(violations(blocks, 50)).toEqual([]);
    await post(blocks, 'alert summary');
  });
});

// --- Slack's limits ------------------------------------------------------------------------------------------

describe("Slack's limits", () => {
  it('escalation, outcome and alert messages with very long names stay valid', async () => {
    for (const e of opened) {
      const long = { ...e, reason: `${LONG} ${e.reason}`, snapshot: longNamed(e.snapshot) };
      const blocks = escalationBlocks(long);
      expect(violations(blocks, 50), `escalation ${e.id}`).toEqual([]);
      await post(blocks, `long escalation ${e.id}`);
      // The buttons still carry the id.
      expect(actionBlocks(blocks)[0]?.elements.map((b) => b.value)).toEqual([e.id, e.id]);
    }
    for (const c of closed) {
      const blocks = closedBlocks({
        ...c,
        detail: LONG,
        escalation: { ...c.escalation, snapshot: longNamed(c.escalation.snapshot) },
      });
      expect(violations(blocks, 50)).toEqual([]);
      await post(blocks, 'long outcome');
    }
    for (const r of rows.filter((x) => x.action === 'alert' || x.action === 'halt')) {
      const blocks = alertBlocks(longNamed(r));
      expect(violations(blocks, 50), `alert ${r.campaignId}`).toEqual([]);
      await post(blocks, `long alert ${r.campaignId}`);
    }
  });

  it('/pacing status says a paused campaign is paused, an approved pause too, never "done"', () => {
    const t = text(statusBlocks(latest, []));
    expect(t).toMatch(/Acme_NL_Outdoor_Awareness_Q4: \*\+40\.00%\* · 4,560\.00 EUR · paused/);
    const approved = { ...row('ACM-M-005'), status: 'approved' as const };
    expect(text(statusBlocks({ ...latest, results: [approved] }, []))).toContain('· paused (approved)');
  });

  it('/pacing pending and App Home give each question the money it is about, oldest first', () => {
    const m005 = escalation('ACM-M-005'); // 2,100.00 USD over plan
    const m001 = escalation('ACM-M-001'); // plan in EUR, spend in USD: the spend itself
    const t = text(pendingBlocks([m005, m001]));
    expect(t).toContain('*2,100.00 USD* at stake');
    expect(t).toMatch(
      new RegExp(
        `\\*${m001.snapshot.actualSpend?.toLocaleString('en-US', { minimumFractionDigits: 2 })} USD\\* at stake`,
      ),
    );
    expect(t.indexOf(m005.id)).toBeLessThan(t.indexOf(m001.id));
    const home = text(homeView({ latest, pending: [m005], canDecide: true, now: m005.createdAt }).blocks);
    expect(home).toContain('*At stake:* 2,100.00 USD');
  });

  it('/pacing pending with 500 escalations: at most 50 blocks, and it says how many were left out', async () => {
    for (const long of [false, true]) {
      const pending = manyPending(500, long);
      const blocks = pendingBlocks(pending);
      expect(violations(blocks, 50)).toEqual([]);
      expect(blocks.length).toBeLessThanOrEqual(50);
      const t = text(blocks);
      expect(has(t, '500 escalation(s) awaiting a decision')).toBe(true);
      expect(has(t, pending[0]?.id as string)).toBe(true);
      // Whatever does not fit in 50 blocks is announced, never silently dropped.
      if (!has(t, pending[499]?.id as string)) expect(t).toMatch(/(\d+ more sections left out|and \d+ more)/);
      await post(blocks, `pending (long names: ${long})`);
    }
    // One line longer than a whole section on its own still gives a valid (clipped) section, never an empty one.
    const one = manyPending(1, true);
    expect(violations(pendingBlocks(one), 50)).toEqual([]);
    await post(pendingBlocks(one), 'one long pending');
  });

  it('/pacing status with 500 pending and long names stays valid', async () => {
    for (const long of [false, true]) {
      const l: LatestRun = long ? { run: latest.run, results: latest.results.map(longNamed) } : latest;
      const blocks = statusBlocks(l, manyPending(500, long));
      expect(violations(blocks, 50)).toEqual([]);
      expect(has(text(blocks), '500 escalation(s) awaiting a decision')).toBe(true);
      await post(blocks, `status (long names: ${long})`);
    }
    expect(statusBlocks(null, [])).toHaveLength(1);
  });

  it('the digest with 500 pending, 500 expired and long names stays valid', async () => {
    const s = latest.run.summary;
    if (!s) throw new Error('the fixture run has no summary');
    for (const long of [false, true]) {
      const results = long ? latest.results.map(longNamed) : latest.results;
      const offPlan = results.filter((r) => r.severity === 'warning' || r.severity === 'critical');
      const d: Digest = {
        since: later(-24),
        until: later(24),
        runs: 42,
        latestRunId: latest.run.id,
        latestAt: latest.run.startedAt,
        latest: s,
        actions: { paused: 3, alerts: 500, escalated: 1000, approved: 1, overridden: 1, expired: 500, resumed: 0 },
        pending: manyPending(500, long),
        expired: manyPending(500, long).map((e) => ({ ...e, status: 'expired' as const })),
        moneyAtStake: ['EUR', 'GBP', 'USD', 'SEK', 'CHF'].map((currency, i) => ({
          currency,
          amount: 1_234_567.89 * (i + 1),
          over: 1_000_000,
          under: 234_567.89 * (i + 1),
          campaigns: 500,
        })),
        overspends: offPlan.filter((r) => (r.variancePct ?? 0) > 0).slice(0, 5),
        underspends: offPlan.filter((r) => (r.variancePct ?? 0) < 0).slice(0, 5),
        changes: {
          baselineRunId: latest.run.id,
          baselineAt: latest.run.startedAt,
          newCriticals: Array.from({ length: 100 }, () => offPlan).flat(),
          resolved: Array.from({ length: 100 }, () => offPlan.map((r) => ({ row: r, before: r }))).flat(),
        },
        chronic: Array.from({ length: 100 }, () => offPlan).flat(),
        forecastMisses: Array.from({ length: 100 }, () => results.filter((r) => r.forecast)).flat(),
        results,
      };
      const blocks = digestBlocks(d);
      expect(violations(blocks, 50)).toEqual([]);
      const t = text(blocks);
      expect(has(t, 'Awaiting a decision (500)')).toBe(true);
      expect(has(t, 'Expired without a decision (500)')).toBe(true);
      // With ordinary names the list says how many it left out; with huge ones the section is clipped instead.
      if (!long) expect(has(t, '…and 492 more')).toBe(true);
      // msg_blocks_too_long has been seen near 13,000 characters of text in total (PITFALLS.md).
      expect(textLength(blocks)).toBeLessThan(12_000);
      await post(blocks, `digest (long names: ${long})`);
    }
  });

  it('App Home with 500 pending and long names: at most 100 blocks, accepted by views.publish', async () => {
    for (const long of [false, true]) {
      const l: LatestRun = long ? { run: latest.run, results: latest.results.map(longNamed) } : latest;
      const view = homeView({ latest: l, pending: manyPending(500, long), canDecide: true, now: later(1) });
      expect(view.type).toBe('home');
      expect(violations(view.blocks, 100)).toEqual([]);
      expect(has(text(view.blocks), '500 escalations awaiting a decision')).toBe(true);
      expect(has(text(view.blocks), '…and 470 more')).toBe(true);
      await publish(view);
    }
    await publish(homeView({ latest: null, pending: [], canDecide: false, now: later(1) }));
  });
});

// --- batch escalations ---------------------------------------------------------------------------------------

type Member = NonNullable<Escalation['batch']>['members'][number];

/** One batch member; `i` orders them biggest money at stake first, as the agent does. */
function member(i: number, over: Partial<Member> = {}): Member {
  return {
    key: `ACM-B-${String(i).padStart(3, '0')}`,
    campaignId: `ACM-B-${String(i).padStart(3, '0')}`,
    campaignName: `Batch campaign ${i}`,
    platform: 'google',
    platformCampaignId: `2050000${String(i).padStart(4, '0')}`,
    platformCampaignName: `Batch campaign ${i}`,
    currency: 'EUR',
    targetSpend: 5000.25 - 100 * i,
    actualSpend: 0,
    variancePct: -100,
    dropped: false,
    ...over,
  };
}

/** A batch escalation built by hand on a real escalation: campaign ids null, the snapshot the biggest member's row. */
function batchEscalation(
  kind: 'data_fault' | 'halt_budget' | 'orphans',
  members: Member[],
  over: Partial<Escalation> = {},
): Escalation {
  const base = escalation('ACM-M-005');
  return {
    ...base,
    id: `esc-batch-${kind}`,
    key: `batch:${kind}:run:esc-batch-${kind}`,
    campaignId: null,
    platform: members[0]?.platform ?? 'google',
    platformCampaignId: null,
    proposedAction: kind === 'orphans' ? 'alert' : 'halt',
    reason:
      kind === 'orphans'
        ? `${members.length} campaigns spend with no plan row (more than MAX_ORPHAN_ESCALATIONS, 20): the tracker may be incomplete. Review them; approving flags them, nothing is paused.`
        : `${members.length} of ${members.length} in-flight campaigns in google account 111 (100 %) show no delivery: more likely a data outage than real stalls. Check the platform's data before pausing any of them.`,
    snapshot: { ...base.snapshot, platform: 'google', account: '111' },
    batch: { kind, members },
    ...over,
  };
}

/** 25 zero-delivery members, every third in GBP: 34,202.25 GBP and 60,804.00 EUR at stake. */
const faultMembers = () => Array.from({ length: 25 }, (_, i) => member(i, { currency: i % 3 === 0 ? 'GBP' : 'EUR' }));

describe('batch escalations', () => {
  it('a data fault: count, money per currency, the ten biggest, what to check, and "Keep them running" first', async () => {
    const e = batchEscalation('data_fault', faultMembers());
    const blocks = escalationBlocks(e);
    expect(violations(blocks, 50)).toEqual([]);
    const head = blocks[0] as unknown as { type: string; text: { text: string } };
    expect(head.type).toBe('header');
    expect(head.text.text).toBe('Google Ads account 111 data looks faulty: keep 25 campaigns running?');
    const t = text(blocks);
    // Money at stake per currency, never summed across them.
    expect(t).toContain('60,804.00 EUR');
    expect(t).toContain('34,202.25 GBP');
    expect(t).not.toContain('95,006.25');
    expect(t).toContain('more likely a data outage');
    // The ten biggest by name, then how many more.
    for (let i = 0; i < 10; i++) expect(t).toContain(`Batch campaign ${i}*`);
    expect(t).not.toContain('Batch campaign 10*');
    expect(t).toContain('…and 15 more');
    expect(t).toContain('0.00 GBP vs 5,000.25 GBP planned · -100.00%');
    // Not presented as one campaign: the biggest member's numbers block is not the message.
    expect(t).not.toContain('pause this campaign');
    const actions = actionBlocks(blocks);
    expect(actions).toHaveLength(1);
    // The safe answer leads: keeping them running is the first, primary button; pausing is red and confirmed.
    const [reject, approve, ...rest] = actions[0]?.elements ?? [];
    expect(rest).toEqual([]);
    expect(reject).toMatchObject({
      type: 'button',
      action_id: REJECT,
      value: e.id,
      style: 'primary',
      text: { text: 'Keep them running' },
    });
    expect(reject?.confirm).toBeUndefined();
    expect(approve).toMatchObject({
      type: 'button',
      action_id: APPROVE,
      value: e.id,
      style: 'danger',
      text: { type: 'plain_text', text: 'Pause anyway' },
    });
    const confirm = approve?.confirm as { text: { text: string } } | undefined;
    expect(confirm?.text.text).toContain('pauses 25 campaigns');
    expect(t).toContain('*What to check first:* open Google Ads account 111');
    expect(t).not.toContain('Pause 25 campaigns?');
    expect(escalationText(e)).toBe(`Approval needed (halt) for 25 campaigns: ${e.reason.replaceAll('&', '&amp;')}`);
    await post(blocks, 'data fault batch');
  });

  it('counts only the members still standing, and says the others are left alone', () => {
    const members = faultMembers().map((m, i) => (i < 2 ? { ...m, dropped: true } : m));
    const blocks = escalationBlocks(batchEscalation('halt_budget', members));
    const t = text(blocks);
    expect(t).toContain('Pause 23 more campaigns?');
    expect(t).toContain('2 other campaigns came back on plan since and will be left alone');
    expect(t).not.toContain('Batch campaign 0*');
    expect(t).toContain('…and 13 more');
    const [approve] = actionBlocks(blocks)[0]?.elements ?? [];
    const confirm = approve?.confirm as { text: { text: string } } | undefined;
    expect(confirm?.text.text).toContain('pauses 23 campaigns');
  });

  it('an orphan batch proposes a review: "Flag for review" flags them, no danger, no pause confirmation', async () => {
    const members = Array.from({ length: 30 }, (_, i) =>
      member(i, {
        key: `meta:${9000 + i}`,
        campaignId: null,
        campaignName: null,
        platform: 'meta',
        platformCampaignId: `${9000 + i}`,
        platformCampaignName: `Unplanned promo ${i}`,
        targetSpend: null,
        actualSpend: 3000 - 50 * i,
        variancePct: null,
      }),
    );
    const e = batchEscalation('orphans', members);
    const blocks = escalationBlocks(e);
    expect(violations(blocks, 50)).toEqual([]);
    const t = text(blocks);
    expect(t).toContain('Flag 30 orphan campaigns for review?');
    expect(t).toContain('nothing is paused');
    expect(t).toContain('Orphan Unplanned promo 0*');
    expect(t).toContain('3,000.00 EUR spent, no plan');
    expect(t).toContain('68,250.00 EUR');
    expect(t).toContain('…and 20 more');
    expect(t).not.toContain('danger');
    const [approve, reject] = actionBlocks(blocks)[0]?.elements ?? [];
    expect(approve).toMatchObject({ action_id: APPROVE, value: e.id, text: { text: 'Flag for review' } });
    expect(approve?.style).not.toBe('danger');
    expect(approve?.confirm).toBeUndefined();
    expect(reject).toMatchObject({ action_id: REJECT, value: e.id, text: { text: 'Dismiss' } });
    expect(escalationText(e)).toMatch(/^Approval needed \(alert\) for 30 campaigns: /);
    await post(blocks, 'orphan batch');
  });

  it('escapes member names and the reason: <!channel> in a name cannot ping', async () => {
    const members = faultMembers();
    members[0] = { ...members[0], campaignName: 'Promo <!channel> <@U0EVIL> & <https://x.test|click>' } as Member;
    const e = batchEscalation('data_fault', members, { reason: 'Spend stalled <!channel> & <!here>' });
    const blocks = escalationBlocks(e);
    const t = text(blocks);
    expect(t).not.toContain('<!channel>');
    expect(t).not.toContain('<!here>');
    expect(t).not.toContain('<@U0EVIL>');
    expect(t).toContain('Promo &lt;!channel&gt; &lt;@U0EVIL&gt; &amp; &lt;https://x.test|click&gt;');
    const fallback = escalationText(e);
    expect(fallback).not.toContain('<!channel>');
    expect(fallback).toContain('Spend stalled &lt;!channel&gt; &amp; &lt;!here&gt;');
    expect(
      text(closedBlocks({ escalation: e, decision: 'expired', actor: 'agent', outcome: 'done', detail: 'x' })),
    ).not.toContain('<!channel>');
    await post(blocks, 'escaped batch');
  });

  it('once decided: the summary stays, the buttons go, and the outcome says who, when and what', async () => {
    const e = batchEscalation('data_fault', faultMembers(), {
      status: 'approved',
      decidedBy: APPROVER,
      decidedAt: '2025-03-04T10:00:00.000Z',
    });
    const c: EscalationClosed = {
      escalation: e,
      decision: 'approved',
      actor: APPROVER,
      outcome: 'done',
      detail: `Approved by ${APPROVER} for all 25 campaigns: 24 paused, 1 already paused.`,
    };
    const blocks = closedBlocks(c);
    expect(actionBlocks(blocks)).toEqual([]);
    expect(violations(blocks, 50)).toEqual([]);
    const t = text(blocks);
    // The header is the outcome; the summary of what was asked stays below it.
    expect((blocks[0] as { text: { text: string } }).text.text).toBe(':octagonal_sign: Paused: 25 campaigns');
    expect(t).toContain('60,804.00 EUR');
    expect(t).toContain('…and 15 more');
    expect(t).toContain(`*<@${APPROVER}> approved*`);
    expect(t).toContain(`<!date^${Date.parse('2025-03-04T10:00:00.000Z') / 1000}^`);
    expect(t).not.toContain('*Proposed:*');
    expect(t).toContain('24 paused, 1 already paused');
    // Once decided, nothing says what to press any more: not the buttons' words, not a reason stored asking it.
    for (const stale of ['Approve to pause', 'What to check first', '*Pause anyway*', '*Keep them running*'])
      expect(
        text(
          closedBlocks({
            ...c,
            escalation: {
              ...e,
              reason: `${e.reason} Approve to pause all 25, or reject and check the platform's data.`,
            },
          }),
        ),
        stale,
      ).not.toContain(stale);
    expect(text(escalationBlocks(e))).toContain('*Pause anyway*');
    await post(blocks, 'approved batch');
    const rejected = closedBlocks({ ...c, decision: 'overridden', actor: REJECTER, detail: 'data outage, not stalls' });
    expect(actionBlocks(rejected)).toEqual([]);
    expect((rejected[0] as { text: { text: string } }).text.text).toBe(':arrow_forward: Kept running: 25 campaigns');
    expect(text(rejected)).toContain(`*<@${REJECTER}> rejected*`);
    await post(rejected, 'rejected batch');
  });

  it('500 members with 200-character names and a huge reason stay within Slack limits', async () => {
    const name = (i: number) => `${`<Acme & Co> ${i} `.repeat(20)}`.slice(0, 200);
    for (const kind of ['data_fault', 'halt_budget', 'orphans'] as const) {
      const members = Array.from({ length: 500 }, (_, i) =>
        member(i, {
          campaignId: kind === 'orphans' ? null : `ACM-${'X'.repeat(190)}-${i}`,
          campaignName: name(i),
          platformCampaignName: name(i),
          currency: ['EUR', 'GBP', 'USD'][i % 3] as string,
          platform: i % 2 ? 'meta' : 'google',
          targetSpend: kind === 'orphans' ? null : 1_000_000 - i,
          actualSpend: 12_345_678.9 - i,
        }),
      );
      const e = batchEscalation(kind, members, {
        reason: `${LONG} and more`,
        snapshot: { ...longNamed(escalation('ACM-M-005').snapshot), account: 'A'.repeat(300) },
      });
      const blocks = escalationBlocks(e);
      expect(violations(blocks, 50), kind).toEqual([]);
      const t = text(blocks);
      expect(t).toMatch(/…and \d+ more/);
      expect(t).not.toContain('<Acme');
      const ids = actionBlocks(blocks)[0]?.elements.map((b) => [b.action_id, b.value]);
      expect(ids).toEqual(
        kind === 'data_fault'
          ? [
              [REJECT, e.id],
              [APPROVE, e.id],
            ]
          : [
              [APPROVE, e.id],
              [REJECT, e.id],
            ],
      );
      await post(blocks, `500-member ${kind} batch`);
      const closedMsg = closedBlocks({
        escalation: e,
        decision: 'approved',
        actor: APPROVER,
        outcome: 'failed',
        detail: LONG,
      });
      expect(violations(closedMsg, 50), `closed ${kind}`).toEqual([]);
      await post(closedMsg, `closed 500-member ${kind} batch`);
      expect(escalationText(e).length).toBeLessThanOrEqual(3000);
    }
  });
});

describe('message text fallbacks', () => {
  it('escape names and reasons, so a campaign named <!channel> pings nobody', () => {
    const named = { ...row('ACM-G-004'), campaignId: 'X <!channel> <@U1>', campaignName: '<!here> & co' };
    const e = escalation('ACM-M-005');
    const asked = {
      ...e,
      reason: 'ping <!everyone>',
      snapshot: { ...e.snapshot, campaignId: '<!channel>', campaignName: '<!channel>' },
    };
    for (const text of [alertText(named), escalationText(asked)]) {
      expect(text).not.toMatch(/<!(channel|here|everyone)>|<@U1>/);
      expect(text).toMatch(/&lt;!/);
    }
  });
});

describe('the forecast on alerts and escalations', () => {
  it('says where the flight ends and the daily budget that lands it', () => {
    // In the first lines, beside the money at stake: a campaign still running ends where its rate takes it.
    const lead = text(escalationBlocks(escalation('ACM-M-005')).slice(1, 2));
    expect(lead).toMatch(/At this rate \*[\d,]+\.\d\d USD over\* its 18,000\.00 USD budget by <!date\^\d+\^/);
    expect(lead).toMatch(/To land on budget: [\d,.]+ USD a day for the \d+ days left/);
    // ACM-G-004, paused by the agent this run, spends no more: it ends at its spend so far.
    const r = row('ACM-G-004');
    expect(r.forecast).toMatchObject({ dailyRunRate: 0, projectedSpend: r.actualSpend });
    const paused = text(alertBlocks(r).slice(1, 2));
    expect(paused).toMatch(/Paused, it ends at its spend so far: \*[\d,]+\.\d\d EUR\* of its 18,000\.00 EUR budget/);
    expect(paused).not.toContain('At this rate');
  });
});
