// Reading the outcome back: rows from PostgreSQL, dead letters from the DLQ topic, consumer-group
// lag from admin offsets, figures from /metrics, and bodies from the API.
import {
  type Admin,
  createKafka,
  DLQ_HEADERS,
  type PartitionOffsets,
  readGroupOffsets,
  readToHighWatermark,
} from '@orders/kafka';
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

/**
 * Every committed record of the dead-letter topic, read from the beginning up to its end offsets,
 * read_committed: letters of an aborted transaction are never seen, and a transaction still open
 * ends the read at its first record (the last stable offset), so read once the writers are
 * stopped. Ingest's transactional letters make a partition's last offset a commit or abort marker:
 * the reader counts it (@orders/kafka readToHighWatermark).
 */
export async function readDlq(brokers: string[], topic: string): Promise<DlqRecord[]> {
  const records = await readToHighWatermark(
    { clientId: 'orders-faults-dlq-reader', brokers },
    topic,
    { isolation: 'read_committed', timeoutMs: 120_000 },
  );
  return records.map((r) => ({
    sourceTopic: r.headers[DLQ_HEADERS.topic] ?? '',
    sourcePartition: Number(r.headers[DLQ_HEADERS.partition] ?? ''),
    sourceOffset: r.headers[DLQ_HEADERS.offset] ?? '',
    reason: r.headers[DLQ_HEADERS.reason] ?? '',
    valueSha: sha256(r.value),
  }));
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
  const kafka = createKafka({
    clientId: 'orders-faults-lag',
    brokers,
    requestTimeoutMs: 5_000,
    retry: { retries: 1 },
  });
  let admin: Admin = kafka.admin();
  let connected = false;
  const offsets = async (): Promise<PartitionOffsets[]> => {
    try {
      if (!connected) {
        await admin.connect();
        connected = true;
      }
      return await readGroupOffsets(admin, groupId, topic);
    } catch (err) {
      // the broker may have been killed: start over with a fresh client next time
      await admin.disconnect().catch(() => {});
      admin = kafka.admin();
      connected = false;
      throw err;
    }
  };
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
