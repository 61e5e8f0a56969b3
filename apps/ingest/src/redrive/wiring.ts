// Redrive in the ingest process, wired once: the batch step (every batch may hold redriven
// messages), the service behind the admin routes, the runner (started once Kafka is up; it takes
// up runs left running by any instance) and the metrics.
import type { RedriveService } from '@orders/api';
import type { Config } from '@orders/config';
import type { KafkaClient, KafkaSettings } from '@orders/kafka';
import type { Registry } from '@orders/metrics';
import type { Db } from '../db.ts';
import type { Logger } from '../logger.ts';
import { createRedriveBatchStep, type RedriveBatchStep } from './batch-step.ts';
import { createRedriveMetrics, type RedriveMetrics } from './metrics.ts';
import { createRedriveRunner, type RedriveRunner, type RedriveRunnerOptions } from './runner.ts';
import { createRunsRepo } from './runs-repo.ts';
import { createRedriveService } from './service.ts';

export type Redrive = {
  step: RedriveBatchStep;
  service: RedriveService;
  metrics: RedriveMetrics;
  /** the runner, once Kafka is reachable */
  start(kafka: KafkaClient): void;
  /** chunks in flight finish, leases released */
  stop(): Promise<void>;
};

export type RedriveTuning = Pick<RedriveRunnerOptions, 'leaseMs' | 'pollMs' | 'afterChunkCommit'>;

export function createRedrive(o: {
  db: Db;
  config: Config;
  registry: Registry;
  logger: Logger;
  /** readKafkaSsl's result: the runner reads the topic back with its own clients */
  kafkaSsl?: KafkaSettings['ssl'];
  tuning?: RedriveTuning;
}): Redrive {
  const runs = createRunsRepo(o.db);
  let runner: RedriveRunner | undefined;
  let stopped = false;
  const metrics = createRedriveMetrics(o.registry, () => runner?.active() ?? 0);
  const step = createRedriveBatchStep({ onCommitted: metrics.consumed });
  // runs this process created (and so validated, with its own schema and limits): the runner
  // does not validate their letters again; bounded, the oldest forgotten (then validated again)
  const validated = new Set<number>();
  const service = createRedriveService({
    db: o.db,
    runs,
    maxMessageBytes: o.config.kafka.maxMessageBytes,
    wake: () => runner?.wake(),
    onValidated: (run) => {
      validated.add(run);
      if (validated.size > 1_000) validated.delete(validated.values().next().value as number);
    },
  });
  return {
    step,
    service,
    metrics,
    start(kafka) {
      if (stopped) return; // a stop during the start sequence
      runner ??= createRedriveRunner({
        db: o.db,
        runs,
        kafka,
        kafkaSettings: {
          brokers: o.config.kafka.brokers,
          clientId: 'orders-ingest-redrive',
          ssl: o.kafkaSsl,
          sasl: o.config.kafka.sasl,
        },
        topic: o.config.kafka.topic,
        maxMessageBytes: o.config.kafka.maxMessageBytes,
        validatedHere: (run) => validated.has(run),
        logger: o.logger,
        onSent: (n) => metrics.count('sent', n),
        onFailed: (n) => metrics.count('failed', n),
        ...o.tuning,
      });
      runner.start();
    },
    async stop() {
      stopped = true;
      await runner?.stop();
    },
  };
}
