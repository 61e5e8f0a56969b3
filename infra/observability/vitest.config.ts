import { unitAndIntProjects } from '@orders/infra/vitest-projects';
import { defineConfig } from 'vitest/config';

// `unit`: promtool's checks and tests of the rules, the dashboard's shape; `int`: the names they
// use against a live ingest's /metrics, and the demo's Prometheus scraping it.
export default defineConfig({
  test: { projects: unitAndIntProjects(), testTimeout: 60_000, hookTimeout: 60_000 },
});
