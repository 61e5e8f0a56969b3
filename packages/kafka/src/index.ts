export {
  type Admin,
  asClient,
  createKafka,
  type KafkaClient,
  type KafkaLog,
  type KafkaSasl,
  type KafkaSettings,
  withAdmin,
} from './client.ts';
export {
  DLQ_HEADERS,
  DLQ_MAX_MESSAGE_BYTES,
  ORIGINAL_HEADER_PREFIX,
  REDRIVE_HEADERS,
} from './dlq.ts';
export { classify, KafkaError, type KafkaErrorFields, type KafkaErrorOptions } from './errors.ts';
export {
  createFastProducer,
  type FastProducer,
  type FastProducerOptions,
  type FastRecord,
} from './fast-producer.ts';
export {
  type BatchControl,
  createGroupConsumer,
  type GroupConsumer,
  type GroupConsumerOptions,
  type GroupLog,
  type HeaderValue,
  type InboundMessage,
} from './group-consumer.ts';
export { type PartitionOffsets, readGroupOffsets, totalLag } from './offsets.ts';
export {
  createProducer,
  javaPartition,
  type ProducedRecord,
  type RecordProducer,
  type RecordProducerOptions,
  type SendAck,
} from './producer.ts';
export {
  type ConsumedRecord,
  listEndOffsets,
  type PartitionEnds,
  type ReadOptions,
  readToHighWatermark,
} from './reader.ts';
export {
  byteLength,
  chunkRecords,
  encodedBatchSize,
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  type OutboundHeaders,
  type OutboundRecord,
  RECORD_BATCH_OVERHEAD,
  recordSize,
} from './record-size.ts';
export {
  createTopicsWithLeaders,
  deleteTopics,
  ensureTopics,
  partitionCount,
  readTopicLimits,
  type TopicLimits,
  type TopicSpec,
} from './topics.ts';
export {
  createTransactionalProducer,
  type TransactionalProducer,
  type TransactionalProducerOptions,
} from './transactional-producer.ts';
