// kafkajs warns once per process, through the client's log, when a producer is made without a
// partitioner (its default changed in v2). Every producer this package makes names its own: the
// default (murmur2, as Java and the load generator), which the placement of keys relies on.
import { describe, expect, it } from 'vitest';
import { createKafka, type KafkaLog } from './client.ts';
import { createProducer } from './producer.ts';
import { createTransactionalProducer } from './transactional-producer.ts';

function recorder() {
  const warnings: string[] = [];
  const log: KafkaLog = {
    level: 'info',
    debug: () => {},
    warn: (msg) => warnings.push(msg),
    error: () => {},
  };
  return { log, warnings };
}

const unreachable = (log: KafkaLog) =>
  createKafka({
    brokers: ['127.0.0.1:1'],
    clientId: 't',
    log,
    connectionTimeoutMs: 50,
    retry: { retries: 1, initialRetryTimeMs: 10, maxRetryTimeMs: 20 },
  });

describe('producers and the partitioner warning', () => {
  it('neither the plain nor the transactional producer makes kafkajs warn', async () => {
    const { log, warnings } = recorder();
    const kafka = unreachable(log);
    createTransactionalProducer(kafka, { transactionalId: 't' });
    // the warning comes with the producer, before it connects (which fails here)
    await createProducer(kafka).catch(() => {});
    expect(warnings).toEqual([]);
  });

  it('a producer without a partitioner does (so the test above can fail)', () => {
    const { log, warnings } = recorder();
    unreachable(log).producer();
    expect(warnings.some((w) => w.includes('switched default partitioner'))).toBe(true);
  });
});
