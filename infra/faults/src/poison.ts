// The poison-backlog phase's pure parts (issue 17): the plan of a backlog that is almost all
// invalid, and the verdict on what ingest made of it. A mostly-invalid fetch makes a dead-letter
// batch bigger than the one it came from (each letter carries x-dlq-* headers): this backlog is the
// input that must not stop any partition.
//
// Keys are partitioned as a real producer does it (Java's murmur2, kafkajs's DefaultPartitioner,
// as the producer CLI): ingest's DLQ producer keeps each letter's key and partitions it the same
// way over a DLQ topic of as many partitions, so one source partition's letters land in one DLQ
// partition — as in production. (The main corpus partitions by its own hash, which spreads each
// batch's letters over every DLQ partition and hid issue 17.)

import { javaPartition } from '@orders/kafka';
import {
  createOrderFaker,
  INVALID_KINDS,
  type InvalidKind,
  makeBadMessage,
} from '@orders/producer';
import {
  type Ack,
  type CheckResult,
  check,
  compareServed,
  type DlqRecord,
  type LedgerRow,
  newestVersions,
  type ServedCheck,
  type StoredRow,
} from './check.ts';
import { BASE_DATE, type CorpusMessage, canonicalOf, makeFittingBadMessage } from './corpus.ts';
import { createRandom } from './random.ts';

export type PoisonPlanOptions = {
  seed: number;
  partitions: number;
  /** invalid messages in all, tombstones included */
  invalid: number;
  /** of which tombstones, all on one partition (seed % partitions) */
  tombstones: number;
  /** valid orders sent after the backlog, as many on every partition (± 1) */
  valid: number;
  /** ingest's KAFKA_MAX_BYTES: most `oversize` messages are just above it */
  maxBytes: number;
  /** two `oversize` messages per partition are just above this instead (~ the broker's 1 MiB) */
  nearBrokerLimit?: number;
};

export type KindPlan = { count: number; bytes: number; maxBytes: number };

export type PartitionPlan = {
  partition: number;
  invalid: number;
  tombstones: number;
  valid: number;
  bytes: number;
};

export type PoisonPlan = {
  /** send order: the mixed invalid messages, then the tombstones, then the valid orders */
  messages: CorpusMessage[];
  tombstonePartition: number;
  kinds: Record<string, KindPlan>;
  perPartition: PartitionPlan[];
  /** value bytes of the whole backlog */
  bytes: number;
  /** `oversize` messages near nearBrokerLimit (the rest are near maxBytes) */
  nearLimit: number;
};

/** The big kinds (~250 KiB each) get this share each of the mixed messages: the rest stays light. */
export const HEAVY_KINDS: readonly InvalidKind[] = ['oversize', 'too-many-items'];
export const HEAVY_SHARE = 0.01;

/** The partition kafkajs's (and Java's) default partitioner gives `key` over `partitions`. */
export function kafkaPartitionFor(key: string, partitions: number): number {
  return javaPartition(key, partitions);
}

/** `base`, or `base.1`, `base.2`, …: the first of them the default partitioner puts on `partition`. */
export function keyOnPartition(base: string, partition: number, partitions: number): string {
  for (let n = 0; ; n++) {
    const key = n === 0 ? base : `${base}.${n}`;
    if (kafkaPartitionFor(key, partitions) === partition) return key;
  }
}

/** How many of each kind (tombstones aside) the mixed part of the backlog holds. */
export function mixedKindCounts(mixed: number, partitions: number): Map<InvalidKind, number> {
  const kinds = INVALID_KINDS.filter((k) => k !== 'tombstone');
  const light = kinds.filter((k) => !HEAVY_KINDS.includes(k));
  const heavyEach = Math.min(
    Math.floor(mixed / kinds.length),
    Math.max(partitions, Math.round(mixed * HEAVY_SHARE)),
  );
  const lightTotal = mixed - heavyEach * HEAVY_KINDS.length;
  const counts = new Map<InvalidKind, number>();
  for (const k of kinds) {
    if (HEAVY_KINDS.includes(k)) counts.set(k, heavyEach);
    else {
      const i = light.indexOf(k);
      counts.set(
        k,
        Math.floor(lightTotal / light.length) + (i < lightTotal % light.length ? 1 : 0),
      );
    }
  }
  return counts;
}

