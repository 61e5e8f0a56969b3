// Entry point: env (./.env via dotenv; `pnpm start` also passes the repository's .env to node), config,
// signals and exit codes. Everything else lives in createIngest so tests can run it in-process.
import 'dotenv/config';
import { loadConfig, readKafkaSsl } from '@orders/config';
import { createIngest } from './ingest.ts';
import { createLogger, errorFields } from './logger.ts';

// Test-only fault hook for the crash suites: SIGKILL ourselves right after the N-th batch's
// COMMIT, before its offsets are resolved (the window where a redelivery must be absorbed).
const TEST_CRASH_ENV = 'ORDERS_TEST_CRASH_AFTER_DB_COMMIT';
// Same, right after a batch's dead letters are sent in their Kafka transaction, before it commits
// (records and offset): the redelivered batch must not leave a second copy for read_committed readers.
const TEST_CRASH_DLQ_ENV = 'ORDERS_TEST_CRASH_BEFORE_DLQ_COMMIT';

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  for (const warning of loaded.warnings) process.stderr.write(`warning: ${warning}\n`);
  process.stderr.write(`${loaded.error.message}\n`);
  process.exit(1);
}
const config = loaded.config;
const ssl = readKafkaSsl(config.kafka.ssl);
if (!ssl.ok) {
  process.stderr.write(`${ssl.error.message}\n`);
  process.exit(1);
}
const logger = createLogger({ level: config.logLevel });
// Deprecated variable names and doubtful combinations: the config is usable, the operator should know.
for (const warning of loaded.warnings) logger.warn('config warning', { warning });

const crashAfter = Number(process.env[TEST_CRASH_ENV] ?? 0);
const crashBeforeDlqCommit = process.env[TEST_CRASH_DLQ_ENV] === '1';
const ingest = createIngest(config, {
  logger,
  kafkaSsl: ssl.ssl,
  afterCommit:
    crashAfter > 0
      ? (n) => {
          if (n >= crashAfter) process.kill(process.pid, 'SIGKILL');
        }
      : undefined,
  beforeDlqCommit: crashBeforeDlqCommit ? () => process.kill(process.pid, 'SIGKILL') : undefined,
  onFatal: (err) => {
    logger.error('fatal: consumer stopped for good, exiting', errorFields(err));
    void ingest.stop(2_000).finally(() => process.exit(1));
  },
});

let stopping = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (stopping) {
    logger.warn('second signal, exiting now', { signal });
    process.exit(130);
  }
  stopping = true;
  logger.info('shutting down', { signal, deadlineMs: config.ingest.shutdownTimeoutMs });
  const deadline = setTimeout(() => {
    logger.error('shutdown deadline passed, exiting', {
      deadlineMs: config.ingest.shutdownTimeoutMs,
    });
    process.exit(1);
  }, config.ingest.shutdownTimeoutMs);
  deadline.unref();
  ingest.stop(config.ingest.shutdownTimeoutMs).then(
    () => process.exit(0),
    (err) => {
      logger.error('shutdown failed', errorFields(err));
      process.exit(1);
    },
  );
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

try {
  await ingest.start();
  logger.info('ingest ready', { port: ingest.port() });
} catch (err) {
  // a signal during start: the signal handler owns the exit
  if (stopping) await new Promise(() => {});
  logger.error('start failed', errorFields(err));
  await ingest.stop(2_000).catch(() => {});
  process.exit(1);
}
