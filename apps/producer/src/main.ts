// The producer CLI: .env, configuration, flags, signals, progress and the summary. The only
// module that exits the process or handles signals.
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type Config, type LogLevel, loadConfig, readKafkaSsl } from '@orders/config';
import { createTracing } from '@orders/tracing';
import { config as loadDotenv } from 'dotenv';
import { SEEDED_BASE_DATE } from './fake-order.ts';
import { defaultFlags, type Flags, helpText, parseFlags } from './flags.ts';
import { createProducer, type ProducerOptions } from './producer.ts';
import { startProgress } from './progress.ts';
import type { Logger } from './send.ts';
import { formatSummary } from './stats.ts';

const EXIT_USAGE = 2;

function fail(message: string, code = 1): never {
  process.stderr.write(`producer: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(helpText());
    return;
  }

  // .env of the working directory first, then the repository's (pnpm --filter runs in apps/producer).
  loadDotenv({
    path: ['.env', fileURLToPath(new URL('../../../.env', import.meta.url))],
    quiet: true,
  });
  const loaded = loadConfig(process.env);
  for (const warning of loaded.warnings) process.stderr.write(`producer: warning: ${warning}\n`);
  if (!loaded.ok) fail(`invalid configuration:\n${loaded.error.message}`, EXIT_USAGE);
  const config: Config = loaded.config;

  const parsed = parseFlags(argv, defaultFlags(config));
  if (!parsed.ok) fail(`${parsed.error} (see --help)`, EXIT_USAGE);
  if (parsed.help) {
    process.stdout.write(helpText());
    return;
  }
  const flags: Flags = parsed.flags;

  const ssl = readKafkaSsl(config.kafka.ssl);
  if (!ssl.ok) fail(`invalid configuration:\n${ssl.error.message}`, EXIT_USAGE);

  let outputClosed = false;
  const seed = flags.seed ?? randomInt(0, 2 ** 32 - 1);
  const baseDate = flags.baseDate ?? (flags.seed === undefined ? Date.now() : SEEDED_BASE_DATE);
  const options: ProducerOptions = {
    brokers: flags.brokers,
    topic: flags.topic,
    partitions: config.kafka.topicPartitions,
    ...(config.kafka.replicationFactor === undefined
      ? {}
      : { replicationFactor: config.kafka.replicationFactor }),
    ...(ssl.ssl ? { ssl: ssl.ssl } : {}),
    ...(config.kafka.sasl ? { sasl: config.kafka.sasl } : {}),
    count: flags.count,
    rate: flags.rate,
    concurrency: flags.concurrency,
    batch: flags.batch,
    ratios: {
      invalid: flags.invalidRatio,
      duplicate: flags.duplicateRatio,
      update: flags.updateRatio,
    },
    invalidKinds: flags.invalidKinds,
    seed,
    baseDate,
    maxBytes: config.kafka.maxMessageBytes,
    ...(flags.dryRun ? { dryRun: process.stdout } : {}),
    logger: createLogger(config.logLevel, () => outputClosed),
    // the no-op without OTEL_EXPORTER_OTLP_ENDPOINT (nothing of the SDK loaded)
    tracing: await createTracing(config.tracing, 'orders-producer'),
  };

  const producer = createProducer(options);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`\nproducer: ${signal} again, exiting without waiting\n`);
      process.exit(130);
    }
    producer.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed stdout (`--dry-run | head`) is the reader saying "enough": stop quietly, status 0.
  process.stdout.on('error', () => {
    outputClosed = true;
    producer.stop();
  });

  const progress = startProgress({
    stream: process.stderr,
    stats: producer.stats,
    total: flags.count,
  });
  const outcome = await producer.run();
  progress.stop();
  await options.tracing?.shutdown();
  if (outputClosed) process.exit(0);

  const summary = outcome.summary;
  if (flags.json) {
    // Keep stdout pure JSON lines when it carries the messages.
    const out = flags.dryRun ? process.stderr : process.stdout;
    out.write(`${JSON.stringify(summary)}\n`);
  } else if (outcome.ok || summary.sent > 0) {
    process.stderr.write(formatSummary(summary));
  }
  if (!outcome.ok) process.stderr.write(`producer: ${outcome.error.message}\n`);
  const code = !outcome.ok || summary.errors > 0 ? 1 : 0;
  // Exit once stdout has flushed (a pipe is written asynchronously), rather than wait for
  // the client's sockets to wind down.
  process.stdout.write('', () => process.exit(code));
}

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function createLogger(level: LogLevel, quiet: () => boolean): Logger {
  const at = (wanted: LogLevel) => !quiet() && LEVELS.indexOf(level) <= LEVELS.indexOf(wanted);
  // On a terminal, clear the live progress line first so the log line does not run into it.
  const clear = process.stderr.isTTY ? '\r\x1b[2K' : '';
  const write = (tag: string, message: string) =>
    process.stderr.write(`${clear}producer: ${tag}: ${message}\n`);
  return {
    warn: (message) => at('warn') && write('warn', message),
    debug: (message) => at('debug') && write('debug', message),
  };
}

main().catch((error: unknown) => {
  // Not expected: every known failure is a value above. One line, no stack, unless debugging.
  const message = error instanceof Error ? error.message : String(error);
  fail(`unexpected error: ${message}`);
});
