import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // canonical.int.test.ts needs the real PostgreSQL; bring local infra up first (idempotent).
    globalSetup: ['@orders/infra/vitest-global-setup'],
  },
});
