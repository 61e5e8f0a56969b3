// Sends the corpus at a steady pace and records every acknowledged send with its partition and
// offset. A failed send (broker killed) is retried until acked: the broker may hold copies from
// the failed attempt, which are older than the acked copy, and are reported as such by the checker.
import { createProducer, type KafkaSettings, type RecordProducer } from '@orders/kafka';
import { type Ack, sha256 } from './check.ts';
import type { CorpusMessage } from './corpus.ts';

export type AckProducerOptions = {
  brokers: string[];
  topic: string;
  corpus: CorpusMessage[];
  /** how long sending the whole corpus should take */
  durationMs: number;
  chunk?: number;
  /**
   * Most value bytes in one send (a bigger message goes alone): the broker refuses a partition's
   * record batch over its message.max.bytes (1 MiB by default), and a backlog of oversize
   * messages would otherwise put several in one batch.
   */
  chunkBytes?: number;
};

export type AckProducer = {
  acks: Ack[];
  /** sha256 of invalid values whose send failed at least once (maybe on the topic unacked) */
  retriedInvalidShas: Set<string>;
  failedSends: number;
  sent(): number;
  /**
   * A producer for a fault's own messages, beside the paced corpus, connected before the first
   * send: each send is retried until acked like the corpus, and its acks join `acks`.
   */
  sender(): Promise<Sender>;
  /** acks of the senders' messages (among `acks`) */
  sentNow(): number;
  /** the paced corpus waits (resolves once the chunk in flight is acked) until resume() */
  pause(): Promise<void>;
  resume(): void;
  done: Promise<void>;
  /** send the rest without pacing (the faults are over) */
  hurry(): void;
  stop(): void;
};

export type Sender = { send(messages: CorpusMessage[]): Promise<Ack[]>; close(): Promise<void> };

export function startAckProducer(o: AckProducerOptions): AckProducer {
  const settings: KafkaSettings = {
    clientId: 'orders-faults-producer',
    brokers: o.brokers,
    connectionTimeoutMs: 3_000,
    requestTimeoutMs: 10_000,
    retry: { retries: 2, initialRetryTimeMs: 200, maxRetryTimeMs: 2_000 },
  };
  const chunk = o.chunk ?? 50;
  const chunkBytes = o.chunkBytes ?? 768 * 1024;
  const size = (m: CorpusMessage) => (m.value === null ? 0 : Buffer.byteLength(m.value));
  const nextChunk = (from: number): CorpusMessage[] => {
    let bytes = 0;
    let end = from;
    while (end < o.corpus.length && end - from < chunk) {
      const b = size(o.corpus[end] as CorpusMessage);
      if (end > from && bytes + b > chunkBytes) break;
      bytes += b;
      end++;
    }
    return o.corpus.slice(from, end);
  };
  const acks: Ack[] = [];
  const retried = new Set<string>();
  let failedSends = 0;
  let stopped = false;
  let hurried = false;
  let index = 0;
  let extra = 0;
  let paused: { resume: () => void; done: Promise<void> } | undefined;
  let inFlight: Promise<unknown> | undefined;

  async function sendChunk(producer: RecordProducer, messages: CorpusMessage[]): Promise<Ack[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await producer.send(
          o.topic,
          messages.map((m) => ({ key: m.key, value: m.value, partition: m.partition })),
          { timeoutMs: 10_000 },
        );
        const base = new Map(result.map((r) => [r.partition, BigInt(r.baseOffset)]));
        const next = new Map<number, bigint>();
        const sent: Ack[] = [];
        for (const m of messages) {
          const at = next.get(m.partition) ?? (base.get(m.partition) as bigint);
          next.set(m.partition, at + 1n);
          sent.push({
            type: m.type,
            key: m.key,
            partition: m.partition,
            offset: at.toString(),
            ...(m.kind ? { kind: m.kind, expectReason: m.expectReason } : {}),
            ...(m.canonical !== undefined ? { canonical: m.canonical } : {}),
            valueSha: sha256(m.value),
          });
        }
        for (const a of sent) acks.push(a);
        return sent;
      } catch {
        failedSends++;
        for (const m of messages) if (m.type === 'invalid') retried.add(sha256(m.value));
        if (stopped) return [];
        await new Promise((r) => setTimeout(r, Math.min(2_000, 200 * 2 ** attempt)));
      }
    }
  }

  const done = (async () => {
    // one request in flight: an acked request's offsets come after every earlier request's
    const producer = await createProducer(settings, { maxInFlightRequests: 1 });
    const started = Date.now();
    const perChunkMs = (o.durationMs * chunk) / o.corpus.length;
    while (!stopped && index < o.corpus.length) {
      if (paused) {
        await paused.done;
        continue;
      }
      const due = started + (index / chunk) * perChunkMs;
      const wait = hurried ? 0 : due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (paused || stopped) continue;
      const part = nextChunk(index);
      inFlight = sendChunk(producer, part);
      await inFlight;
      inFlight = undefined;
      index += part.length;
    }
    await producer.close().catch(() => {});
  })();

  return {
    acks,
    retriedInvalidShas: retried,
    get failedSends() {
      return failedSends;
    },
    sent: () => acks.length,
    sentNow: () => extra,
    async sender() {
      const producer = await createProducer(settings, { maxInFlightRequests: 1 });
      return {
        async send(messages) {
          const sent = await sendChunk(producer, messages);
          extra += sent.length;
          return sent;
        },
        close: () => producer.close().catch(() => {}),
      };
    },
    async pause() {
      if (!paused) {
        let resume = () => {};
        const done = new Promise<void>((r) => {
          resume = r;
        });
        paused = { resume, done };
      }
      await inFlight;
    },
    resume() {
      paused?.resume();
      paused = undefined;
    },
    done,
    hurry: () => {
      hurried = true;
    },
    stop: () => {
      stopped = true;
      paused?.resume();
    },
  };
}
