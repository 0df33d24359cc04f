import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the CPUs: one worker on a 2-core machine, so files run one after
    // another while many of them wait on child processes and sockets. Two workers there measured 207 s → 136 s
    // for test/e2e, store, slack and cli together; larger machines keep the default.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // `npm run coverage`: printed, not gated. Code the tests run in child processes (the built CLI, serve) is not
    // seen by v8 here, so e2e-only paths count as uncovered.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text'],
    },
  },
});
