// The one .env file ingest reads (dotenv; the design card's choice): the one of the directory it
// was started from. For `node apps/ingest/src/main.ts` that is the working directory. For a package
// script (`pnpm --filter ingest start` at the repository root) pnpm runs the script in apps/ingest
// and records the directory it was called from in INIT_CWD (npm and yarn do the same), so that one
// is read: the repository's .env. The test harness and the fault suite spawn src/main.ts with a
// clean environment (no INIT_CWD) and a working directory of their own, so a developer's .env at
// the repository root never reaches them. Variables already set win over the file.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { config } from 'dotenv';

export function envFilePath(env: NodeJS.ProcessEnv, cwd: string): string {
  return join(env.INIT_CWD || cwd, '.env');
}

export type EnvFileRead =
  | { path: string; loaded: false }
  | { path: string; loaded: true; set: number };

/**
 * Loads that file into `env` when it exists; `set` counts the variables it added (not the ones
 * already set). An unreadable file throws: a configuration the operator wrote must not be skipped.
 */
export function loadEnvFile(env: NodeJS.ProcessEnv, cwd: string): EnvFileRead {
  const path = envFilePath(env, cwd);
  if (!existsSync(path)) return { path, loaded: false };
  const before = new Set(Object.keys(env));
  const result = config({ path, processEnv: env as Record<string, string>, quiet: true });
  if (result.error) throw result.error;
  return { path, loaded: true, set: Object.keys(env).filter((k) => !before.has(k)).length };
}
