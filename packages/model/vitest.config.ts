import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // canonical.int.test.ts needs the real PostgreSQL; bring local infra up first (idempotent).
    globalSetup: ['@orders/infra/vitest-global-setup'],
    // the random-input tests take ~3 s when turbo runs every package's tests on 2 cores; the
    // 5 s default is a timing bet, not a check of behaviour
    testTimeout: 30_000,
  },
});
