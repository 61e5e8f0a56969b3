import { defineConfig } from 'vitest/config';
import { unitAndIntProjects } from './src/vitest-projects.ts';

// `unit` (`pnpm test:unit`) and `int` (infra.int.test.ts, after the global setup has brought the
// local infra up); `vitest run` runs both.
export default defineConfig({
  test: {
    projects: unitAndIntProjects({ globalSetup: './src/vitest-global-setup.ts' }),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
