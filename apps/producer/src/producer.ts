import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { ConnectionOptions } from 'node:tls';
import type { KafkaSasl } from '@orders/config';
import type { Tracing } from '@orders/tracing';
import type { InvalidKind } from './bad-messages.ts';
import { createDryRunSink, type LineStream } from './dry-run.ts';
import {
  createMessageSource,
  type MessageSourceOptions,
  type OutgoingMessage,
} from './messages.ts';
import type { PlanRatios } from './plan.ts';
import { chunkSize, createRateLimiter } from './rate.ts';
import { byteLength, createKafkaSink, type Logger, type Sink, type SinkError } from './send.ts';
import { type BatchSource, createWorkerSource } from './source-worker.ts';
import { createStats, type RunStats, type StopReason, type Summary, summarize } from './stats.ts';

export type ProducerOptions = {
  brokers: string[];
  topic: string;
  /** Partitions if the topic must be created: config.kafka.topicPartitions, like ingest. */
  partitions: number;
  replicationFactor?: number;
  ssl?: false | ConnectionOptions;
  sasl?: KafkaSasl;
  /** Messages to send; 0 = until stopped. */
  count: number;
  /** Messages per second; 0 = as fast as possible. */
  rate: number;
  /** Send requests in flight at once. */
  concurrency: number;
  /** Messages per send request. */
  batch: number;
  ratios: PlanRatios;
  /** Invalid kinds to draw from; default all. */
  invalidKinds?: readonly InvalidKind[];
  seed: number;
  /** End of the date_created window (epoch ms): fixed for reproducible output, else now. */
  baseDate: number;
  /** The consumer's KAFKA_MAX_BYTES; oversize messages are just above it. */
  maxBytes: number;
  /** Write JSON lines here instead of sending to Kafka. */
  dryRun?: LineStream;
  logger?: Logger;
  /** a producer span and a traceparent header per message (send.ts); default off */
  tracing?: Tracing;
  /** For tests and benchmarks: where messages come from (default: the seeded generator). */
  source?: { next(): OutgoingMessage };
  /**
   * Generate on a worker thread. Default: when sending to Kafka at --rate 0 or above 20,000/s,
   * where generation would otherwise take turns with sending on one core.
   */
  generateInWorker?: boolean;
};

export type ProducerError = { code: SinkError['code'] | 'generator_failed'; message: string };

export type ProducerErrorCode = ProducerError['code'];

export type ProducerOutcome =
  | { ok: true; summary: Summary }
  | { ok: false; error: ProducerError; summary: Summary };

export type ProducerHandle = {
  /** Live counters, for a progress display. */
  readonly stats: RunStats;
  /** Runs until the count is reached, stop() is called, or Kafka fails for good. Never throws. */
  run(): Promise<ProducerOutcome>;
  /** Stops making new messages; run() resolves once in-flight sends are settled. */
  stop(): void;
};

// A run gives up after this many whole send requests failed in a row (each already retried
// by the Kafka client), rather than counting errors forever against a broker that is gone.
const MAX_CONSECUTIVE_FAILURES = 3;

