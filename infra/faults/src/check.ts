// The checker (pure): the ack log against what PostgreSQL, the dead-letter topic and the API hold.
// Jepsen-style classes: lost = acked ∖ stored, duplicated = stored more than once, unexpected =
// stored ∖ acked. Every figure is a count so the report can show it, and `failures` lists each
// criterion that did not hold.
import { createHash } from 'node:crypto';
import type { MessageType } from './corpus.ts';

export type Ack = {
  type: MessageType;
  key: string;
  partition: number;
  offset: string;
  kind?: string;
  expectReason?: string;
  canonical?: string;
  /** sha256 of the raw value bytes ('' for a tombstone) */
  valueSha: string;
};

export type StoredRow = { uid: string; body: string };

export type DlqRecord = {
  /** x-dlq-source-topic (undefined: not read) */
  sourceTopic?: string;
  sourcePartition: number;
  sourceOffset: string;
  reason: string;
  /** sha256 of the whole original value ('' for a tombstone; a cut one's from x-dlq-value-sha256) */
  valueSha: string;
  /** the record key as text (undefined: not read); the outbox keys it `<topic>/<partition>/<offset>` */
  key?: string | null;
  /** the source message's key (topic: x-dlq-source-key, ledger: its key column); undefined: absent */
  sourceKey?: string;
};

/** A row of the `dead_letters` ledger: the same fields as a letter on the topic. */
export type LedgerRow = DlqRecord;

export type CheckInput = {
  acks: Ack[];
  rows: StoredRow[];
  /** every record of the dead-letter topic (at least once: copies are deduped by key) */
  dlq: DlqRecord[];
  /** every row of the dead-letter ledger (exactly once per source offset); undefined: not read */
  ledger?: LedgerRow[];
  /** invalid messages the producer sent that the broker may hold without an ack (send retried) */
  unackedInvalidShas?: Set<string>;
  /** the source topic: a letter whose x-dlq-source-topic names another is unexplained */
  topic?: string;
};

export type KindFigure = { expected: number; observed: number };

/** Letters (on the topic, or ledger rows) matched to the invalid messages sent, by source offset. */
export type LetterMatch = {
  expected: number;
  distinctSourceOffsets: number;
  missing: number;
  /** copies beyond the first of one source offset */
  repeatedCopies: number;
  /** source offsets with more than one copy, and the most copies of one */
  sourceOffsetsWithCopies: number;
  maxCopies: number;
  unexpected: number;
  /** copies of invalid messages whose send was retried (on the topic, never acked) */
  fromUnackedSends: number;
  reasonMismatch: number;
  /** value (sha256) or source key other than the message sent at that offset */
  contentMismatch: number;
  perKind: Record<string, KindFigure>;
  /** by source partition: invalid messages sent, and those with a letter */
  perPartition: Record<string, KindFigure>;
};

export type CheckResult = {
  ackedValidUids: number;
  stored: number;
  lost: number;
  duplicateRows: number;
  unexpected: number;
  staleContent: number;
  /** the topic: at least once, every copy under its coordinates key */
  dlq: LetterMatch & {
    records: number;
    /** copies whose record key is not `<topic>/<partition>/<offset>` of their source */
    keyMismatch: number;
  };
  /** the ledger: exactly once per source offset (undefined: not read) */
  ledger: (LetterMatch & { rows: number }) | undefined;
  examples: string[];
  failures: string[];
};

export const sha256 = (value: string | Buffer | null): string =>
  value === null ? '' : createHash('sha256').update(value).digest('hex');

const offsetKey = (partition: number, offset: string) => `${partition}:${offset}`;

// an empty value and a tombstone (null) are both dead-lettered as `empty`; a client may hand
// either back for the other, so their digests compare equal
const EMPTY_SHA = sha256('');
const sameValue = (a: string, b: string) =>
  (a === EMPTY_SHA ? '' : a) === (b === EMPTY_SHA ? '' : b);

/** The dead-letter topic's record key of a source offset (the outbox's dedupe key). */
export const coordinatesKey = (topic: string, partition: number, offset: string) =>
  `${topic}/${partition}/${offset}`;

/** The acked version with the highest offset of each uid: what the store must hold. */
export function newestVersions(acks: Ack[]): Map<string, Ack> {
  const newest = new Map<string, Ack>();
  for (const a of acks) {
    if (a.type === 'invalid') continue;
    const seen = newest.get(a.key);
    if (!seen || BigInt(a.offset) > BigInt(seen.offset)) newest.set(a.key, a);
  }
  return newest;
}

