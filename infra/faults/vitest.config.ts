import { defineConfig } from 'vitest/config';

// Unit tests of the suite's parts, and run.ts under SIGTERM/SIGINT (run-signals.int.test.ts: starts
// its own broker and PostgreSQL in a private home on free ports); the suite itself is
// `pnpm test:faults` (run.ts).
export default defineConfig({ test: { include: ['src/**/*.test.ts'] } });
