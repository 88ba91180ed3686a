import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts the real-server lab (idempotent) and stops what it started; XFERSCAN_LAB=off skips it.
    globalSetup: ['test/lab/globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // Real servers have per-IP connection limits: keep parallel test files modest.
    maxWorkers: 2,
  },
});
