// The decision and guard settings a replay may change (`--set KEY=VALUE`), each validated by its own field of the one
// config schema (config.ts), so a bad value is named as it would be at start-up.
import type { z } from 'zod';
import { type Config, EnvSchema, SETTING_NAMES } from './config.js';
import { closest } from './domain/suggest.js';
import { ConfigError } from './errors.js';
import { redactText } from './redact.js';

type Group = 'thresholds' | 'guards';

/** Where each setting the matrix or a guard reads lands in Config. */
const DECISION_SETTINGS: Record<string, [Group, string]> = {
  HEALTHY_VARIANCE_THRESHOLD: ['thresholds', 'healthyVariance'],
  WARNING_VARIANCE_THRESHOLD: ['thresholds', 'warningVariance'],
  CONFIDENCE_THRESHOLD: ['thresholds', 'confidence'],
  FRESHNESS_HOURS: ['thresholds', 'freshnessHours'],
  UNDERSPEND_ACTION: ['thresholds', 'underspendAction'],
  ZERO_DELIVERY_ANY_CONFIDENCE: ['guards', 'zeroDeliveryAnyConfidence'],
  EARLY_FLIGHT_HOURS: ['guards', 'earlyFlightHours'],
  DATA_FAULT_SHARE: ['guards', 'dataFaultShare'],
  MAX_AUTONOMOUS_HALTS: ['guards', 'maxAutonomousHalts'],
  MAX_ORPHAN_ESCALATIONS: ['guards', 'maxOrphanEscalations'],
  HUMAN_DECISION_HOURS: ['guards', 'humanDecisionHours'],
};

/** The settings a replay may change, in the order help lists them. */
export const DECISION_SETTING_NAMES: readonly string[] = Object.keys(DECISION_SETTINGS);

export interface Overridden {
  /** The settings in force with the overrides applied. */
  config: Config;
  /** Each override as the schema read it (a number as a number), by setting name. */
  settings: Record<string, unknown>;
}

/**
 * Applies `KEY=VALUE` overrides to `config`. A malformed pair, a name that is no setting or not one a decision
 * reads, or a value the schema refuses throws a ConfigError naming the setting.
 */
export function withOverrides(config: Config, pairs: readonly string[]): Overridden {
  const settings: Record<string, unknown> = {};
  let thresholds = { ...config.thresholds };
  let guards = { ...config.guards };
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    if (eq <= 0 || pair.slice(eq + 1).trim() === '')
      throw new ConfigError(
        name || 'setting',
        `A setting is changed as KEY=VALUE, such as CONFIDENCE_THRESHOLD=60 (got "${redactText(pair)}").`,
      );
    const where = DECISION_SETTINGS[name];
    if (!where) throw new ConfigError(name, unknownSetting(name));
    const value = pair.slice(eq + 1).trim();
    const parsed = readSetting(name, value);
    const [group, field] = where;
    if (group === 'thresholds') thresholds = { ...thresholds, [field]: parsed };
    else guards = { ...guards, [field]: parsed };
    settings[name] = parsed;
  }
  // The one cross check, on the merged values (configured, then every override): a value read alone would be
  // compared with the other threshold's default instead of the one in force.
  if (thresholds.healthyVariance > thresholds.warningVariance) {
    throw new ConfigError(
      'HEALTHY_VARIANCE_THRESHOLD',
      `HEALTHY_VARIANCE_THRESHOLD (${thresholds.healthyVariance}) must not exceed WARNING_VARIANCE_THRESHOLD (${thresholds.warningVariance}).`,
    );
  }
  return { config: { ...config, thresholds, guards }, settings };
}

/** One value read by its own field of the schema: its type and range, nothing about the other settings. */
function readSetting(name: string, value: string): unknown {
  const field = (EnvSchema.shape as Record<string, z.ZodType>)[name];
  const parsed = field?.safeParse(value);
  if (parsed?.success) return parsed.data;
  const problem = parsed?.error.issues[0]?.message ?? 'is not a setting';
  // Decision and guard settings are never secrets: the value is echoed as loadConfig does.
  throw new ConfigError(name, `${name} ${problem} (got "${redactText(value)}").`);
}

function unknownSetting(name: string): string {
  const allowed = `a replay can change ${DECISION_SETTING_NAMES.join(', ')}`;
  if (SETTING_NAMES.includes(name)) return `${name} is not a decision or guard setting: ${allowed}.`;
  const near = closest(
    name,
    DECISION_SETTING_NAMES.map((id) => ({ id })),
    1,
  )[0];
  return `Unknown setting ${name}${near ? ` (did you mean ${near.id}?)` : ''}: ${allowed}.`;
}
