export {
  type BadMessage,
  type Expectation,
  INVALID_KINDS,
  type InvalidKind,
  makeBadMessage,
} from './bad-messages.ts';
export { formatDryRunLine } from './dry-run.ts';
export { createOrderFaker, type FakeOrder, type OrderFaker } from './fake-order.ts';
export { createMessageSource, type MessageSource, type OutgoingMessage } from './messages.ts';
export type { PlanRatios } from './plan.ts';
export {
  createProducer,
  type ProducerHandle,
  type ProducerOptions,
  type ProducerOutcome,
  runProducer,
} from './producer.ts';
export type { Logger, SinkError, SinkErrorCode } from './send.ts';
export type { RunStats, Summary } from './stats.ts';