export function planPoisonBacklog(o: PoisonPlanOptions): PoisonPlan {
  if (o.tombstones > o.invalid) throw new Error('poison plan: more tombstones than invalid');
  // another stream than the main corpus' (same seed): other uids, other variants
  const seed = (o.seed ^ 0x9e3779b9) >>> 0;
  const rnd = createRandom(seed);
  const faker = createOrderFaker({ seed, baseDate: BASE_DATE });
  const tombstonePartition = o.seed % o.partitions;
  const counts = mixedKindCounts(o.invalid - o.tombstones, o.partitions);
  const near =
    o.nearBrokerLimit === undefined ? 0 : Math.min(counts.get('oversize') ?? 0, 2 * o.partitions);

  // slots in kind order, dealt to the partitions in turn: every kind on every partition (± 1);
  // the near-limit oversize slots come first, two per partition
  type Slot = { kind: InvalidKind; nearLimit: boolean };
  const byPartition: Slot[][] = Array.from({ length: o.partitions }, () => []);
  let dealt = 0;
  for (const [kind, n] of counts) {
    for (let i = 0; i < n; i++) {
      const nearLimit = kind === 'oversize' && i < near;
      (byPartition[dealt++ % o.partitions] as Slot[]).push({ kind, nearLimit });
    }
  }
  for (const slots of byPartition) {
    for (let i = slots.length - 1; i > 0; i--) {
      const j = rnd.int(0, i);
      [slots[i], slots[j]] = [slots[j] as Slot, slots[i] as Slot];
    }
  }

  const messages: CorpusMessage[] = [];
  const kindCount = new Map<InvalidKind, number>();
  const longest = Math.max(...byPartition.map((s) => s.length));
  for (let i = 0; i < longest; i++) {
    for (let p = 0; p < o.partitions; p++) {
      const slot = byPartition[p]?.[i];
      if (!slot) continue;
      const n = kindCount.get(slot.kind) ?? 0;
      kindCount.set(slot.kind, n + 1);
      const variant = n + rnd.int(0, 1) * 7919;
      const bad = slot.nearLimit
        ? (() => {
            const m = makeBadMessage('oversize', faker.order(), variant, {
              maxBytes: o.nearBrokerLimit as number,
            });
            return { value: m.value, expectReason: m.expect.reason };
          })()
        : makeFittingBadMessage(slot.kind, () => faker.order(), variant, o);
      messages.push({
        seq: messages.length,
        type: 'invalid',
        key: keyOnPartition(`poison-${messages.length}`, p, o.partitions),
        value: bad.value,
        partition: p,
        kind: slot.kind,
        expectReason: bad.expectReason,
      });
    }
  }
  const tombstone = makeBadMessage('tombstone', faker.order(), 0, o);
  for (let i = 0; i < o.tombstones; i++) {
    messages.push({
      seq: messages.length,
      type: 'invalid',
      key: keyOnPartition(`tombstone-${i}`, tombstonePartition, o.partitions),
      value: tombstone.value,
      partition: tombstonePartition,
      kind: 'tombstone',
      expectReason: tombstone.expect.reason,
    });
  }
  // behind the backlog on every partition: the i-th valid order is the next fake order whose uid
  // the default partitioner puts on partition i % partitions
  for (let i = 0; i < o.valid; i++) {
    const want = i % o.partitions;
    for (;;) {
      const order = faker.order();
      if (kafkaPartitionFor(order.order_uid, o.partitions) !== want) continue;
      const value = JSON.stringify(order);
      messages.push({
        seq: messages.length,
        type: 'valid',
        key: order.order_uid,
        value,
        partition: want,
        canonical: canonicalOf(value),
      });
      break;
    }
  }

  const size = (m: CorpusMessage) => (m.value === null ? 0 : Buffer.byteLength(m.value));
  const kinds: Record<string, KindPlan> = {};
  const perPartition: PartitionPlan[] = Array.from({ length: o.partitions }, (_, partition) => ({
    partition,
    invalid: 0,
    tombstones: 0,
    valid: 0,
    bytes: 0,
  }));
  let bytes = 0;
  for (const m of messages) {
    const b = size(m);
    bytes += b;
    const pp = perPartition[m.partition] as PartitionPlan;
    pp.bytes += b;
    if (m.type === 'valid') pp.valid++;
    else {
      pp.invalid++;
      if (m.kind === 'tombstone') pp.tombstones++;
      const name = m.kind as string;
      kinds[name] ??= { count: 0, bytes: 0, maxBytes: 0 };
      const k = kinds[name];
      k.count++;
      k.bytes += b;
      k.maxBytes = Math.max(k.maxBytes, b);
    }
  }
  return { messages, tombstonePartition, kinds, perPartition, bytes, nearLimit: near };
}

