import { unitAndIntProjects } from '@orders/infra/vitest-projects';
import { defineConfig } from 'vitest/config';

// `unit` (no Kafka: `pnpm test:unit`) and `int` (*.int.test.ts, after the global setup has brought
// the local infra up); `vitest run` runs both.
export default defineConfig({
  test: {
    projects: unitAndIntProjects(),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
