// `approve` / `reject` by the plan's campaign id: the built CLI as a child process on a copy of the demo.
// A campaign with one open question stands for it; none or several are said plainly; people read plan ids and
// names, not platform ids like 23851200000000005.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, pacing, pacingJson, readAudit, type Workspace, workspace } from '../fakes/pacing-cli.js';

interface PendingDoc {
  pending: { escalationId: string; campaignId: string | null; proposedAction: string }[];
}

describe('approve and reject take a plan campaign id', () => {
  let ws: Workspace;
  let before: PendingDoc['pending'];
  beforeAll(async () => {
    await ensureBuilt();
    ws = workspace({ PACING_APPROVERS: 'U1' });
    const run = await pacing(ws, ['run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    before = (await pacingJson<PendingDoc>(ws, ['pending'])).pending;
  }, 30_000);
  afterAll(() => ws?.cleanup());

  it('approves the one open question about ACM-M-005 and names it by plan id and name', async () => {
    const open = before.find((e) => e.campaignId === 'ACM-M-005');
    expect(open?.proposedAction).toBe('halt');
    const out = await pacing(ws, ['approve', 'ACM-M-005', '--user', 'U1']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain(`${open?.escalationId} (ACM-M-005 · ACME | US | Basketball | Launch)`);
    expect(out.stdout).toContain('Approved by U1: ACM-M-005 (ACME | US | Basketball | Launch) paused.');
    expect(out.stdout).not.toContain('23851200000000005');
    const pauses = readAudit(ws).filter((e) => e.type === 'campaign_paused' && e.campaignId === 'ACM-M-005');
    expect(pauses).toHaveLength(1);
  });

  it('rejects by a plan id in another case', async () => {
    const out = await pacing(ws, ['reject', 'acm-m-004', '--user', 'U1', '--reason', 'seasonal']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/\(ACM-M-004 · ACME \| UK \| Trail \| Prospecting\): Rejected by U1/);
  });

  it('says there is nothing to decide for a campaign without an open question, and changes nothing', async () => {
    const audit = readAudit(ws);
    const out = await pacing(ws, ['approve', 'ACM-G-001', '--user', 'U1']);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(
      'No open question about ACM-G-001 (Acme_DE_Sneakers_Prospecting_Q4): there is nothing to decide.',
    );
    expect(readAudit(ws)).toEqual(audit);
  });

  it('suggests the campaigns with open questions nearest to a typo', async () => {
    const out = await pacing(ws, ['approve', 'ACM-M-08', '--user', 'U1']);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('"ACM-M-08" is neither an escalation id nor a campaign with an open question.');
    expect(out.stderr).toContain('Did you mean');
    expect(out.stderr).toContain('ACM-M-008 (open question esc-');
  });
});
