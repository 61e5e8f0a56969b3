// The redrive bench's pieces: orders a too-low KAFKA_MAX_BYTES refuses, the admin API calls, and
// the orders topic read back for what the redrive put there.
import type { RedriveRun } from '@orders/api';
import { type ConsumedRecord, REDRIVE_HEADERS, readToHighWatermark } from '@orders/kafka';
import { createOrderFaker } from '@orders/producer';
import { createProducer, type Outgoing, sql } from '../test/harness.ts';

/** Realistic orders over `minBytes` (the producer's seeded faker, the smaller ones left out). */
export function oversizedOrders(count: number, minBytes: number, seed: number): Outgoing[] {
  const faker = createOrderFaker({ seed, baseDate: Date.now() });
  const out: Outgoing[] = [];
  while (out.length < count) {
    const order = faker.order();
    const value = Buffer.from(JSON.stringify(order));
    if (value.length > minBytes) out.push({ key: order.order_uid, value });
  }
  return out;
}

export async function produceAll(brokers: string[], topic: string, messages: Outgoing[]) {
  const producer = await createProducer(brokers);
  try {
    for (let i = 0; i < messages.length; i += 1_000) {
      await producer.send(topic, messages.slice(i, i + 1_000));
    }
  } finally {
    await producer.close();
  }
}

export async function count(url: string, query: string, values: unknown[] = []): Promise<number> {
  const rows = await sql<{ n: string }>(url, query, values);
  return Number(rows[0]?.n ?? 0);
}

export type Admin = {
  start(
    body: Record<string, unknown>,
  ): Promise<{ run: number; matched: number; would_pass: number }>;
  run(id: number): Promise<RedriveRun | undefined>;
};

/** The admin API with the bench's token; undefined from `run` while ingest does not answer. */
export function adminApi(url: () => string, token: string): Admin {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    async start(body) {
      const res = await fetch(`${url()}/dead-letters/redrive`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
      const answer = await res.json();
      if (res.status !== 202)
        throw new Error(`redrive refused: ${res.status} ${JSON.stringify(answer)}`);
      return answer as { run: number; matched: number; would_pass: number };
    },
    async run(id) {
      try {
        const res = await fetch(`${url()}/dead-letters/redrives/${id}`, { headers });
        return res.status === 200 ? ((await res.json()) as RedriveRun) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** How many of `uids` the public API serves (GET /orders/{uid} → 200). */
export async function served(url: string, uids: string[]): Promise<number> {
  let n = 0;
  for (const uid of uids) {
    const res = await fetch(`${url}/orders/${encodeURIComponent(uid)}`);
    await res.arrayBuffer();
    if (res.status === 200) n++;
  }
  return n;
}

export type TopicCount = {
  /** records of the run on the orders topic (committed transactions only) */
  records: number;
  /** distinct letters among them */
  letters: Set<number>;
  /** records beyond the first of each letter */
  sentTwice: number;
};

/** The run's redriven messages on the orders topic, read_committed, by x-redrive-letter. */
export async function redrivenOnTopic(
  brokers: string[],
  topic: string,
  run: number,
): Promise<TopicCount> {
  const keep = (r: ConsumedRecord) => r.headers[REDRIVE_HEADERS.run] === String(run);
  const records = await readToHighWatermark({ clientId: 'bench-redrive', brokers }, topic, {
    isolation: 'read_committed',
    timeoutMs: 120_000,
    keep,
  });
  const letters = new Set<number>();
  let sentTwice = 0;
  for (const r of records) {
    const letter = Number(r.headers[REDRIVE_HEADERS.letter]);
    if (letters.has(letter)) sentTwice++;
    else letters.add(letter);
  }
  return { records: records.length, letters, sentTwice };
}
