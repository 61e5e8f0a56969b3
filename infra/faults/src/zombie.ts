// The zombie member (issue 12 part 5a): a second ingest instance joins the group, is SIGSTOPped
// right after updates reach its partitions (a batch in flight), and stays stopped longer than the
// session timeout; the group gives its partitions to the first instance, more updates of the same
// uids are produced and written by it; then SIGCONT. Whatever the stopped one had in flight must
// write nothing stale: its stored-offset check fails (orders_fenced_batches_total) — or, stopped
// inside its transaction, it holds the partition's offsets row, commits first after SIGCONT, and
// the new owner's batch is the one fenced. It then rejoins (or exits and is restarted); no row
// may keep older content, no source offset get a second ledger row, nothing be lost.
//
// Pure parts here (the updates, the verdict on the rows, /proc's socket tables); the steps run
// in runZombie.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { FakeOrder } from '@orders/producer';
import { createOrderFaker, makeBadMessage } from '@orders/producer';
import { waitFor } from '@orders/testing';
import pg from 'pg';
import type { Sender } from './ack-producer.ts';
import type { Ack } from './check.ts';
import { BASE_DATE, type CorpusMessage, canonicalOf } from './corpus.ts';
import type { IngestProcess } from './ingest-process.ts';
import { isReady, metricValue, scrapeMetrics, storedPositions } from './observe.ts';

/** The newest acked version of each uid on `partitions`, most recently sent first, `perPartition` each. */
export function recentUids(acks: Ack[], partitions: number[], perPartition: number): Ack[] {
  const newest = new Map<string, Ack>();
  for (const a of acks) {
    if (a.type === 'invalid' || a.canonical === undefined || !partitions.includes(a.partition))
      continue;
    const seen = newest.get(a.key);
    if (!seen || BigInt(a.offset) > BigInt(seen.offset)) newest.set(a.key, a);
  }
  const out: Ack[] = [];
  for (const p of partitions) {
    const mine = [...newest.values()]
      .filter((a) => a.partition === p)
      .sort((x, y) => (BigInt(y.offset) > BigInt(x.offset) ? 1 : -1));
    out.push(...mine.slice(0, perPartition));
  }
  return out;
}

/**
 * A new version of each order (the producer's faker revises its items and payment), on its own
 * partition, and `invalidPerPartition` invalid messages on each of `partitions` (not JSON, a
 * tombstone, …) so the stale batch has dead letters too.
 */
export function zombieMessages(o: {
  previous: { key: string; partition: number; canonical: string }[];
  partitions: number[];
  invalidPerPartition: number;
  seed: number;
  /** distinguishes the bursts of one run */
  tag: string;
}): CorpusMessage[] {
  const faker = createOrderFaker({ seed: o.seed, baseDate: BASE_DATE });
  const out: CorpusMessage[] = [];
  for (const p of o.previous) {
    const order = faker.revise(JSON.parse(p.canonical) as FakeOrder);
    const value = JSON.stringify(order);
    out.push({
      seq: out.length,
      type: 'update',
      key: p.key,
      value,
      partition: p.partition,
      canonical: canonicalOf(value),
    });
  }
  const kinds = ['not-json', 'tombstone', 'missing-field'] as const;
  for (const partition of o.partitions) {
    for (let i = 0; i < o.invalidPerPartition; i++) {
      const kind = kinds[i % kinds.length] as (typeof kinds)[number];
      const bad = makeBadMessage(kind, faker.order(), i, { maxBytes: 256 * 1024 });
      out.push({
        seq: out.length,
        type: 'invalid',
        key: `zombie-${o.tag}-${partition}-${i}`,
        value: bad.value,
        partition,
        kind,
        expectReason: bad.expect.reason,
      });
    }
  }
  return out;
}

/**
 * Rows of `uids` whose body is not the newest version acked below their partition's stored
 * offset (what PostgreSQL says it has consumed): older content a stale batch left behind.
 */
