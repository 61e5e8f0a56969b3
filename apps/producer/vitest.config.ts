import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Local Kafka for *.int.test.ts (idempotent: a no-op when it is already up).
    globalSetup: ['@orders/infra/vitest-global-setup'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
