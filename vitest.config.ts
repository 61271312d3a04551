import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: ['test/unit/deploy/build.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 0 },
        },
      },
      {
        // The real `npm run build` (a type-checked tsc and webpack, a minute of both cores) runs
        // alone, between the tiers, so it does not starve the unit tests' time limits.
        test: {
          name: 'build',
          include: ['test/unit/deploy/build.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/servers.ts'],
          setupFiles: ['test/setup/quiet-temporal.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: keep real-server test files from starving each other.
          maxWorkers: 2,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
