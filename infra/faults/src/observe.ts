// Reading the outcome back: rows from PostgreSQL, dead letters from the DLQ topic, consumer-group
// lag from admin offsets, figures from /metrics, and bodies from the API.
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { type DlqRecord, type StoredRow, sha256 } from './check.ts';

export async function readRows(connectionString: string): Promise<StoredRow[]> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ uid: string; body: string }>(
      'SELECT order_uid AS uid, body FROM orders',
    );
    return rows;
  } finally {
    await client.end().catch(() => {});
  }
}

const header = (h: Buffer | string | (Buffer | string)[] | undefined): string =>
  h === undefined ? '' : Array.isArray(h) ? String(h[0]) : h.toString();

/**
 * Every committed record of the dead-letter topic, read from the beginning up to the high
 * watermarks, read_committed (letters of an aborted or still open transaction are never seen).
 * kafkajs's admin lists offsets read_committed, so a transaction still open would stop the read at
 * its first record (the last stable offset) instead of hanging: read once the writers are stopped.
 */
export async function readDlq(brokers: string[], topic: string): Promise<DlqRecord[]> {
  const kafka = new Kafka({
    clientId: 'orders-faults-dlq-reader',
    brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const want = new Map(ends.map((p) => [p.partition, BigInt(p.high)]));
  const remaining = new Set(
    ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => p.partition),
  );
  const out: DlqRecord[] = [];
  if (remaining.size === 0) return out;
  const consumer = kafka.consumer({
    groupId: `faults-dlq-reader-${Date.now()}`,
    readUncommitted: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('reading the DLQ timed out')), 120_000);
    // ingest writes dead letters in Kafka transactions: the last offset of a partition is then a
    // commit/abort marker that eachMessage never sees; a batch's lastOffset counts it
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (BigInt(payload.lastOffset) + 1n >= (want.get(payload.partition) ?? 0n)) {
        remaining.delete(payload.partition);
      }
      if (remaining.size === 0) {
        clearTimeout(timer);
        resolve();
      }
    });
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          const h = message.headers ?? {};
          out.push({
            sourceTopic: header(h['x-dlq-source-topic']),
            sourcePartition: Number(header(h['x-dlq-source-partition'])),
            sourceOffset: header(h['x-dlq-source-offset']),
            reason: header(h['x-dlq-reason']),
            valueSha: sha256(message.value),
          });
          if (BigInt(message.offset) + 1n >= (want.get(partition) ?? 0n))
            remaining.delete(partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return out;
}

export type LagReader = {
  lag(): Promise<number>;
  /** sums over partitions of the committed offsets and the high watermarks */
  positions(): Promise<{ committed: bigint; high: bigint }>;
  /** committed offset per partition (-1 when none) */
  committedByPartition(): Promise<Map<number, bigint>>;
  /** per partition, in partition order: committed offset (-1 when none) and high watermark */
  byPartition(): Promise<{ partition: number; committed: bigint; high: bigint }[]>;
  close(): Promise<void>;
};

export async function createLagReader(
  brokers: string[],
  topic: string,
  groupId: string,
): Promise<LagReader> {
  const kafka = new Kafka({
    clientId: 'orders-faults-lag',
    brokers,
    logLevel: logLevel.NOTHING,
    requestTimeout: 5_000,
    retry: { retries: 1 },
  });
  let admin = kafka.admin();
  let connected = false;
  const withAdmin = async <T>(fn: (a: typeof admin) => Promise<T>): Promise<T> => {
    try {
      if (!connected) {
        await admin.connect();
        connected = true;
      }
      return await fn(admin);
    } catch (err) {
      // the broker may have been killed: start over with a fresh client next time
      await admin.disconnect().catch(() => {});
      admin = kafka.admin();
      connected = false;
      throw err;
    }
  };
  const offsets = () =>
    withAdmin(async (a) => {
      const [committed, latest] = await Promise.all([
        a.fetchOffsets({ groupId, topics: [topic] }),
        a.fetchTopicOffsets(topic),
      ]);
      const c = new Map(
        (committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
      );
      return latest.map((p) => ({
        partition: p.partition,
        high: BigInt(p.high),
        low: BigInt(p.low),
        committed: c.get(p.partition) ?? -1n,
      }));
    });
  return {
    async lag() {
      let lag = 0n;
      for (const p of await offsets()) lag += p.high - (p.committed >= 0n ? p.committed : p.low);
      return Number(lag);
    },
    async positions() {
      let committed = 0n;
      let high = 0n;
      for (const p of await offsets()) {
        committed += p.committed > 0n ? p.committed : p.low;
        high += p.high;
      }
      return { committed, high };
    },
    async committedByPartition() {
      return new Map((await offsets()).map((p) => [p.partition, p.committed]));
    },
    async byPartition() {
      return (await offsets())
        .map(({ partition, committed, high }) => ({ partition, committed, high }))
        .sort((a, b) => a.partition - b.partition);
    },
    close: () => admin.disconnect().catch(() => {}),
  };
}

/**
 * Messages committed to PostgreSQL but not to Kafka, right after ingest died: per partition, from
 * the committed Kafka offset up to the highest source offset stored. Each of them will be
 * delivered again and must be absorbed by the upsert — an exact count of the redeliveries a crash
 * causes (for valid messages; the invalid ones in that range come back too).
 */
export async function pendingReplays(
  connectionString: string,
  committed: Map<number, bigint>,
): Promise<number> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ p: number; m: string }>(
      'SELECT src_partition AS p, max(src_offset)::text AS m FROM orders GROUP BY 1',
    );
    let n = 0n;
    for (const r of rows) {
      const c = committed.get(r.p) ?? -1n;
      const from = c >= 0n ? c : 0n;
      const upTo = BigInt(r.m) + 1n;
      if (upTo > from) n += upTo - from;
    }
    return Number(n);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Prometheus text → sum of the samples of `name` whose labels include `labels`. */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

export async function scrapeMetrics(port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
      signal: AbortSignal.timeout(2_000),
    });
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

export async function isReady(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, {
      signal: AbortSignal.timeout(1_000),
    });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** GET /orders/:uid for every uid, `concurrency` at a time; the raw body bytes as text. */
export async function fetchAll(
  port: number,
  uids: string[],
  concurrency = 16,
): Promise<Map<string, { status: number; body: string }>> {
  const out = new Map<string, { status: number; body: string }>();
  let next = 0;
  const worker = async () => {
    while (next < uids.length) {
      const uid = uids[next++] as string;
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/orders/${encodeURIComponent(uid)}`, {
            signal: AbortSignal.timeout(5_000),
          });
          out.set(uid, {
            status: res.status,
            body: Buffer.from(await res.arrayBuffer()).toString('utf8'),
          });
          break;
        } catch (err) {
          if (attempt >= 2) {
            out.set(uid, { status: 0, body: String(err) });
            break;
          }
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}