export type PartitionOffsets = { partition: number; committed: string; high: string };

export type PoisonObservation = {
  topic: string;
  /** messages in the plan */
  planned: number;
  acks: Ack[];
  unackedInvalidShas?: Set<string>;
  /** PostgreSQL's rows after the drain */
  rows: StoredRow[];
  /** every committed record of the DLQ topic */
  letters: DlqRecord[];
  /** every row of the dead-letter ledger in the phase's database */
  ledger: LedgerRow[];
  /** the ledger could not be read (then `ledger` is empty) */
  ledgerReadError?: string;
  /** orders_redelivered_total of the phase's ingest */
  redelivered: number;
  /** GET /orders/:uid of every valid uid sent */
  served: Map<string, { status: number; body: string }>;
  /** ingest's start → lag 0; undefined: not by the deadline */
  drainMs: number | undefined;
  deadlineMs: number;
  lagAtEnd: number | undefined;
  offsets: PartitionOffsets[];
  /** ingest log lines naming MESSAGE_TOO_LARGE */
  tooLargeLogLines: number;
  /** orders_ingest_retries_total{sink="dead_letters"} */
  dlqRetries: number;
  /** the DLQ could not be read (then `letters` is empty) */
  dlqReadError?: string;
};

export type PoisonVerdict = {
  check: CheckResult;
  /** the API's answers against the canonical bytes of each valid order sent */
  served: ServedCheck;
  failures: string[];
};

const n = (x: number) => x.toLocaleString('en-US');

