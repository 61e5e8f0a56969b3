// Vitest globalSetup: the local broker must be up. This package sits below @orders/infra (infra's
// kit uses it), so it cannot import infra's setup; it runs the repository's idempotent
// `infra:up` script instead, unless a parent process (pnpm test, turbo) already did.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export default async function setup(): Promise<void> {
  if (process.env.ORDERS_INFRA_READY) return;
  const up = join(import.meta.dirname, '../../../infra/kit/up.ts');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [up], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d: Buffer) => process.stderr.write(`[infra] ${d}`));
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0)
    throw new Error(`infra/kit/up.ts exited with ${code}: the local broker is not up`);
}
