// What every effect's audit event says the same way: where the action happened and what went wrong.
import type { AuditEvent } from '../../domain/records.js';
import type { Platform } from '../../domain/types.js';
import { asPacingError } from '../../errors.js';

export const message = (err: unknown): string => asPacingError(err).message.replace(/\.+$/, '');

/** Where an action happened, as its audit events name it. */
export const where = (x: Pick<AuditEvent, 'runId' | 'campaignId' | 'platformCampaignId'> & { platform: Platform }) => ({
  runId: x.runId,
  campaignId: x.campaignId,
  platform: x.platform,
  platformCampaignId: x.platformCampaignId,
});
