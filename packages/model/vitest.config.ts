import { unitAndIntProjects } from '@orders/infra/vitest-projects';
import { defineConfig } from 'vitest/config';

// `unit` (no PostgreSQL: `pnpm test:unit`) and `int` (canonical.int.test.ts needs the real
// PostgreSQL: the global setup brings the local infra up first); `vitest run` runs both.
export default defineConfig({
  test: {
    projects: unitAndIntProjects(),
    // the random-input tests take ~3 s when turbo runs every package's tests on 2 cores; the
    // 5 s default is a timing bet, not a check of behaviour
    testTimeout: 30_000,
  },
});