export function olderContent(
  acks: Ack[],
  rows: { uid: string; body: string }[],
  stored: Map<number, bigint>,
  uids: Set<string>,
): string[] {
  const want = new Map<string, Ack>();
  for (const a of acks) {
    if (a.type === 'invalid' || !uids.has(a.key)) continue;
    const next = stored.get(a.partition);
    if (next === undefined || BigInt(a.offset) >= next) continue;
    const seen = want.get(a.key);
    if (!seen || BigInt(a.offset) > BigInt(seen.offset)) want.set(a.key, a);
  }
  const bodies = new Map(rows.map((r) => [r.uid, r.body]));
  const stale: string[] = [];
  for (const [uid, a] of want) {
    if (bodies.get(uid) !== a.canonical) stale.push(uid);
  }
  return stale;
}

/** /proc/net/tcp (or tcp6) → each socket's inode with its local and remote port. */
export function parseTcpTable(
  text: string,
): { inode: string; localPort: number; remotePort: number }[] {
  const out: { inode: string; localPort: number; remotePort: number }[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const port = (addr: string | undefined) => Number.parseInt(addr?.split(':')[1] ?? '', 16);
    out.push({ inode: f[9] as string, localPort: port(f[1]), remotePort: port(f[2]) });
  }
  return out;
}

/** The local ports of `pid`'s TCP connections to `remotePort` (its PostgreSQL connections). */
export function connectionPorts(pid: number, remotePort: number): number[] {
  try {
    const inodes = new Set<string>();
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1] as string);
      } catch {
        // closed meanwhile
      }
    }
    const ports: number[] = [];
    for (const table of ['tcp', 'tcp6']) {
      let text = '';
      try {
        text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
      } catch {
        continue;
      }
      for (const s of parseTcpTable(text)) {
        if (inodes.has(s.inode) && s.remotePort === remotePort) ports.push(s.localPort);
      }
    }
    return ports;
  } catch {
    return [];
  }
}

type Join = { at: number; partitions: number[]; index: number };

/** The last 'joined consumer group' line of `lines` from index `from` on. */
export function lastJoin(lines: Record<string, unknown>[], from: number): Join | undefined {
  for (let i = lines.length - 1; i >= from; i--) {
    const l = lines[i] as Record<string, unknown>;
    if (l.msg !== 'joined consumer group') continue;
    return {
      at: Date.parse(String(l.time)),
      partitions: (l.partitions as number[] | undefined) ?? [],
      index: i,
    };
  }
  return undefined;
}

export type ZombieDeps = {
  /** the suite's ingest (the one that takes over) and the second instance (the zombie) */
  ingest: IngestProcess;
  second: IngestProcess;
  startSecond(): Promise<void>;
  /** folds a /metrics scrape of `proc` into the suite's per-process samples */
  sample(proc: IngestProcess): Promise<void>;
  acks: Ack[];
  /** a producer for the bursts (acks recorded with the corpus's) */
  sender(): Promise<Sender>;
  /** the paced corpus, held back while the zombie is put to sleep with a fetch in flight */
  production: { pause(): Promise<void>; resume(): void };
  db: { url: string; groupId: string; topic: string; partitions: number; port: number };
  sessionTimeoutMs: number;
  seed: number;
  log(line: string): void;
};