/** The generator as a library: main.ts drives it from the CLI, ingest in demo mode. */
export function createProducer(options: ProducerOptions): ProducerHandle {
  const stats = createStats();
  let stopped = false;
  let wake: (() => void) | undefined;
  // A rate-limit wait that stop() can cut short.
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });

  const run = async (): Promise<ProducerOutcome> => {
    // Reset once connected: the rate is over the sending time, not the connection set-up.
    let started = performance.now();
    const finish = (stoppedBy: StopReason, error?: ProducerError): ProducerOutcome => {
      const summary = summarize(
        stats,
        {
          topic: options.topic,
          dryRun: options.dryRun !== undefined,
          seed: options.seed,
          count: options.count,
          elapsedMs: performance.now() - started,
        },
        stoppedBy,
        error?.message,
      );
      return error ? { ok: false, error, summary } : { ok: true, summary };
    };

    let sink: Sink;
    if (options.dryRun) {
      sink = createDryRunSink(options.dryRun);
    } else {
      const connected = await createKafkaSink({
        brokers: options.brokers,
        topic: options.topic,
        partitions: options.partitions,
        ...(options.replicationFactor === undefined
          ? {}
          : { replicationFactor: options.replicationFactor }),
        ...(options.ssl ? { ssl: options.ssl } : {}),
        ...(options.sasl ? { sasl: options.sasl } : {}),
        ...(options.tracing ? { tracing: options.tracing } : {}),
      });
      if (!connected.ok) return finish('error', connected.error);
      sink = connected.sink;
    }

    started = performance.now();
    const chunk = chunkSize(options.batch, options.rate);
    const sourceOptions: MessageSourceOptions = {
      seed: options.seed,
      baseDate: options.baseDate,
      ratios: options.ratios,
      maxBytes: options.maxBytes,
      ...(options.invalidKinds ? { invalidKinds: options.invalidKinds } : {}),
    };
    const inWorker =
      options.generateInWorker ??
      (options.source === undefined &&
        options.dryRun === undefined &&
        (options.rate === 0 || options.rate >= 20_000));
    let batches: BatchSource;
    if (inWorker) {
      batches = createWorkerSource(sourceOptions, chunk);
    } else {
      const source = options.source ?? createMessageSource(sourceOptions);
      batches = {
        take: async (n) => Array.from({ length: n }, () => source.next()),
        close: async () => {},
      };
    }
    const limiter = createRateLimiter({ rate: options.rate, burst: chunk });
    const inFlight = new Set<Promise<void>>();
    let failuresInARow = 0;
    let fatal: ProducerError | undefined;

    const account = (
      messages: readonly OutgoingMessage[],
      failed: ReadonlySet<OutgoingMessage>,
    ) => {
      for (const m of messages) {
        if (failed.has(m)) continue;
        stats.sent++;
        stats.bytes += byteLength(m.value);
        stats.sentByType[m.type]++;
        if (m.kind) stats.sentByInvalidKind[m.kind] = (stats.sentByInvalidKind[m.kind] ?? 0) + 1;
      }
      stats.errors += failed.size;
    };

    while (!stopped && !fatal && (options.count === 0 || stats.produced < options.count)) {
      const n = options.count === 0 ? chunk : Math.min(chunk, options.count - stats.produced);
      const wait = limiter.reserve(n);
      if (wait > 0) await sleep(wait);
      if (stopped) break;
      let messages: OutgoingMessage[];
      try {
        messages = await batches.take(n);
      } catch (error) {
        fatal = { code: 'generator_failed', message: `generator failed: ${String(error)}` };
        break;
      }
      stats.produced += n;
      while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
      const sending: Promise<void> = sink.send(messages).then((result) => {
        inFlight.delete(sending);
        account(messages, new Set(result.failed));
        if (result.error) {
          options.logger?.warn(
            `${result.failed.length} messages not sent: ${result.error.message}`,
          );
        }
        const whole = result.failed.length === messages.length;
        if (result.error && result.error.code !== 'rejected' && whole) {
          failuresInARow++;
          if (failuresInARow >= MAX_CONSECUTIVE_FAILURES) fatal ??= result.error;
        } else if (!whole) {
          failuresInARow = 0;
        }
      });
      inFlight.add(sending);
      // Let timers, signals and I/O callbacks in even when sends complete synchronously.
      await yieldToEventLoop();
    }
    // Flush: everything handed to the sink is settled before the summary.
    await Promise.all(inFlight);
    await batches.close();
    await sink.close();
    if (fatal) return finish('error', fatal);
    return finish(stopped && options.count !== stats.produced ? 'stopped' : 'count');
  };

  return {
    stats,
    run,
    stop() {
      stopped = true;
      wake?.();
    },
  };
}

/** createProducer + run, stopping when `signal` aborts. */
export async function runProducer(
  options: ProducerOptions & { signal?: AbortSignal },
): Promise<ProducerOutcome> {
  const handle = createProducer(options);
  const stop = () => handle.stop();
  if (options.signal?.aborted) handle.stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    return await handle.run();
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
}