/** The phase's criteria, each failure a sentence naming what went wrong. */
export function judgePoison(o: PoisonObservation): PoisonVerdict {
  const c = check({
    acks: o.acks,
    rows: o.rows,
    dlq: o.letters,
    ledger: o.ledger,
    unackedInvalidShas: o.unackedInvalidShas,
    topic: o.topic,
  });
  const expectedRows = [...newestVersions(o.acks).values()].map((a) => ({
    uid: a.key,
    body: a.canonical as string,
  }));
  const served = compareServed(expectedRows, o.served);
  const failures: string[] = [];
  const fail = (text: string) => failures.push(`poison backlog: ${text}`);
  const hint =
    o.tooLargeLogLines > 0 || o.dlqRetries > 0
      ? `; ingest logged MESSAGE_TOO_LARGE ${n(o.tooLargeLogLines)} times and retried dead-letter sends ${n(o.dlqRetries)} times`
      : '';

  if (o.acks.length !== o.planned)
    fail(`${n(o.acks.length)} of ${n(o.planned)} backlog messages acknowledged by the broker`);
  if (o.drainMs === undefined) {
    const offsets = o.offsets.map((p) => `p${p.partition} ${p.committed}/${p.high}`).join(', ');
    fail(
      `consumer lag ${o.lagAtEnd === undefined ? 'unknown' : n(o.lagAtEnd)}, not 0, at the ${o.deadlineMs / 1000} s deadline (committed/end offsets: ${offsets})${hint}`,
    );
  }
  if (served.missing > 0)
    fail(`${n(served.missing)} of ${n(served.compared)} valid orders not served by the API`);
  if (served.mismatched > 0)
    fail(`${n(served.mismatched)} valid orders served with other bytes than their canonical form`);
  if (c.lost > 0) fail(`${n(c.lost)} of ${n(c.ackedValidUids)} valid orders not in PostgreSQL`);
  if (c.duplicateRows > 0) fail(`${n(c.duplicateRows)} duplicate rows`);
  if (c.unexpected > 0) fail(`${n(c.unexpected)} rows of orders never sent`);
  if (c.staleContent > 0) fail(`${n(c.staleContent)} rows differ from the order sent`);
  if (o.dlqReadError !== undefined)
    fail(`the dead-letter topic could not be read: ${o.dlqReadError}`);
  const d = c.dlq;
  if (d.missing > 0) {
    const parts = Object.entries(d.perPartition)
      .filter(([, f]) => f.observed < f.expected)
      .map(([p, f]) => `p${p} ${n(f.expected - f.observed)} of ${n(f.expected)}`);
    const kinds = Object.entries(d.perKind)
      .filter(([, f]) => f.observed < f.expected)
      .sort((a, b) => b[1].expected - b[1].observed - (a[1].expected - a[1].observed))
      .map(([k, f]) => `${k} ${n(f.expected - f.observed)} of ${n(f.expected)}`);
    const more = kinds.length > 4 ? `, … ${kinds.length - 4} more kinds` : '';
    fail(
      `${n(d.missing)} of ${n(d.expected)} invalid messages have no dead letter (missing by source partition: ${parts.join(', ')}; by kind: ${kinds.slice(0, 4).join(', ')}${more})${o.drainMs === undefined ? '' : hint}`,
    );
  }
  // the topic is at least once (copies of a source offset are a figure); each copy under its key
  if (d.keyMismatch > 0)
    fail(`${n(d.keyMismatch)} dead letters are not keyed by their source coordinates`);
  if (d.unexpected > 0) fail(`${n(d.unexpected)} dead letters match no invalid message sent`);
  if (d.reasonMismatch > 0) fail(`${n(d.reasonMismatch)} dead letters give a wrong x-dlq-reason`);
  if (d.contentMismatch > 0)
    fail(
      `${n(d.contentMismatch)} dead letters carry another value or source key than the message sent`,
    );
  // the ledger is exactly once per source offset
  if (o.ledgerReadError !== undefined)
    fail(`the dead-letter ledger could not be read: ${o.ledgerReadError}`);
  const l = c.ledger;
  if (l) {
    if (l.missing > 0)
      fail(`${n(l.missing)} of ${n(l.expected)} invalid messages have no ledger row`);
    if (l.sourceOffsetsWithCopies > 0)
      fail(`${n(l.sourceOffsetsWithCopies)} source offsets have more than one ledger row`);
    if (l.unexpected > 0) fail(`${n(l.unexpected)} ledger rows match no invalid message sent`);
    if (l.reasonMismatch > 0) fail(`${n(l.reasonMismatch)} ledger rows give a wrong reason`);
    if (l.contentMismatch > 0)
      fail(
        `${n(l.contentMismatch)} ledger rows hold another value or source key than the message sent`,
      );
  }
  if (o.redelivered > 0)
    fail(
      `${n(o.redelivered)} messages redelivered to the pipeline below PostgreSQL's stored offset`,
    );
  return { check: c, served, failures };
}
