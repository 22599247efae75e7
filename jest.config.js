/** Type errors are caught by `npm run typecheck` in .ci/run; transpiling alone keeps tests fast. */
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };

/** @type {import('jest').Config} */
module.exports = {
  // Each integration file creates workers and servers; two at a time suits a 2-core machine.
  maxWorkers: 2,
  // Integration tests start workers (a workflow bundle each) on a loaded 2-core machine; a global option in Jest, not per project.
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      transform,
      setupFiles: ['<rootDir>/test/setup/outbound-allowlist.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/docker/**/*.test.ts'],
      transform,
      // One Temporal dev server and one database server for the run; only started when such a test runs.
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFiles: ['<rootDir>/test/setup/quiet-temporal.ts', '<rootDir>/test/setup/outbound-allowlist.ts'],
    },
  ],
};
