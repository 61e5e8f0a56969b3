// kafkajs resends a leader's whole produce request when one of its partitions errs, so a plain
// producer that is not idempotent writes the other partitions' records twice. The broker drops
// those duplicates only for an idempotent producer: that is the default here.
import { describe, expect, it, vi } from 'vitest';
import { createKafka } from './client.ts';
import { createProducer } from './producer.ts';

function spiedClient() {
  const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 't' });
  const configs: Record<string, unknown>[] = [];
  const real = kafka.producer.bind(kafka);
  vi.spyOn(kafka, 'producer').mockImplementation((config) => {
    configs.push({ ...config });
    const producer = real(config);
    // no broker here: the config is what is under test
    producer.connect = async () => {};
    return producer;
  });
  return { kafka, configs };
}

describe('createProducer', () => {
  it('is idempotent with one request in flight by default', async () => {
    const { kafka, configs } = spiedClient();
    await createProducer(kafka);
    await createProducer(kafka, { maxInFlightRequests: 5 });
    expect(configs).toMatchObject([
      { idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false },
      { idempotent: true, maxInFlightRequests: 1 },
    ]);
  });

  it('idempotent: false is plain, with the requests in flight asked for', async () => {
    const { kafka, configs } = spiedClient();
    await createProducer(kafka, { idempotent: false, maxInFlightRequests: 5 });
    await createProducer(kafka, { idempotent: false });
    expect(configs[0]).toMatchObject({ maxInFlightRequests: 5 });
    expect(configs[0]?.idempotent).toBeUndefined();
    expect(configs[1]?.idempotent).toBeUndefined();
    expect(configs[1]?.maxInFlightRequests).toBeUndefined();
  });
});
