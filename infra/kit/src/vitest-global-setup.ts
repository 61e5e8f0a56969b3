// Vitest globalSetup for integration tests: `globalSetup: ['@orders/infra/vitest-global-setup']`.
// Brings local Kafka + PostgreSQL up (idempotent) before any test file runs; if that fails the run
// fails with the reason, so integration tests never skip silently.
import { ensureInfra } from './test-kit.ts';

export default async function setup(): Promise<void> {
  await ensureInfra({ log: (line) => process.stderr.write(`[infra] ${line}\n`) });
}
