import { unitAndIntProjects } from '@orders/infra/vitest-projects';
import { defineConfig } from 'vitest/config';

// `unit` (no Kafka, no PostgreSQL: `pnpm test:unit`) and `int` (*.int.test.ts, after the global
// setup has brought the local infra up); `vitest run` runs both.
export default defineConfig({
  test: {
    projects: unitAndIntProjects({ dirs: ['src', 'test'] }),
    // integration tests share 2 cores with Kafka and PostgreSQL: one file at a time
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
