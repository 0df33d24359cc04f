// `pacing restore-budget`: puts back the daily budget from before the agent's last change (SPEC, Steering budgets:
// Undo), named by the plan's campaign id or by the platform and its campaign id, like `resume-campaign`.
import { formatMoney } from '../domain/money.js';
import { PacingError } from '../errors.js';
import type { AgentApp } from '../wiring.js';
import { type Io, json, type Options, UsageError } from './commands.js';

export async function restoreBudget(app: AgentApp, args: readonly string[], o: Options, io: Io): Promise<void> {
  const [first = '', second] = args;
  if (second === undefined && (first === 'google' || first === 'meta'))
    throw new UsageError(`restore-budget ${first} needs the ${first} campaign id too.`);
  if (second !== undefined && first !== 'google' && first !== 'meta')
    throw new PacingError('not_found', `Unknown platform "${first}" (use google or meta).`);
  if (!o.user) throw new PacingError('not_authorised', 'Say who restores the budget: --user <slack-user-id>.');
  const target =
    second === undefined ? { campaignId: first } : { platform: first as 'google' | 'meta', platformCampaignId: second };
  const label = second === undefined ? first : `${first} campaign ${second}`;
  const r = await app.agent.restoreBudget(target, o.user, 'cli');
  if (o.json) {
    json(io, r);
    return;
  }
  const money = (v: number) => formatMoney(v, r.currency);
  io.out(
    {
      changed: `${label}: daily budget restored to ${money(r.to)} (was ${money(r.from)}).`,
      unchanged: `${label}: the daily budget already was ${money(r.to)}.`,
      would_change: `Dry run: ${label}'s daily budget would be restored to ${money(r.to)} (PACING_MODE=dry-run).`,
    }[r.outcome] + (r.closed ? ` The open budget question ${r.closed} is closed.` : ''),
  );
}
