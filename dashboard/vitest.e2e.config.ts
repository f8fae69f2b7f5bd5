import { defineConfig } from 'vitest/config';

// Browser end-to-end tests (npm run e2e): one file, run in order, against the platform that
// e2e/global-setup.ts starts and stops.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
