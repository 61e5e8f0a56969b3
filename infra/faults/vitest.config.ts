import { defineConfig } from 'vitest/config';

// Unit tests of the suite's pure parts only; the suite itself is `pnpm test:faults` (run.ts).
export default defineConfig({ test: { include: ['src/**/*.test.ts'] } });
