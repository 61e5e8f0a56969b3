import {
  KafkaError,
  type OutboundRecord,
  RECORD_BATCH_OVERHEAD,
  recordSize,
  type TopicLimits,
} from '@orders/kafka';
import { describe, expect, it } from 'vitest';
import { createDeadLetterSink, MAX_SHRINKS, type RecordSender } from './dead-letters.ts';
import { type DeadLetter, deadLetter } from './handle-batch.ts';
import { createLogger } from './logger.ts';

// The sink decides on KafkaError's fields; how each client's errors map onto them is
// @orders/kafka's (errors.test.ts there, with both clients' real error shapes).
const refused = (type = 'MESSAGE_TOO_LARGE') =>
  new KafkaError(`broker refused the records: ${type}`, { type, recordRefused: true });

const limits = (maxMessageBytes: number): TopicLimits => ({
  maxMessageBytes,
  compacted: false,
  source: 'topic config',
});

function letters(n: number, size = 820): DeadLetter[] {
  return Array.from({ length: n }, (_, i) =>
    deadLetter(
      'invalid_order',
      [{ path: 'items', code: 'too_small', message: 'at least one item' }],
      {
        key: Buffer.from('same-key'),
        value: Buffer.alloc(size, 'x'),
        offset: String(i),
        timestamp: '1',
      },
      'orders',
      2,
    ),
  );
}

/** A broker that enforces `brokerLimit` on each send's batch, as max.message.bytes does. */
function fakeProducer(brokerLimit: () => number, failWith?: () => Error, refuseAll = false) {
  // what reached the topic, one entry per publish that went through
  const published: { sends: OutboundRecord[][] }[] = [];
  const send: RecordSender = async (_topic, sends) => {
    if (failWith) throw failWith();
    for (const records of sends) {
      const bytes = RECORD_BATCH_OVERHEAD + records.reduce((n, r) => n + recordSize(r), 0);
      if (refuseAll) throw refused('INVALID_RECORD');
      if (bytes > brokerLimit()) throw refused();
    }
    published.push({ sends });
  };
  return { send, published };
}

function setup(opts: {
  known: number;
  actual?: number;
  failWith?: () => Error;
  refuseAll?: boolean;
}) {
  let actual = opts.actual ?? opts.known;
  const lines: string[] = [];
  const { send, published: transactions } = fakeProducer(
    () => actual,
    opts.failWith,
    opts.refuseAll,
  );
  let reads = 0;
  const sink = createDeadLetterSink({
    send,
    topic: 'orders.dlq',
    limits: limits(opts.known),
    readLimits: async () => {
      reads++;
      return limits(actual);
    },
    logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
  });
  return {
    sink,
    transactions,
    lines,
    reads: () => reads,
    setActual: (n: number) => {
      actual = n;
    },
  };
}

describe('dead-letter sink', () => {
  it("splits a mostly-invalid fetch's letters into sends under the limit", async () => {
    // 2,500 letters of ~820 bytes + headers: one send would be ~2.6 MB, over a 1 MiB topic
    const t = setup({ known: 1_048_588 });
    const outcome = await t.sink.publish(letters(2_500));
    expect(outcome).toEqual({ published: 2_500, cut: {}, unpublishable: [] });
    expect(t.transactions).toHaveLength(1);
    expect(t.transactions[0]?.sends.length).toBeGreaterThanOrEqual(3);
    expect(t.transactions[0]?.sends.flat()).toHaveLength(2_500);
  });

  it('a letter larger than the limit is cut to it', async () => {
    const t = setup({ known: 1_048_588 });
    const outcome = await t.sink.publish(letters(1, 1_048_504));
    expect(outcome.cut).toEqual({ value: 1 });
    expect(t.transactions).toHaveLength(1);
  });

  it('a refusal (the limit lowered since start) re-reads the limit and fits the letters to it', async () => {
    const t = setup({ known: 1_048_588, actual: 100_000 });
    const outcome = await t.sink.publish(letters(1, 500_000));
    expect(t.reads()).toBe(1);
    expect(outcome).toMatchObject({ published: 1, cut: { value: 1 } });
    expect(t.sink.limits().maxMessageBytes).toBe(100_000);
    expect(t.lines.filter((l) => l.includes('limit changed'))).toHaveLength(1);
  });

  it('letters that cannot fit even our own headers: nothing sent, each logged with its coordinates', async () => {
    const t = setup({ known: 1_048_588, actual: 10 });
    const outcome = await t.sink.publish(letters(3));
    expect(outcome.published).toBe(0);
    expect(outcome.unpublishable).toHaveLength(3);
    expect(t.transactions).toEqual([]);
    const errors = t.lines.filter((l) => l.includes('"level":"error"'));
    expect(errors).toHaveLength(1);
    expect(JSON.parse(errors[0] as string)).toMatchObject({
      count: 3,
      sources: ['orders/2/0', 'orders/2/1', 'orders/2/2'],
    });
  });

  it('refused at every size (INVALID_RECORD): given up after a bounded number of tries', async () => {
    const t = setup({ known: 1_048_588, refuseAll: true });
    const outcome = await t.sink.publish(letters(2));
    expect(t.reads()).toBe(MAX_SHRINKS + 1);
    expect(outcome.unpublishable).toHaveLength(2);
    expect(t.transactions).toEqual([]);
    expect(t.lines.filter((l) => l.includes('"level":"error"'))).toHaveLength(1);
  });

  it('a transient failure propagates at once (the outbox retries)', async () => {
    const t = setup({
      known: 1_048_588,
      failWith: () =>
        new KafkaError('There is no leader for this topic-partition', {
          type: 'LEADER_NOT_AVAILABLE',
          staleMetadata: true,
        }),
    });
    await expect(t.sink.publish(letters(1))).rejects.toThrow();
    expect(t.reads()).toBe(0);
  });

  it('nothing to publish: nothing sent', async () => {
    const t = setup({ known: 1_048_588 });
    expect((await t.sink.publish([])).published).toBe(0);
    expect(t.transactions).toEqual([]);
  });
});
