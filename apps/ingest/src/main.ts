// Entry point: env (one .env, see env-file.ts), config, signals and exit codes. Everything else
// lives in createIngest so tests can run it in-process.
import { loadConfig, readKafkaSsl } from '@orders/config';
import { type EnvFileRead, loadEnvFile } from './env-file.ts';
import { createIngest, type IngestDeps } from './ingest.ts';
import { createLogger, errorFields } from './logger.ts';

/** Hooks a test entry point passes (test/crash-main.ts); the service's own start passes none. */
export type MainHooks = Pick<IngestDeps, 'afterCommit' | 'afterDlqPublish' | 'redrive'>;

export async function runMain(hooks: MainHooks = {}): Promise<void> {
  let envFile: EnvFileRead;
  try {
    envFile = loadEnvFile(process.env, process.cwd());
  } catch (err) {
    process.stderr.write(`cannot read the .env file: ${(err as Error).message}\n`);
    process.exit(1);
  }
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
  if (envFile.loaded) logger.info('.env read', { path: envFile.path, variablesSet: envFile.set });
  // Deprecated variable names and doubtful combinations: the config is usable, the operator should know.
  for (const warning of loaded.warnings) logger.warn('config warning', { warning });

  const ingest = createIngest(config, {
    ...hooks,
    logger,
    kafkaSsl: ssl.ssl,
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
}

if (import.meta.main) await runMain();
