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
  valueSha: string;
};

export type CheckInput = {
  acks: Ack[];
  rows: StoredRow[];
  dlq: DlqRecord[];
  /** invalid messages the producer sent that the broker may hold without an ack (send retried) */
  unackedInvalidShas?: Set<string>;
  /** the source topic: a letter whose x-dlq-source-topic names another is unexplained */
  topic?: string;
};

export type KindFigure = { expected: number; observed: number };

export type CheckResult = {
  ackedValidUids: number;
  stored: number;
  lost: number;
  duplicateRows: number;
  unexpected: number;
  staleContent: number;
  dlq: {
    expected: number;
    distinctSourceOffsets: number;
    missing: number;
    repeatedCopies: number;
    unexpected: number;
    /** copies of invalid messages whose send was retried (on the topic, never acked) */
    fromUnackedSends: number;
    reasonMismatch: number;
    perKind: Record<string, KindFigure>;
    /** by source partition: invalid messages sent, and those with a letter */
    perPartition: Record<string, KindFigure>;
  };
  examples: string[];
  failures: string[];
};

export const sha256 = (value: string | Buffer | null): string =>
  value === null ? '' : createHash('sha256').update(value).digest('hex');

const offsetKey = (partition: number, offset: string) => `${partition}:${offset}`;

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
  const perKind: Record<string, KindFigure> = {};
  const perPartition: Record<string, KindFigure> = {};
  for (const a of input.acks) {
    if (a.type !== 'invalid') continue;
    invalidAcks.set(offsetKey(a.partition, a.offset), a);
    const k = a.kind ?? '?';
    perKind[k] ??= { expected: 0, observed: 0 };
    perKind[k].expected++;
    const p = String(a.partition);
    perPartition[p] ??= { expected: 0, observed: 0 };
    perPartition[p].expected++;
  }
  const copies = new Map<string, number>();
  let dlqUnexpected = 0;
  let fromUnacked = 0;
  let reasonMismatch = 0;
  for (const d of input.dlq) {
    const key = offsetKey(d.sourcePartition, d.sourceOffset);
    if (input.topic !== undefined && d.sourceTopic !== input.topic) {
      dlqUnexpected++;
      note(`dead letter for ${key} names source topic ${d.sourceTopic}, not ${input.topic}`);
      continue;
    }
    const ack = invalidAcks.get(key);
    if (!ack) {
      if (input.unackedInvalidShas?.has(d.valueSha)) fromUnacked++;
      else {
        dlqUnexpected++;
        note(`dead letter for ${key} matches no sent invalid message`);
      }
      continue;
    }
    const n = copies.get(key) ?? 0;
    copies.set(key, n + 1);
    if (n > 0) continue;
    const k = ack.kind ?? '?';
    (perKind[k] as KindFigure).observed++;
    (perPartition[String(ack.partition)] as KindFigure).observed++;
    if (ack.expectReason !== undefined && ack.expectReason !== d.reason) {
      reasonMismatch++;
      note(`dead letter ${key} (${k}): reason ${d.reason}, expected ${ack.expectReason}`);
    }
  }
  let dlqMissing = 0;
  for (const [key, ack] of invalidAcks) {
    if (!copies.has(key)) {
      dlqMissing++;
      note(`no dead letter for ${key} (${ack.kind})`);
    }
  }
  let repeatedCopies = 0;
  for (const n of copies.values()) repeatedCopies += n - 1;

  const stored = input.rows.length;
  if (lost > 0) failures.push(`${lost} acked orders lost`);
  if (duplicateRows > 0) failures.push(`${duplicateRows} duplicate rows`);
  if (unexpected > 0) failures.push(`${unexpected} rows that were never acked`);
  if (stored !== newest.size) failures.push(`${stored} rows stored, expected ${newest.size}`);
  if (staleContent > 0) failures.push(`${staleContent} rows without their newest content`);
  if (dlqMissing > 0) failures.push(`${dlqMissing} invalid messages missing from the DLQ`);
  if (dlqUnexpected > 0) failures.push(`${dlqUnexpected} unexplained dead letters`);
  // a reader can dedupe on the source-offset headers, but the issue asks for exactly once
  if (repeatedCopies > 0)
    failures.push(`${repeatedCopies} repeated dead letters (same source offset)`);
  if (reasonMismatch > 0) failures.push(`${reasonMismatch} dead letters with a wrong reason`);
  for (const [kind, f] of Object.entries(perKind)) {
    if (f.expected !== f.observed) {
      failures.push(`DLQ kind ${kind}: ${f.observed} of ${f.expected}`);
    }
  }

  return {
    ackedValidUids: newest.size,
    stored,
    lost,
    duplicateRows,
    unexpected,
    staleContent,
    dlq: {
      expected: invalidAcks.size,
      distinctSourceOffsets: copies.size,
      missing: dlqMissing,
      repeatedCopies,
      unexpected: dlqUnexpected,
      fromUnackedSends: fromUnacked,
      reasonMismatch,
      perKind,
      perPartition,
    },
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
