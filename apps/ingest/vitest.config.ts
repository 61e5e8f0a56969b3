import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['@orders/infra/vitest-global-setup'],
    // integration tests share 2 cores with Kafka and PostgreSQL: one file at a time
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
