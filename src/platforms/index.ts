// Chooses each platform's adapter from PACING_PLATFORMS: the bundled fixtures, or the live API (wrapped in
// dry-run unless PACING_MODE=live).
import type { PlatformAdapter } from '../agent/ports.js';
import { type Config, requireLive } from '../config.js';
import { PLATFORMS, type Platform } from '../domain/types.js';
import { DryRunPlatform } from './dry-run.js';
import { FixturePlatform, type StatusOverrides } from './fixtures/adapter.js';
import { GoogleAdsPlatform } from './google/adapter.js';
import { MetaPlatform } from './meta/adapter.js';
import { DEFAULT_NAMING_PATTERN, NamingConvention } from './naming.js';

export function createPlatforms(
  config: Config,
  overrides: StatusOverrides,
  fetchImpl?: typeof fetch,
): Map<Platform, PlatformAdapter> {
  const naming = new NamingConvention(config.platforms.namingPattern ?? DEFAULT_NAMING_PATTERN);
  const deps = { clock: config.clock, naming, ...(fetchImpl ? { fetch: fetchImpl } : {}) };
  const out = new Map<Platform, PlatformAdapter>();
  for (const p of PLATFORMS) {
    if (config.platforms.sources[p] === 'fixtures') {
      out.set(p, new FixturePlatform(p, config.dataDir, overrides, config.clock));
      continue;
    }
    requireLive(config, p);
    const live: PlatformAdapter =
      p === 'google'
        ? new GoogleAdsPlatform(config.platforms.google, deps)
        : new MetaPlatform(config.platforms.meta, deps);
    out.set(p, config.platforms.mode === 'live' ? live : new DryRunPlatform(live));
  }
  return out;
}

/** Where the data comes from and whether acting changes anything: platforms on fixture files, live ones in dry run. */
export interface RunMode {
  /** Platforms read from fixture files (the bundled demo by default): not a real ad account. */
  demo: Platform[];
  /** Live platforms in PACING_MODE=dry-run: read for real, nothing paused. */
  dryRun: Platform[];
}

export function runMode(platforms: Config['platforms']): RunMode {
  const demo = PLATFORMS.filter((p) => platforms.sources[p] === 'fixtures');
  const live = PLATFORMS.filter((p) => platforms.sources[p] !== 'fixtures');
  return { demo, dryRun: platforms.mode === 'dry-run' ? live : [] };
}
