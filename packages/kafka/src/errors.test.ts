import { createRequire } from 'node:module';
import {
  MultipleErrors,
  NetworkError,
  ProtocolError,
  TimeoutError,
  UserError,
} from '@platformatic/kafka';
import {
  KafkaJSAggregateError,
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaError } from './errors.ts';

// the error kafkajs raises for a broker error code (the shape a real answer has)
const require = createRequire(import.meta.url);
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode(code: number): Error & { type: string; retriable: boolean };
};
const CODES = {
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_FOR_PARTITION: 6,
  MESSAGE_TOO_LARGE: 10,
  RECORD_LIST_TOO_LARGE: 18,
  ILLEGAL_GENERATION: 22,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  TOPIC_AUTHORIZATION_FAILED: 29,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_RECORD: 87,
} as const;
const broker = (name: keyof typeof CODES) => createErrorFromCode(CODES[name]);
// kafkajs's retrier wraps a non-retriable answer like this (its `cause` is the original)
const bailed = (name: keyof typeof CODES) =>
  Object.assign(new KafkaJSNonRetriableError(broker(name)), { cause: broker(name) });
// and gives up on a retriable one like this
const exhausted = (e: Error) =>
  new KafkaJSNumberOfRetriesExceeded(e, { retryCount: 5, retryTime: 100 });

describe('KafkaError.from: kafkajs shapes', () => {
  it('a refusal of the records, bare or wrapped: recordRefused, never retriable', () => {
    for (const name of ['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD'] as const) {
      for (const err of [broker(name), bailed(name)]) {
        const e = KafkaError.from(err);
        expect(e).toMatchObject({ type: name, recordRefused: true, retriable: false });
        expect(e.unreachable || e.staleMetadata || e.needsRejoin).toBe(false);
      }
    }
  });

  it('metadata not there yet or moved: staleMetadata and retriable, also once retries ran out', () => {
    for (const name of [
      'UNKNOWN_TOPIC_OR_PARTITION',
      'LEADER_NOT_AVAILABLE',
      'NOT_LEADER_FOR_PARTITION',
    ] as const) {
      for (const err of [broker(name), exhausted(broker(name))]) {
        expect(KafkaError.from(err)).toMatchObject({
          type: name,
          staleMetadata: true,
          retriable: true,
          recordRefused: false,
        });
      }
    }
  });

  it('group membership gone: needsRejoin', () => {
    for (const name of [
      'ILLEGAL_GENERATION',
      'UNKNOWN_MEMBER_ID',
      'REBALANCE_IN_PROGRESS',
    ] as const) {
      expect(KafkaError.from(broker(name))).toMatchObject({ needsRejoin: true, retriable: true });
    }
  });

  it('a fenced transactional producer: producerFenced, not retriable', () => {
    expect(KafkaError.from(bailed('INVALID_PRODUCER_EPOCH'))).toMatchObject({
      producerFenced: true,
      retriable: false,
    });
  });

  it('no broker reached: unreachable and retriable, through the retrier and by message', () => {
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED');
    for (const err of [
      refused,
      exhausted(refused),
      Object.assign(new Error('wrapped'), { cause: refused }),
      new Error('Connection timeout'),
    ]) {
      expect(KafkaError.from(err)).toMatchObject({
        type: 'UNREACHABLE',
        unreachable: true,
        retriable: true,
      });
    }
  });

  it("an aggregate (createTopics per topic) takes its first broker answer's meaning", () => {
    const topicError = Object.assign(broker('TOPIC_AUTHORIZATION_FAILED'), { topic: 't' });
    const e = KafkaError.from(new KafkaJSAggregateError('Topic creation errors', [topicError]));
    expect(e).toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED', retriable: false });
    expect(e.cause).toBeInstanceOf(KafkaJSAggregateError);
  });
});

describe('KafkaError.from: platformatic shapes', () => {
  it('a protocol error inside MultipleErrors', () => {
    const tooLarge = new MultipleErrors('Produce failed', [new ProtocolError('MESSAGE_TOO_LARGE')]);
    expect(KafkaError.from(tooLarge)).toMatchObject({
      type: 'MESSAGE_TOO_LARGE',
      recordRefused: true,
      retriable: false,
    });
    expect(KafkaError.from(new ProtocolError('NOT_LEADER_OR_FOLLOWER'))).toMatchObject({
      staleMetadata: true,
      retriable: true,
    });
    expect(
      KafkaError.from(new MultipleErrors('x', [new ProtocolError('TOPIC_ALREADY_EXISTS')])).type,
    ).toBe('TOPIC_ALREADY_EXISTS');
  });

  it('its "unknown topic" of a metadata request: stale metadata', () => {
    expect(KafkaError.from(new UserError('Unknown topic t.'))).toMatchObject({
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
      staleMetadata: true,
    });
    expect(KafkaError.from(new UserError('Invalid options')).type).toBe('CLIENT');
  });

  it('network failures and its timeouts: unreachable', () => {
    const down = new MultipleErrors('Cannot connect to any broker.', [
      new NetworkError('Connection failed', { cause: new Error('connect ECONNREFUSED') }),
    ]);
    expect(KafkaError.from(down)).toMatchObject({ type: 'UNREACHABLE', unreachable: true });
    expect(KafkaError.from(new TimeoutError('Request timed out')).unreachable).toBe(true);
  });
});

describe('KafkaError', () => {
  it('from() keeps the message, the cause, and returns a KafkaError as it is', () => {
    const original = bailed('MESSAGE_TOO_LARGE');
    const e = KafkaError.from(original);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('KafkaError');
    expect(e.message).toBe(original.message);
    expect(e.cause).toBe(original);
    expect(KafkaError.from(e)).toBe(e);
    expect(KafkaError.is(e) && !KafkaError.is(original)).toBe(true);
  });

  it('anything else is a CLIENT error that says nothing can be done', () => {
    for (const err of [new Error('boom'), 'text', undefined, null, 42, { type: 'lowercase' }]) {
      expect(KafkaError.from(err)).toMatchObject({
        type: 'CLIENT',
        retriable: false,
        staleMetadata: false,
        needsRejoin: false,
        recordRefused: false,
        unreachable: false,
        producerFenced: false,
      });
    }
  });

  it('survives a cycle of causes', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(KafkaError.from(a).type).toBe('CLIENT');
  });

  it('errors this package raises say what they are', () => {
    expect(new KafkaError('gave up', { type: 'TIMEOUT' }).retriable).toBe(true);
    expect(new KafkaError('no', { type: 'UNREACHABLE', unreachable: true }).retriable).toBe(true);
    expect(new KafkaError('bad config').retriable).toBe(false);
  });
});
