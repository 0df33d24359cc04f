// The guardrail matrix: what the agent may do alone, and what it must ask an approver about.
import { formatPct } from './money.js';
import type { Action, ProposedAction, Severity, Thresholds, UnderspendAction } from './types.js';

export type Situation =
  | { kind: 'unmatched' }
  | { kind: 'orphan'; actualSpend: number }
  | { kind: 'platform_unavailable'; platform: string }
  | {
      kind: 'matched';
      planCurrency: string | null;
      platformCurrency: string | null;
      targetSpend: number;
      actualSpend: number;
      variancePct: number | null;
      severity: Severity | null;
      zeroDelivery: boolean;
      confidence: number;
    };

export interface Verdict {
  action: Action;
  /** For escalations: what happens if an approver approves. */
  proposedAction: ProposedAction | null;
  /** One sentence a person can act on: why this action. */
  reason: string;
}

const escalate = (proposedAction: ProposedAction, reason: string): Verdict => ({
  action: 'escalate',
  proposedAction,
  reason,
});
const act = (action: Exclude<Action, 'escalate'>, reason: string): Verdict => ({
  action,
  proposedAction: null,
  reason,
});

export function decide(s: Situation, t: Pick<Thresholds, 'confidence' | 'underspendAction'>): Verdict {
  switch (s.kind) {
    case 'unmatched':
      return escalate('alert', 'Planned campaign has no matching campaign on the platform.');
    case 'orphan':
      return escalate('halt', 'Campaign spends on the platform but is in no plan.');
    case 'platform_unavailable':
      return act('log', `Spend data from ${s.platform} is unavailable this cycle; nothing was decided.`);
    case 'matched':
      return decideMatched(s, t.confidence, t.underspendAction ?? 'halt');
  }
}

/** Said on every pause of an under-delivering campaign: the pause itself makes the shortfall worse. */
export const UNDERSPEND_PAUSE_NOTE =
  'It under-delivers, and pausing deepens the underspend: it is paused because UNDERSPEND_ACTION is halt (the default); set UNDERSPEND_ACTION=alert to only alert.';

/** The same, on a question to pause one: nothing is paused until an approver says so. */
export const UNDERSPEND_ASK_NOTE =
  'It under-delivers: if approved, the pause deepens the underspend; set UNDERSPEND_ACTION=alert to only alert.';

function decideMatched(
  s: Extract<Situation, { kind: 'matched' }>,
  minConfidence: number,
  underspend: UnderspendAction,
): Verdict {
  if (s.planCurrency && s.platformCurrency && s.planCurrency !== s.platformCurrency) {
    return escalate(
      'alert',
      `Plan is in ${s.planCurrency} but the platform reports ${s.platformCurrency}: the variance is meaningless.`,
    );
  }
  if (s.targetSpend === 0) {
    return s.actualSpend > 0
      ? escalate('halt', 'Campaign spends against a plan of zero.')
      : act('log', 'No spend planned and none made.');
  }
  if (s.zeroDelivery) return act('halt', 'Campaign delivers nothing against a positive plan.');
  const confident = s.confidence >= minConfidence;
  const conf = `confidence ${s.confidence} ${confident ? '≥' : '<'} ${minConfidence}`;
  switch (s.severity) {
    case 'healthy':
    case null:
      return act('log', 'Pacing within tolerance.');
    case 'warning':
      return confident
        ? act('alert', `Variance ${formatPct(s.variancePct)} is a warning; ${conf}.`)
        : escalate(
            'alert',
            `Variance ${formatPct(s.variancePct)} is a warning, but ${conf}: the match or data may be wrong.`,
          );
    case 'critical': {
      const under = s.variancePct !== null && s.variancePct < 0;
      if (under && underspend === 'alert')
        return confident
          ? act(
              'alert',
              `Variance ${formatPct(s.variancePct)} is a critical underspend; ${conf}. Alerted, not paused: pausing would deepen the underspend (UNDERSPEND_ACTION=alert).`,
            )
          : escalate(
              'alert',
              `Variance ${formatPct(s.variancePct)} is a critical underspend, but ${conf}: the match or data may be wrong (UNDERSPEND_ACTION=alert: alert, never pause).`,
            );
      return confident
        ? act(
            'halt',
            `Variance ${formatPct(s.variancePct)} is critical; ${conf}.${under ? ` ${UNDERSPEND_PAUSE_NOTE}` : ''}`,
          )
        : escalate(
            'halt',
            `Variance ${formatPct(s.variancePct)} is critical, but ${conf}: an approver must confirm the pause.${under ? ` ${UNDERSPEND_ASK_NOTE}` : ''}`,
          );
    }
  }
}
