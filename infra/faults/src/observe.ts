// Reading the outcome back: rows, the dead-letter ledger and the stored positions from PostgreSQL,
// dead letters from the DLQ topic, consumer-group lag from admin offsets, figures from /metrics,
// and bodies from the API.
import {
  type Admin,
  createKafka,
  DLQ_HEADERS,
  type PartitionOffsets,
  readGroupOffsets,
  readToHighWatermark,
} from '@orders/kafka';
import pg from 'pg';
import { type DlqRecord, type LedgerRow, type StoredRow, sha256 } from './check.ts';

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
 * Every record of the dead-letter topic, read from the beginning up to its end offsets
 * (read_committed, as downstream readers do; the outbox's producer is idempotent, not
 * transactional). The topic holds each letter at least once, each copy keyed by its source's
 * coordinates: the key and the source key header are kept for the checker to dedupe and match.
 */
export async function readDlq(brokers: string[], topic: string): Promise<DlqRecord[]> {
  const records = await readToHighWatermark(
    { clientId: 'orders-faults-dlq-reader', brokers },
    topic,
    { isolation: 'read_committed', timeoutMs: 120_000 },
  );
  return records.map((r) => {
    const h = r.headers;
    const cut = h[DLQ_HEADERS.valueTruncated] === 'true';
    return {
      sourceTopic: h[DLQ_HEADERS.topic] ?? '',
      sourcePartition: Number(h[DLQ_HEADERS.partition] ?? ''),
      sourceOffset: h[DLQ_HEADERS.offset] ?? '',
      reason: h[DLQ_HEADERS.reason] ?? '',
      // a letter cut to fit carries the whole value's digest
      valueSha: cut ? (h[DLQ_HEADERS.valueSha256] ?? '') : sha256(r.value),
      key: r.key === null ? null : r.key.toString('utf8'),
      ...(h[DLQ_HEADERS.sourceKey] === undefined ? {} : { sourceKey: h[DLQ_HEADERS.sourceKey] }),
    };
  });
}

const withClient = async <T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
};

export type LedgerRead = {
  rows: LedgerRow[];
  /** rows the outbox has not marked published */
  unpublished: number;
};

/**
 * Every row of the dead-letter ledger (`dead_letters`), with the digest of the whole original
 * value (the ledger keeps a too-large value cut, with the whole one's sha256).
 */
export async function readLedger(connectionString: string): Promise<LedgerRead> {
  return withClient(connectionString, async (client) => {
    const { rows } = await client.query<{
      topic: string;
      partition: number;
      offset: string;
      reason: string;
      sha: string;
      key: Buffer | null;
      published: boolean;
    }>(
      `SELECT src_topic AS topic, src_partition AS partition, src_offset::text AS offset, reason,
         CASE WHEN value IS NULL THEN '' WHEN value_truncated THEN value_sha256
              ELSE encode(sha256(value), 'hex') END AS sha,
         key, published_at IS NOT NULL AS published
       FROM dead_letters ORDER BY id`,
    );
    return {
      rows: rows.map((r) => ({
        sourceTopic: r.topic,
        sourcePartition: r.partition,
        sourceOffset: r.offset,
        reason: r.reason,
        valueSha: r.sha,
        ...(r.key === null ? {} : { sourceKey: r.key.toString('utf8') }),
      })),
      unpublished: rows.filter((r) => !r.published).length,
    };
  });
}

/**
 * Polls the ledger until the outbox has published every row (published_at set): the dead-letter
 * topic then holds every letter at least once. Resolves with the ms it took, undefined by the
 * deadline; `left` tells how many were still unpublished at the last look.
 */
export async function outboxDrained(
  connectionString: string,
  timeoutMs: number,
): Promise<{ ms: number | undefined; left: number | undefined }> {
  const t = Date.now();
  let left: number | undefined;
  for (;;) {
    left = await unpublishedLetters(connectionString).catch(() => left);
    if (left === 0) return { ms: Date.now() - t, left };
    if (Date.now() - t >= timeoutMs) return { ms: undefined, left };
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Ledger rows the outbox has not published yet. */
export async function unpublishedLetters(connectionString: string): Promise<number> {
  return withClient(connectionString, async (client) => {
    const { rows } = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM dead_letters WHERE published_at IS NULL',
    );
    return rows[0]?.n ?? 0;
  });
}

export type LedgerFigures = {
  /** source offsets with more than one ledger row (the unique constraint should make it 0) */
  duplicateSourceOffsets: number;
  /** rows with reason rejected_by_database stored at or after `since` */
  rejectedByDatabaseSince: number;
};

export async function ledgerFigures(
  connectionString: string,
  since: number,
): Promise<LedgerFigures> {
  return withClient(connectionString, async (client) => {
    const { rows } = await client.query<{ dup: number; rejected: number }>(
      `SELECT
         (SELECT count(*)::int FROM (SELECT 1 FROM dead_letters
            GROUP BY src_topic, src_partition, src_offset HAVING count(*) > 1) d) AS dup,
         (SELECT count(*)::int FROM dead_letters
            WHERE reason = 'rejected_by_database' AND stored_at >= to_timestamp($1 / 1000.0)) AS rejected`,
      [since],
    );
    return {
      duplicateSourceOffsets: rows[0]?.dup ?? 0,
      rejectedByDatabaseSince: rows[0]?.rejected ?? 0,
    };
  });
}

/** PostgreSQL's stored next offset per partition of the group (consumer_offsets), with when it moved. */
export async function storedPositions(
  connectionString: string,
  groupId: string,
  topic: string,
): Promise<Map<number, { next: bigint; updatedAt: number }>> {
  return withClient(connectionString, async (client) => {
    const { rows } = await client.query<{ partition: number; next: string; at: number }>(
      `SELECT partition, next_offset::text AS next,
         (extract(epoch FROM updated_at) * 1000)::float8 AS at
       FROM consumer_offsets WHERE group_id = $1 AND topic = $2`,
      [groupId, topic],
    );
    return new Map(rows.map((r) => [r.partition, { next: BigInt(r.next), updatedAt: r.at }]));
  });
}

/**
 * By how many messages PostgreSQL's stored offsets are ahead of the group's committed Kafka
 * offsets (Kafka's is written after PostgreSQL's commit): what an at-least-once consumer would
 * deliver again after a crash. This one seeks to PostgreSQL's, so none of them is redelivered.
 */
export function aheadOfKafka(
  stored: Map<number, { next: bigint }>,
  committed: Map<number, bigint>,
): number {
  let n = 0n;
  for (const [partition, { next }] of stored) {
    const c = committed.get(partition) ?? -1n;
    const from = c >= 0n ? c : 0n;
    if (next > from) n += next - from;
  }
  return Number(n);
}

/**
 * Polls consumer_offsets until some partition moved after `since` (epoch ms): a batch was
 * committed. updated_at is its transaction's start, so a batch of a process killed before `since`
 * never counts. Resolves with the ms from `since`, undefined by the deadline.
 */
export async function firstBatchAfter(
  connectionString: string,
  groupId: string,
  topic: string,
  since: number,
  timeoutMs = 120_000,
): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const positions = await storedPositions(connectionString, groupId, topic);
      const latest = Math.max(...[...positions.values()].map((p) => p.updatedAt));
      if (latest >= since) return latest - since;
    } catch {
      // PostgreSQL restarting: try again
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
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
