// `pnpm infra:down`: stops what `pnpm infra:up` started, nothing else. The logic lives in src/down.ts.
import { infraDown } from './src/down.ts';
import { InfraError } from './src/errors.ts';

try {
  await infraDown({ log: (line) => console.log(line) });
} catch (error) {
  const message =
    error instanceof InfraError ? error.message : String((error as Error).stack ?? error);
  console.error(`infra:down failed: ${message}`);
  process.exitCode = 1;
}
