// The two vitest projects of a package with integration tests:
//
//   export default defineConfig({ test: { testTimeout: 60_000, projects: unitAndIntProjects() } });
//
// `unit` is every *.test.ts but the *.int.test.ts and needs neither Kafka nor PostgreSQL, so
// `vitest run --project unit` (the packages' `test:unit`) starts at once; `int` is every
// *.int.test.ts, and only it runs the global setup that brings the local infra up (or another
// one: @orders/kafka's own tests cannot use this kit). `vitest run` runs both, unit first. The
// projects inherit the config's other test options (`extends: true`).
import { configDefaults, type TestProjectInlineConfiguration } from 'vitest/config';

export function unitAndIntProjects(
  opts: { dirs?: string[]; globalSetup?: string } = {},
): TestProjectInlineConfiguration[] {
  const dirs = opts.dirs ?? ['src'];
  return [
    {
      extends: true,
      test: {
        name: 'unit',
        include: dirs.map((dir) => `${dir}/**/*.test.ts`),
        exclude: [...configDefaults.exclude, '**/*.int.test.ts'],
        sequence: { groupOrder: 0 },
      },
    },
    {
      extends: true,
      test: {
        name: 'int',
        include: dirs.map((dir) => `${dir}/**/*.int.test.ts`),
        globalSetup: [opts.globalSetup ?? '@orders/infra/vitest-global-setup'],
        sequence: { groupOrder: 1 },
      },
    },
  ];
}
