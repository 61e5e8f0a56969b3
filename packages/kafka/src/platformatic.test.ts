import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** What a fresh Node process resolved under `@platformatic/kafka` while running `body`. */
function platformaticResolvedBy(body: string): string[] {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = [];
    registerHooks({
      resolve(specifier, context, next) {
        if (specifier.startsWith('@platformatic/kafka')) seen.push(specifier);
        return next(specifier, context);
      },
    });
    ${body}
    console.log(JSON.stringify(seen));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: packageDir,
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as string[];
}

describe('@platformatic/kafka is loaded on first use', () => {
  it('importing @orders/kafka does not load it (ingest never uses it on its hot path)', () => {
    expect(platformaticResolvedBy("await import('@orders/kafka');")).toEqual([]);
  });

  it('loadPlatformatic imports it, once', () => {
    const body = `
      const { loadPlatformatic } = await import('./src/platformatic.ts');
      const [a, b] = await Promise.all([loadPlatformatic(), loadPlatformatic()]);
      if (a !== b || typeof a.Admin !== 'function') throw new Error('not the module');`;
    expect(platformaticResolvedBy(body)).toEqual(['@platformatic/kafka']);
  });
});