export type ZombieOutcome = {
  detail: string;
  failures: string[];
  figures: {
    zombiePartitions: number[];
    /** each of the three bursts: updates of the same orders and invalid messages */
    updatesPerBurst: number;
    invalidPerBurst: number;
    /** the second burst's messages, sent into the stopped zombie's fetch in flight */
    inFlight: number;
    /** the zombie had a transaction open when stopped (it held its partitions' offsets rows) */
    stoppedInTransaction: boolean;
    stoppedMs: number;
    /** SIGSTOP → the other instance's join with every partition */
    takeoverMs: number | undefined;
    /** the second burst was written by the other instance while the zombie was stopped */
    writtenWhileStopped: boolean;
    /** orders_fenced_batches_total of the resumed zombie, and the other instance's gain */
    fencedResumed: number;
    fencedOther: number;
    redeliveredResumed: number;
    resumed: 'rejoined' | 'exited and restarted' | 'neither';
    olderContent: number;
    /** the bursts' invalid messages without exactly one ledger row */
    ledgerNotOnce: number;
    stopExit: string;
  };
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function runZombie(d: ZombieDeps): Promise<ZombieOutcome> {
  const { ingest: a, second: b, db } = d;
  const failures: string[] = [];
  const fencedOf = async (p: IngestProcess) =>
    metricValue((await scrapeMetrics(p.port)) ?? '', 'orders_fenced_batches_total');
  const fencedOtherBefore = await fencedOf(a);
  const aFrom = a.logLines().length;
  const bFrom = b.logLines().length;

  // 1. the second instance joins: the group splits the partitions between the two
  await d.startSecond();
  const split = await waitFor(
    async () => {
      const ja = lastJoin(a.logLines(), aFrom);
      const jb = lastJoin(b.logLines(), bFrom);
      if (!ja || !jb || ja.partitions.length === 0 || jb.partitions.length === 0) return undefined;
      const union = new Set([...ja.partitions, ...jb.partitions]);
      if (
        union.size !== db.partitions ||
        ja.partitions.length + jb.partitions.length !== union.size
      )
        return undefined;
      if (!(await isReady(a.port)) || !(await isReady(b.port))) return undefined;
      return jb.partitions;
    },
    { timeoutMs: 90_000, intervalMs: 200, what: 'the two instances to split the partitions' },
  );
  const zombiePartitions = [...split].sort();

  // 2. a first burst of updates to its partitions, the corpus held back: the zombie writes it and
  //    waits in its next fetch (a long poll); SIGSTOP; the second burst goes into that fetch, the
  //    batch it will process when it wakes: stale by then
  const previous = recentUids(d.acks, zombiePartitions, 15).map((x) => ({
    key: x.key,
    partition: x.partition,
    canonical: x.canonical as string,
  }));
  const uids = new Set(previous.map((p) => p.key));
  const burst = (before: { key: string; partition: number; canonical: string }[], n: number) =>
    zombieMessages({
      previous: before,
      partitions: zombiePartitions,
      invalidPerPartition: 3,
      seed: (d.seed ^ 0x2b1d) + n,
      tag: String(n),
    });
  const updatesOf = (acks: Ack[]) =>
    acks
      .filter((x) => x.type === 'update')
      .map((x) => ({ key: x.key, partition: x.partition, canonical: x.canonical as string }));
  const past = (acks: Ack[]) => {
    const need = new Map<number, bigint>();
    for (const x of acks) {
      const n = BigInt(x.offset) + 1n;
      if (n > (need.get(x.partition) ?? -1n)) need.set(x.partition, n);
    }
    return async () => {
      const stored = await storedPositions(db.url, db.groupId, db.topic).catch(() => undefined);
      if (!stored) return false;
      for (const [p, n] of need) if ((stored.get(p)?.next ?? -1n) < n) return false;
      return true;
    };
  };
  const pid = b.pid() as number;
  const sender = await d.sender();
  const sent: Ack[] = [];
  let stoppedAt = 0;
  let stoppedLines = 0;
  let inFlight: Ack[] = [];
  let takeoverMs: number | undefined;
  let writtenWhileStopped = false;
  let stoppedInTransaction = false;
  try {
    await d.production.pause();
    try {
      const firstAcks = await sender.send(burst(previous, 1));
      sent.push(...firstAcks);
      try {
        await waitFor(past(firstAcks), { timeoutMs: 10_000, intervalMs: 20, what: 'burst 1' });
      } catch {
        failures.push(
          'zombie-member: the second instance did not write the first burst within 10 s',
        );
      }
      await sleep(150); // its Kafka commit and heartbeat, then the next fetch is out
      process.kill(pid, 'SIGSTOP');
      stoppedAt = Date.now();
      stoppedLines = a.logLines().length;
      inFlight = await sender.send(burst(updatesOf(firstAcks), 2));
      sent.push(...inFlight);
    } finally {
      d.production.resume();
    }
    // which state the zombie's PostgreSQL sessions were left in
    try {
      const ports = connectionPorts(pid, db.port);
      stoppedInTransaction = await withPg(db.url, async (c) => {
        const { rows } = await c.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE client_port = ANY($1::int[]) AND xact_start IS NOT NULL`,
          [ports],
        );
        return (rows[0]?.n ?? 0) > 0;
      });
    } catch {
      // unknown: reported as outside
    }
    d.log(
      `zombie: second instance pid ${pid} (partitions ${zombiePartitions.join(',')}) SIGSTOPped, ${inFlight.length} messages sent into its fetch in flight, ${stoppedInTransaction ? 'inside' : 'outside'} a transaction`,
    );

    // 3. the group moves its partitions to the other instance (after the session timeout)
    try {
      const join = await waitFor(
        () => {
          const j = lastJoin(a.logLines(), stoppedLines);
          return j && j.partitions.length === db.partitions ? j : undefined;
        },
        { timeoutMs: d.sessionTimeoutMs + 30_000, intervalMs: 200, what: 'the takeover' },
      );
      takeoverMs = join.at - stoppedAt;
    } catch {
      failures.push(
        `zombie-member: the other instance did not take the stopped one's partitions within ${(d.sessionTimeoutMs + 30_000) / 1000} s`,
      );
    }
    // 4. newer versions of the same orders, written by the new owner while the zombie sleeps
    const newer = await sender.send(burst(updatesOf(inFlight), 3));
    sent.push(...newer);
    try {
      await waitFor(past(newer), { timeoutMs: 10_000, intervalMs: 200, what: 'burst 3' });
      writtenWhileStopped = true;
    } catch {
      // stopped inside its transaction, the zombie holds a partition's offsets row: the new
      // owner's batch waits for it until SIGCONT
    }
  } finally {
    await sender.close();
  }
  // longer than the session timeout in any case
  const minStop = d.sessionTimeoutMs + 2_000;
  if (Date.now() - stoppedAt < minStop) await sleep(minStop - (Date.now() - stoppedAt));

  // 5. SIGCONT: it finishes what it had in flight, then rejoins (or exits: restarted)
  const contLines = b.logLines().length;
  process.kill(pid, 'SIGCONT');
  const stoppedMs = Date.now() - stoppedAt;
  let resumed: ZombieOutcome['figures']['resumed'] = 'neither';
  let fencedResumed = 0;
  let redeliveredResumed = 0;
  try {
    resumed = await waitFor(
      () => {
        if (!b.running()) return 'exited' as const;
        return lastJoin(b.logLines(), contLines) ? ('rejoined' as const) : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: 'the zombie to rejoin or exit' },
    ).then(async (how) => {
      if (how === 'rejoined') return 'rejoined';
      await d.startSecond();
      return 'exited and restarted';
    });
  } catch {
    failures.push('zombie-member: the resumed instance neither rejoined nor exited within 60 s');
  }
  try {
    await waitFor(past(sent), { timeoutMs: 60_000, intervalMs: 250, what: 'every burst written' });
  } catch {
    failures.push("zombie-member: the bursts' messages were not all consumed within 60 s");
  }
  if (b.running()) {
    const text = (await scrapeMetrics(b.port)) ?? '';
    // the resumed process only: a restarted one starts from 0
    if (resumed === 'rejoined') {
      fencedResumed = metricValue(text, 'orders_fenced_batches_total');
      redeliveredResumed = metricValue(text, 'orders_redelivered_total');
    }
    await d.sample(b);
  }
  const fencedOther = (await fencedOf(a)) - fencedOtherBefore;

  // 6. the verdict on the touched orders and the bursts' dead letters
  const stored = await storedPositions(db.url, db.groupId, db.topic);
  const next = new Map([...stored].map(([p, s]) => [p, s.next]));
  const { rows, ledger } = await withPg(db.url, async (c) => {
    const r = await c.query<{ uid: string; body: string }>(
      'SELECT order_uid AS uid, body FROM orders WHERE order_uid = ANY($1::text[])',
      [[...uids]],
    );
    const invalid = sent.filter((x) => x.type === 'invalid');
    const l = await c.query<{ p: number; o: string; n: number }>(
      `SELECT src_partition AS p, src_offset::text AS o, count(*)::int AS n FROM dead_letters
       WHERE src_topic = $1 AND (src_partition, src_offset) IN
         (SELECT * FROM unnest($2::int[], $3::bigint[]))
       GROUP BY 1, 2`,
      [db.topic, invalid.map((x) => x.partition), invalid.map((x) => x.offset)],
    );
    const once = l.rows.filter((x) => x.n === 1).length;
    return { rows: r.rows, ledger: invalid.length - once };
  });
  const stale = olderContent(d.acks, rows, next, uids);
  if (stale.length > 0)
    failures.push(
      `zombie-member: ${stale.length} rows of the updated orders hold older content (${stale.slice(0, 3).join(', ')})`,
    );
  if (ledger > 0)
    failures.push(
      `zombie-member: ${ledger} of the bursts' invalid messages without exactly one ledger row`,
    );
  if (fencedResumed + fencedOther === 0)
    failures.push(
      "zombie-member: no batch was fenced: the stopped instance's stale batch was written, or never processed",
    );
  if (redeliveredResumed > 0)
    failures.push(`zombie-member: the resumed instance counted ${redeliveredResumed} redelivered`);

  // 7. the second instance leaves; the first takes every partition again
  let stopExit = 'not running';
  if (b.running()) {
    await d.sample(b);
    const exit = await b.signal('SIGTERM', 'zombie-member: second instance stopped');
    stopExit = exit.signal ?? `code ${exit.code}`;
    if (exit.code !== 0)
      failures.push(`zombie-member: the second instance exited ${stopExit} on SIGTERM`);
  }
  const figures: ZombieOutcome['figures'] = {
    zombiePartitions,
    updatesPerBurst: previous.length,
    invalidPerBurst: 3 * zombiePartitions.length,
    inFlight: inFlight.length,
    stoppedInTransaction,
    stoppedMs,
    takeoverMs,
    writtenWhileStopped,
    fencedResumed,
    fencedOther,
    redeliveredResumed,
    resumed,
    olderContent: stale.length,
    ledgerNotOnce: ledger,
    stopExit,
  };
  const s = (ms: number | undefined) => (ms === undefined ? '?' : `${(ms / 1000).toFixed(1)} s`);
  const detail =
    `second instance pid ${pid} (partitions ${zombiePartitions.join(', ')}) wrote a burst of ${previous.length} updates + ${3 * zombiePartitions.length} invalid, then was SIGSTOPped ${s(stoppedMs)} (session timeout ${d.sessionTimeoutMs / 1000} s) with the next burst in its fetch in flight, ${stoppedInTransaction ? 'inside a transaction' : 'outside a transaction'}; ` +
    `the other took every partition after ${s(takeoverMs)}${writtenWhileStopped ? ' and wrote a third burst' : ', its batch waiting for the stopped one’s row lock'}; ` +
    `after SIGCONT it ${resumed}; fenced batches: resumed ${fencedResumed}, other ${fencedOther}; rows with older content ${stale.length}; ` +
    `invalid messages without exactly one ledger row ${ledger}; its SIGTERM: ${stopExit}`;
  return { detail, failures, figures };
}
