import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/every-test-asserts.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Tests spawn ffmpeg and the CLI; two workers match the two-core machines we run on.
    maxWorkers: 2,
  },
});