/**
 * Letters matched to the invalid messages sent, by the source offset they carry: which are
 * missing, how many copies each has, and which explain nothing (another source topic, an offset
 * no invalid message was acked at, other content than the message sent there).
 */
export function matchLetters(
  invalidAcks: Map<string, Ack>,
  letters: DlqRecord[],
  o: { topic?: string; unackedInvalidShas?: Set<string>; note(text: string): void; what: string },
): LetterMatch {
  const perKind: Record<string, KindFigure> = {};
  const perPartition: Record<string, KindFigure> = {};
  for (const a of invalidAcks.values()) {
    const k = a.kind ?? '?';
    perKind[k] ??= { expected: 0, observed: 0 };
    perKind[k].expected++;
    const p = String(a.partition);
    perPartition[p] ??= { expected: 0, observed: 0 };
    perPartition[p].expected++;
  }
  const copies = new Map<string, number>();
  let unexpected = 0;
  let fromUnacked = 0;
  let reasonMismatch = 0;
  let contentMismatch = 0;
  for (const d of letters) {
    const key = offsetKey(d.sourcePartition, d.sourceOffset);
    if (o.topic !== undefined && d.sourceTopic !== o.topic) {
      unexpected++;
      o.note(`${o.what} for ${key} names source topic ${d.sourceTopic}, not ${o.topic}`);
      continue;
    }
    const ack = invalidAcks.get(key);
    if (!ack) {
      if (o.unackedInvalidShas?.has(d.valueSha)) fromUnacked++;
      else {
        unexpected++;
        o.note(`${o.what} for ${key} matches no sent invalid message`);
      }
      continue;
    }
    const n = copies.get(key) ?? 0;
    copies.set(key, n + 1);
    const k = ack.kind ?? '?';
    if (
      !sameValue(d.valueSha, ack.valueSha) ||
      (d.sourceKey !== undefined && d.sourceKey !== ack.key)
    ) {
      contentMismatch++;
      o.note(`${o.what} ${key} (${k}): value or source key is not the message sent there`);
    }
    if (n > 0) continue;
    (perKind[k] as KindFigure).observed++;
    (perPartition[String(ack.partition)] as KindFigure).observed++;
    if (ack.expectReason !== undefined && ack.expectReason !== d.reason) {
      reasonMismatch++;
      o.note(`${o.what} ${key} (${k}): reason ${d.reason}, expected ${ack.expectReason}`);
    }
  }
  let missing = 0;
  for (const [key, ack] of invalidAcks) {
    if (!copies.has(key)) {
      missing++;
      o.note(`no ${o.what} for ${key} (${ack.kind})`);
    }
  }
  let repeatedCopies = 0;
  let sourceOffsetsWithCopies = 0;
  let maxCopies = 0;
  for (const n of copies.values()) {
    repeatedCopies += n - 1;
    if (n > 1) sourceOffsetsWithCopies++;
    maxCopies = Math.max(maxCopies, n);
  }
  return {
    expected: invalidAcks.size,
    distinctSourceOffsets: copies.size,
    missing,
    repeatedCopies,
    sourceOffsetsWithCopies,
    maxCopies,
    unexpected,
    fromUnackedSends: fromUnacked,
    reasonMismatch,
    contentMismatch,
    perKind,
    perPartition,
  };
}

