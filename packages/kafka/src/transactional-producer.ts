// A transactional producer: each send is one Kafka transaction, committed or aborted whole, and
// the transactional id fences every earlier producer that had it. Claiming the id (connect) makes
// the coordinator finish whatever transaction an earlier holder left open (aborted, or committed
// if its commit had reached the coordinator) before it answers, and the earlier holder can commit
// nothing afterwards (PRODUCER_FENCED / INVALID_PRODUCER_EPOCH). So once connect() returns, the
// records of that id that read_committed readers will ever see are exactly those already below
// the last stable offset: what a resuming sender needs to learn what did go out (apps/ingest's
// redrive runs).
import { Partitioners, type Producer } from 'kafkajs';
import { asClient, type KafkaClient, type KafkaSettings } from './client.ts';
import type { ProducedRecord, SendAck } from './producer.ts';

export type TransactionalProducer = {
  /** connects and claims the id: fences earlier holders, their open transaction ended first */
  connect(): Promise<void>;
  /**
   * The records (acks=all) in one transaction, committed; their acks (first offset per partition
   * and request). Rejects with the client's error (classify with KafkaError.from); after a
   * rejection the producer is unusable (a commit may or may not have happened): close it, claim
   * the id again with a new one and find out from the topic what was committed.
   */
  sendInTransaction(topic: string, records: ProducedRecord[]): Promise<SendAck[]>;
  close(): Promise<void>;
};

export type TransactionalProducerOptions = {
  /** one per logical sender, stable across its restarts (a redrive run's id) */
  transactionalId: string;
  /**
   * The broker aborts a transaction open longer than this: while it is open, read_committed
   * readers of its partitions wait at its first record, so a sender killed mid-transaction holds
   * them back for at most this long (or until the id is claimed again). Default 10 s.
   */
  transactionTimeoutMs?: number;
};

export function createTransactionalProducer(
  kafka: KafkaClient | KafkaSettings,
  opts: TransactionalProducerOptions,
): TransactionalProducer {
  const producer: Producer = asClient(kafka).producer({
    transactionalId: opts.transactionalId,
    transactionTimeout: opts.transactionTimeoutMs ?? 10_000,
    // kafkajs requires both for a transactional producer
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // kafkajs's default (murmur2, as Java), named so it does not warn that the default changed in
    // v2: a redriven order must land on the partition its key's earlier versions are on
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let broken = false;
  return {
    async connect() {
      await producer.connect();
      // transaction() runs InitProducerId (the fencing, and the end of an open predecessor); an
      // abort with nothing sent ends locally
      const txn = await producer.transaction();
      await txn.abort();
    },
    async sendInTransaction(topic, records) {
      if (broken) throw new Error(`transactional producer ${opts.transactionalId} failed before`);
      const txn = await producer.transaction();
      try {
        const acks = await txn.send({ topic, acks: -1, messages: records });
        await txn.commit();
        return acks.map((r) => ({ partition: r.partition, baseOffset: r.baseOffset ?? '-1' }));
      } catch (err) {
        broken = true;
        if (txn.isActive()) await txn.abort().catch(() => {});
        throw err;
      }
    },
    close: () => producer.disconnect(),
  };
}
