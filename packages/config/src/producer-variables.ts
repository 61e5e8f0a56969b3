// The load generator's variables (apps/producer), in their own table so variables.ts stays a
// readable size; variables.ts spreads them in last, which keeps their place in the docs.
import { integer, ratio } from './parsers.ts';
import type { VariableSpec } from './variables.ts';

export const producerVariables = {
  PRODUCER_COUNT: {
    group: 'Producer',
    description: 'Orders to send (0 = until stopped). Flag: --count.',
    default: '0',
    parser: integer(0, Number.MAX_SAFE_INTEGER),
  },
  PRODUCER_RATE: {
    group: 'Producer',
    description: 'Orders per second (0 = as fast as possible). Flag: --rate.',
    default: '100',
    parser: integer(0, 10_000_000),
  },
  PRODUCER_CONCURRENCY: {
    group: 'Producer',
    description: 'Batches in flight at once. Flag: --concurrency.',
    default: '4',
    aliases: ['KAFKA_WRITER_GOROUTINES'],
    parser: integer(1, 1000),
  },
  PRODUCER_BATCH: {
    group: 'Producer',
    description: 'Messages per send request. Flag: --batch.',
    default: '500',
    parser: integer(1, 100_000),
  },
  PRODUCER_INVALID_RATIO: {
    group: 'Producer',
    description: 'Share of invalid messages, 0 to 1. Flag: --invalid-ratio.',
    default: '0',
    parser: ratio,
  },
  PRODUCER_DUPLICATE_RATIO: {
    group: 'Producer',
    description: 'Share of earlier orders re-sent unchanged, 0 to 1. Flag: --duplicate-ratio.',
    default: '0',
    parser: ratio,
  },
  PRODUCER_UPDATE_RATIO: {
    group: 'Producer',
    description:
      'Share of earlier order_uids re-sent with new content, 0 to 1. Flag: --update-ratio.',
    default: '0',
    parser: ratio,
  },
  PRODUCER_SEED: {
    group: 'Producer',
    description: 'Seed for reproducible output, byte for byte. Flag: --seed.',
    defaultText: 'unset (random)',
    parser: integer(0, 4_294_967_295),
  },
} as const satisfies Record<string, VariableSpec<unknown>>;
