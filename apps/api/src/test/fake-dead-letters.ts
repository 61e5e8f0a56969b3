// An in-memory DeadLetterReader for the admin routes' unit tests: the ledger's order, filters,
// keyset and page budget as dead-letter-reads.ts has them in SQL (that one is tested against
// PostgreSQL), plus call records, failures and a clock-free summary.
import type {
  DeadLetterQuery,
  DeadLetterReader,
  DeadLetterRecord,
  DeadLetterSummary,
} from '../admin/deps.ts';

export type FakeDeadLetters = DeadLetterReader & {
  letters: DeadLetterRecord[];
  calls: { list: DeadLetterQuery[]; get: number[]; summary: number };
  /** reads reject with this error until `fail(undefined)` */
  fail(error: Error | undefined): void;
  /** reads wait until the returned function is called */
  hold(): () => void;
  /** what summary() answers (default: counted from `letters`, perHour empty) */
  summaryAnswer?: DeadLetterSummary;
};

let nextId = 1;

/** A letter as the ledger would hold it; `overrides` win. stored_at defaults to one per id. */
export function ledgerLetter(overrides: Partial<DeadLetterRecord> = {}): DeadLetterRecord {
  const id = overrides.id ?? nextId++;
  return {
    id,
    reason: 'invalid_order',
    problems: [{ path: 'items', code: 'too_small', message: 'at least one item' }],
    source: {
      topic: 'orders',
      partition: 0,
      offset: String(id * 10),
      timestamp: 1_700_000_000_123,
    },
    key: Buffer.from(`key-${id}`),
    uid: `uid-${id}`,
    value: Buffer.from(`{"order_uid":"uid-${id}"}`),
    size: Buffer.byteLength(`{"order_uid":"uid-${id}"}`),
    truncated: false,
    storedAt: `2026-12-01T10:00:${String(id % 60).padStart(2, '0')}.000001Z`,
    redrives: [],
    ...overrides,
  };
}

const newestFirst = (a: DeadLetterRecord, b: DeadLetterRecord) =>
  a.storedAt === b.storedAt ? b.id - a.id : a.storedAt < b.storedAt ? 1 : -1;

const codesOf = (l: DeadLetterRecord) =>
  Array.isArray(l.problems) ? l.problems.map((p) => (p as { code?: unknown }).code) : [];

export function createFakeDeadLetters(letters: DeadLetterRecord[] = []): FakeDeadLetters {
  let failure: Error | undefined;
  let gate: Promise<void> | undefined;
  const answer = async <T>(value: () => T): Promise<T> => {
    if (gate) await gate;
    if (failure) throw failure;
    return value();
  };
  const fake: FakeDeadLetters = {
    letters,
    calls: { list: [], get: [], summary: 0 },
    fail(error) {
      failure = error;
    },
    hold() {
      let release: () => void = () => {};
      gate = new Promise((resolve) => {
        release = () => {
          gate = undefined;
          resolve();
        };
      });
      return release;
    },
    list(query) {
      fake.calls.list.push(query);
      return answer(() => {
        const { filter: f, after } = query;
        const matching = fake.letters
          .filter(
            (l) =>
              (f.reason === undefined || l.reason === f.reason) &&
              (f.problem === undefined || codesOf(l).includes(f.problem)) &&
              (f.uid === undefined || l.uid === f.uid) &&
              (f.partition === undefined || l.source.partition === f.partition) &&
              (f.since === undefined || l.storedAt >= f.since) &&
              (f.until === undefined || l.storedAt < f.until) &&
              (after === undefined ||
                l.storedAt < after.storedAt ||
                (l.storedAt === after.storedAt && l.id < after.id)),
          )
          .sort(newestFirst)
          .slice(0, query.limit + 1);
        const page: DeadLetterRecord[] = [];
        let bytes = 0;
        for (const l of matching) {
          if (page.length === query.limit || bytes >= query.maxValueBytes) break;
          page.push(l);
          bytes += l.value?.byteLength ?? 0;
        }
        const last = page[page.length - 1];
        return {
          letters: page,
          next:
            last && matching.length > page.length ? { storedAt: last.storedAt, id: last.id } : null,
        };
      });
    },
    get(id) {
      fake.calls.get.push(id);
      return answer(() => fake.letters.find((l) => l.id === id));
    },
    summary() {
      fake.calls.summary++;
      return answer(() => {
        if (fake.summaryAnswer) return fake.summaryAnswer;
        const s: DeadLetterSummary = { total: 0, byReason: {}, byProblem: {}, perHour: [] };
        for (const l of fake.letters) {
          s.total++;
          s.byReason[l.reason] = (s.byReason[l.reason] ?? 0) + 1;
          for (const code of new Set(codesOf(l).map(String))) {
            s.byProblem[code] = (s.byProblem[code] ?? 0) + 1;
          }
        }
        return s;
      });
    },
  };
  return fake;
}
