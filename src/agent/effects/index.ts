// The only place the agent changes anything (test/architecture.test.ts holds every file outside this folder to
// that): pause, resume and daily-budget changes (intent → platform → read back → audit), notifications through the
// one path that audits their failures, escalations opened, claimed, settled and closed, the analyst's notes a run
// kept or dropped, and the audit records of these actions. The cycle, the escalation threads and the agent's
// commands decide what to do and in which order; they act through what this file exports.
export { announce, announceEscalation, batchChanged, closeNotice } from './announce.js';
export { type BudgetResult, type BudgetTarget, changeBudget, recoverBudgetChanges } from './budgets.js';
export {
  addMembers,
  adoptUnsettled,
  approvedAlert,
  claim,
  claimThread,
  claimThreads,
  closeEscalation,
  dropMember,
  noteRejection,
  openEscalation,
  settle,
} from './escalations.js';
export { type ExplanationOutcome, noteExplanations } from './explanations.js';
export { type PauseResult, type PauseTarget, pauseCampaign, recoverPauses, resume, unpausable } from './pauses.js';
export { pruneThreads } from './prune.js';
export { record } from './record.js';
export { notify, notifyOnce } from './tell.js';
