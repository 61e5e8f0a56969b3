import { configDefaults, defineConfig } from 'vitest/config';

// `unit` (no broker: `pnpm test:unit`) and `int` (*.int.test.ts use the local broker: the global
// setup brings it up first, idempotent); `vitest run` runs both, unit first. The same split as
// @orders/infra's unitAndIntProjects, which this package sits below and so cannot import.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          exclude: [...configDefaults.exclude, '**/*.int.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['src/**/*.int.test.ts'],
          globalSetup: ['./test/global-setup.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