export function check(input: CheckInput): CheckResult {
  const failures: string[] = [];
  const examples: string[] = [];
  const note = (text: string) => {
    if (examples.length < 20) examples.push(text);
  };

  const newest = newestVersions(input.acks);
  const rowsByUid = new Map<string, number>();
  for (const r of input.rows) rowsByUid.set(r.uid, (rowsByUid.get(r.uid) ?? 0) + 1);

  let lost = 0;
  for (const uid of newest.keys()) {
    if (!rowsByUid.has(uid)) {
      lost++;
      note(`lost: ${uid}`);
    }
  }
  let duplicateRows = 0;
  let unexpected = 0;
  for (const [uid, n] of rowsByUid) {
    duplicateRows += n - 1;
    if (!newest.has(uid)) {
      unexpected++;
      note(`unexpected row: ${uid}`);
    }
  }
  let staleContent = 0;
  for (const r of input.rows) {
    const want = newest.get(r.uid);
    if (want && want.canonical !== r.body) {
      staleContent++;
      note(`content of ${r.uid} is not its newest acked version (offset ${want.offset})`);
    }
  }

  // dead letters, keyed by the source offset they carry
  const invalidAcks = new Map<string, Ack>();
  for (const a of input.acks) {
    if (a.type === 'invalid') invalidAcks.set(offsetKey(a.partition, a.offset), a);
  }
  const opts = { topic: input.topic, unackedInvalidShas: input.unackedInvalidShas, note };
  // the topic is at least once: a reader dedupes by the record key, which must be the
  // coordinates of the source offset the letter carries
  let keyMismatch = 0;
  for (const d of input.dlq) {
    if (d.key === undefined) continue;
    const want = coordinatesKey(
      d.sourceTopic ?? input.topic ?? '?',
      d.sourcePartition,
      d.sourceOffset,
    );
    if (d.key !== want) {
      keyMismatch++;
      note(`dead letter for ${want} is keyed ${JSON.stringify(d.key)}, not by its coordinates`);
    }
  }
  const dlq = {
    records: input.dlq.length,
    keyMismatch,
    ...matchLetters(invalidAcks, input.dlq, { ...opts, what: 'dead letter' }),
  };
  const ledger =
    input.ledger === undefined
      ? undefined
      : {
          rows: input.ledger.length,
          ...matchLetters(invalidAcks, input.ledger, { ...opts, what: 'ledger row' }),
        };

  const stored = input.rows.length;
  if (lost > 0) failures.push(`${lost} acked orders lost`);
  if (duplicateRows > 0) failures.push(`${duplicateRows} duplicate rows`);
  if (unexpected > 0) failures.push(`${unexpected} rows that were never acked`);
  if (stored !== newest.size) failures.push(`${stored} rows stored, expected ${newest.size}`);
  if (staleContent > 0) failures.push(`${staleContent} rows without their newest content`);
  if (dlq.missing > 0) failures.push(`${dlq.missing} invalid messages missing from the DLQ topic`);
  if (dlq.unexpected > 0) failures.push(`${dlq.unexpected} unexplained dead letters on the topic`);
  // at least once: copies of one source offset are a figure, not a failure (dedupe by key)
  if (dlq.keyMismatch > 0)
    failures.push(`${dlq.keyMismatch} dead letters not keyed by their source coordinates`);
  if (dlq.reasonMismatch > 0)
    failures.push(`${dlq.reasonMismatch} dead letters with a wrong reason`);
  if (dlq.contentMismatch > 0)
    failures.push(`${dlq.contentMismatch} dead letters with another value or source key`);
  for (const [kind, f] of Object.entries(dlq.perKind)) {
    if (f.expected !== f.observed)
      failures.push(`DLQ kind ${kind}: ${f.observed} of ${f.expected}`);
  }
  if (ledger) {
    if (ledger.missing > 0)
      failures.push(`${ledger.missing} invalid messages without a ledger row`);
    if (ledger.sourceOffsetsWithCopies > 0)
      failures.push(
        `${ledger.sourceOffsetsWithCopies} source offsets with more than one ledger row (${ledger.repeatedCopies} extra)`,
      );
    if (ledger.unexpected > 0) failures.push(`${ledger.unexpected} unexplained ledger rows`);
    if (ledger.reasonMismatch > 0)
      failures.push(`${ledger.reasonMismatch} ledger rows with a wrong reason`);
    if (ledger.contentMismatch > 0)
      failures.push(`${ledger.contentMismatch} ledger rows with another value or source key`);
  }

  return {
    ackedValidUids: newest.size,
    stored,
    lost,
    duplicateRows,
    unexpected,
    staleContent,
    dlq,
    ledger,
    examples,
    failures,
  };
}

export type ServedCheck = {
  compared: number;
  mismatched: number;
  missing: number;
  examples: string[];
};

/** Bytes served by the API against PostgreSQL's canonical body, for every stored uid. */
export function compareServed(
  rows: StoredRow[],
  served: Map<string, { status: number; body: string }>,
): ServedCheck {
  let mismatched = 0;
  let missing = 0;
  const examples: string[] = [];
  for (const r of rows) {
    const s = served.get(r.uid);
    if (s?.status !== 200) {
      missing++;
      if (examples.length < 10) examples.push(`${r.uid}: status ${s?.status ?? 'none'}`);
    } else if (s.body !== r.body) {
      mismatched++;
      if (examples.length < 10) examples.push(`${r.uid}: served bytes differ from PostgreSQL`);
    }
  }
  return { compared: rows.length, mismatched, missing, examples };
}
