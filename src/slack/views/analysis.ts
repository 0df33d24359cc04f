// The analyst's note on a card (SPEC, Explanations): marked as a model's, its model named in a context line, its
// text escaped like every name (a model's words are data, as a campaign name is), each part clipped so the section
// stays within Slack's 3,000 characters.
import type { Explanation } from '../../domain/explanation.js';
import { type Block, context, escClip, section } from './blocks.js';

const MAX_CAUSES = 4;

/** The "Analysis" section and its context line; nothing when the row has no note. */
export function analysisBlocks(explanation: Explanation | null | undefined): Block[] {
  if (!explanation) return [];
  const causes = explanation.causes.slice(0, MAX_CAUSES).map((c) => `• ${escClip(c.text, 300)}`);
  return [
    section(
      [
        '*Analysis* _(written by a model from the figures above)_',
        escClip(explanation.summary, 400),
        ...causes,
        `*Suggested next step:* ${escClip(explanation.nextStep, 300)}`,
      ].join('\n'),
    ),
    context([
      `:robot_face: Analysis by ${escClip(explanation.model, 80)}, checked against the figures; advisory, it decided nothing`,
    ]),
  ];
}

/** One line for a list (App Home, the digest): the note's summary, marked as the model's. */
export const analysisLine = (explanation: Explanation | null | undefined, max = 300): string | null =>
  explanation ? `:robot_face: _${escClip(explanation.summary, max)}_ (${escClip(explanation.model, 60)})` : null;
