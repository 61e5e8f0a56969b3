// Test-only preload (`NODE_OPTIONS=--import …/record-loads.ts`): appends every @opentelemetry
// module the process resolves, and @orders/tracing's sdk.ts, to ORDERS_TEST_LOADS_FILE as
// `<url> from <importer>`, so a test can prove that tracing off loads nothing of the SDK.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.ORDERS_TEST_LOADS_FILE;
if (file) {
  appendFileSync(file, '');
  registerHooks({
    resolve(specifier, context, next) {
      const resolved = next(specifier, context);
      const { url } = resolved;
      if (url.includes('/@opentelemetry/') || url.endsWith('/packages/tracing/src/sdk.ts')) {
        appendFileSync(file, `${url} from ${context.parentURL ?? '?'}\n`);
      }
      return resolved;
    },
  });
}
