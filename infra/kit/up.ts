// `pnpm infra:up`: local Kafka + PostgreSQL, idempotent. The logic lives in src/up.ts.
import { InfraError } from './src/errors.ts';
import { infraUp } from './src/up.ts';

try {
  await infraUp({ env: process.env, log: (line) => console.log(line) });
} catch (error) {
  const message =
    error instanceof InfraError ? error.message : String((error as Error).stack ?? error);
  console.error(`infra:up failed: ${message}`);
  process.exitCode = 1;
}
