import type { BatchControl } from '@orders/kafka';
import { parsePrometheusText } from '@orders/metrics/testing';
import { createOrderStore, type StoredOrder } from '@orders/store';
import { describe, expect, it } from 'vitest';
import { bytes, makeOrder } from '../test/fixtures.ts';
import type { Db, Queryable } from './db.ts';
import type { DeadLetter, ValidOrder } from './handle-batch.ts';
import { createLogger } from './logger.ts';
import { createIngestMetrics } from './metrics.ts';
import type { OrdersRepo, UpsertOutcome } from './orders-repo.ts';
import { backoffDelay, createPipeline } from './pipeline.ts';
import { createPositions } from './positions.ts';

type Call = string;

function fakeBatch(values: (Buffer | null)[], calls: Call[], running = () => true): BatchControl {
  return {
    topic: 'orders',
    partition: 0,
    messages: values.map((value, i) => ({
      key: null,
      value,
      offset: String(i + 40),
      timestamp: String(1_700_000_000_000 + i),
    })),
    resolveOffset: (o) => calls.push(`resolve:${o}`),
    commitOffsetsIfNecessary: async () => {
      calls.push('commit');
    },
    commitOffset: async (o) => {
      calls.push(`commit-at:${o}`);
    },
    heartbeat: async () => {
      calls.push('heartbeat');
    },
    seek(offset) {
      calls.push(`seek:${offset}`);
    },
    pause() {
      calls.push(`pause:${this.partition}`);
      return () => calls.push(`resume:${this.partition}`);
    },
    isRunning: running,
    isStale: () => false,
  };
}

function setup(
  opts: {
    pgFailures?: number;
    /** consumer_offsets as "PostgreSQL" holds it, per partition */
    stored?: Map<number, string>;
    skip?: Set<string>;
    poison?: Set<string>;
    /** what repo.getByUids finds in "PostgreSQL"; 'fail' rejects */
    rows?: StoredOrder[] | 'fail';
    /** how long each upsert statement takes (default: no wait) */
    upsertDelayMs?: number;
    heartbeatEveryMs?: number;
  } = {},
) {
  const calls: Call[] = [];
  const lines: string[] = [];
  let pgFailures = opts.pgFailures ?? 0;
  const stored = opts.stored ?? new Map<number, string>();
  let nextId = 1;
  const ids = new Map<string, number>();
  const db = {
    transaction: async <T>(fn: (tx: Queryable) => Promise<T>) => {
      calls.push('begin');
      if (pgFailures > 0) {
        pgFailures--;
        calls.push('pg-fail');
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      }
      const tx = {
        query: async (sql: string) => {
          calls.push(sql.toLowerCase());
          return { rows: [], rowCount: 0 };
        },
      } as Queryable;
      // a rollback undoes the offsets row too
      const before = new Map(stored);
      try {
        const r = await fn(tx);
        calls.push('commit-db');
        return r;
      } catch (err) {
        stored.clear();
        for (const [p, v] of before) stored.set(p, v);
        throw err;
      }
    },
  } as unknown as Db;
  const repo = {
    upsert: async (_tx: Queryable, orders: ValidOrder[]): Promise<UpsertOutcome> => {
      calls.push(`upsert:${orders.length}`);
      if (opts.upsertDelayMs) await new Promise((r) => setTimeout(r, opts.upsertDelayMs));
      if (orders.some((o) => opts.poison?.has(o.uid))) {
        throw Object.assign(new Error('new row violates check constraint'), { code: '23514' });
      }
      const written = orders
        .filter((o) => !opts.skip?.has(o.uid))
        .map((o) => {
          const id = ids.get(o.uid) ?? nextId++;
          ids.set(o.uid, id);
          return { id, uid: o.uid, inserted: true, changed: true };
        });
      return {
        written,
        inserted: written.length,
        updated: 0,
        unchanged: 0,
        skipped: orders.length - written.length,
      };
    },
    getByUids: async (uids: string[]): Promise<StoredOrder[]> => {
      calls.push(`read:${uids.join(',')}`);
      if (opts.rows === 'fail') throw new Error('connection terminated');
      return (opts.rows ?? []).filter((r) => uids.includes(r.uid));
    },
  } as unknown as OrdersRepo;
  const published: DeadLetter[] = [];
  const offsets = {
    read: async (_g: string, _t: string, partitions: number[]) =>
      new Map([...stored].filter(([p]) => partitions.includes(p))),
    // the conditional update: only from the value the member knows
    advance: async (
      _tx: Queryable,
      at: { partition: number },
      expected: string | undefined,
      next: string,
    ) => {
      calls.push(`advance:${expected ?? '-'}>${next}`);
      if (stored.get(at.partition) !== expected) return false;
      stored.set(at.partition, next);
      return true;
    },
  };
  const ledger = {
    insert: async (_tx: Queryable, letters: DeadLetter[]) => {
      calls.push(`ledger:${letters.length}`);
      published.push(...letters);
      return letters.length;
    },
  };
  const positions = createPositions({ offsets, groupId: 'ingest-test', topic: 'orders' });
  let wakes = 0;
  // pending resumes of paused partitions, fired by the test
  const resumes: { ms: number; fire: () => void; cancelled: boolean }[] = [];
  const store = createOrderStore({ maxOrders: 100, maxBytes: 1e9, maxAgeMs: Infinity });
  const metrics = createIngestMetrics();
  let degradedCount = 0;
  let recoveredCount = 0;
  const pipeline = createPipeline({
    db,
    repo,
    offsets,
    ledger,
    positions,
    onLetters: () => wakes++,
    groupId: 'ingest-test',
    store,
    metrics,
    logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
    maxMessageBytes: 64 * 1024,
    upsertChunk: 2,
    schedule: (ms, fire) => {
      calls.push(`backoff:${ms}`);
      const entry = { ms, fire, cancelled: false };
      resumes.push(entry);
      return () => {
        entry.cancelled = true;
      };
    },
    random: () => 0.5,
    ...(opts.heartbeatEveryMs === undefined ? {} : { heartbeatEveryMs: opts.heartbeatEveryMs }),
    onDegraded: () => degradedCount++,
    onRecovered: () => recoveredCount++,
  });
  return {
    calls,
    lines,
    pipeline,
    store,
    metrics,
    published,
    stored,
    positions,
    wakes: () => wakes,
    /** fire every pending resume (the backoff passed) */
    resumeAll: () => {
      for (const r of resumes.splice(0)) if (!r.cancelled) r.fire();
    },
    pendingResumes: () => resumes.filter((r) => !r.cancelled).length,
    degraded: () => degradedCount,
    recovered: () => recoveredCount,
  };
}

describe('pipeline.processBatch', () => {
  it('heartbeats while a slow statement runs; a failed heartbeat does not fail the batch', async () => {
    const t = setup({ upsertDelayMs: 400, heartbeatEveryMs: 50 });
    const batch = fakeBatch([bytes(makeOrder('a'))], t.calls);
    let beats = 0;
    batch.heartbeat = async () => {
      t.calls.push('heartbeat');
      if (++beats === 2) throw new Error('The group is rebalancing');
    };
    await t.pipeline.processBatch(batch);
    const during = t.calls.slice(t.calls.indexOf('upsert:1'), t.calls.indexOf('commit-db'));
    expect(during.filter((c) => c === 'heartbeat').length).toBeGreaterThanOrEqual(3);
    expect(t.calls.slice(-2)).toEqual(['commit-at:41', 'heartbeat']);
    // and none once the batch is done
    const done = beats;
    await new Promise((r) => setTimeout(r, 200));
    expect(beats).toBe(done);
  });

  it('one transaction: the offset advanced, the orders, the letters; then memory, resolve, Kafka commit', async () => {
    const t = setup();
    const values = [bytes(makeOrder('a')), Buffer.from('nope'), bytes(makeOrder('b'))];
    await t.pipeline.processBatch(fakeBatch(values, t.calls));
    expect(t.calls).toEqual([
      'begin',
      'advance:->43',
      'upsert:2',
      'ledger:1',
      'commit-db',
      'resolve:42',
      'commit-at:43',
      'heartbeat',
    ]);
    expect(t.store.getByUid('a')?.id).toBe(1);
    expect(t.store.getByUid('b')?.id).toBe(2);
    expect(t.published[0]?.reason).toBe('not_json');
    // PostgreSQL holds the next offset after the batch; the outbox is told
    expect(t.stored.get(0)).toBe('43');
    expect(t.wakes()).toBe(1);
    expect(t.metrics.snapshot()).toMatchObject({
      messages: 3,
      inserted: 2,
      invalid: 1,
    });
  });

  it('without dead letters: no ledger write, no wake; the next batch advances from where this one left', async () => {
    const t = setup();
    await t.pipeline.processBatch(
      fakeBatch([bytes(makeOrder('a')), bytes(makeOrder('b'))], t.calls),
    );
    expect(t.calls).toEqual([
      'begin',
      'advance:->42',
      'upsert:2',
      'commit-db',
      'resolve:41',
      'commit-at:42',
      'heartbeat',
    ]);
    expect(t.wakes()).toBe(0);
    const next = fakeBatch([bytes(makeOrder('c'))], t.calls);
    next.messages[0] = { ...(next.messages[0] as BatchControl['messages'][number]), offset: '42' };
    await t.pipeline.processBatch(next);
    expect(t.calls).toContain('advance:42>43');
    expect(t.stored.get(0)).toBe('43');
  });

  it('messages below the stored offset are not written again, and are counted as redelivered', async () => {
    const t = setup({ stored: new Map([[0, '42']]) });
    const values = ['a', 'b', 'c', 'd'].map((u) => bytes(makeOrder(u)));
    await t.pipeline.processBatch(fakeBatch(values, t.calls));
    expect(t.calls.filter((c) => c.startsWith('upsert') || c.startsWith('advance'))).toEqual([
      'advance:42>44',
      'upsert:2',
    ]);
    expect(t.store.getByUid('a')).toBeUndefined();
    expect(t.store.getByUid('c')).toBeDefined();
    expect(t.metrics.snapshot().redelivered).toBe(2);
    expect(await t.metrics.registry.render()).toContain(
      'orders_redelivered_total{partition="0"} 2',
    );
    // a batch wholly below it: resolved, nothing written
    const again = setup({ stored: new Map([[0, '100']]) });
    await again.pipeline.processBatch(fakeBatch(values, again.calls));
    expect(again.calls).toEqual(['resolve:43']);
    expect(again.metrics.snapshot().redelivered).toBe(4);
  });

  it('another member moved the stored offset (this one is a zombie): nothing written, refetch from it', async () => {
    const t = setup({ stored: new Map([[0, '40']]) });
    await t.positions.onJoin([0]);
    // the partition's new owner wrote a batch meanwhile
    t.stored.set(0, '47');
    await t.pipeline.processBatch(
      fakeBatch([bytes(makeOrder('a')), bytes(makeOrder('b'))], t.calls),
    );
    expect(t.calls.filter((c) => c.startsWith('advance'))).toEqual(['advance:40>42']);
    expect(t.calls).not.toContain('commit-db');
    expect(t.calls.some((c) => c.startsWith('upsert') || c.startsWith('resolve'))).toBe(false);
    expect(t.store.getByUid('a')).toBeUndefined();
    // it learns the stored offset, fetches from there, and a heartbeat tells whether it is evicted
    expect(t.calls.slice(-2)).toEqual(['seek:47', 'heartbeat']);
    expect(t.stored.get(0)).toBe('47');
    expect(t.metrics.snapshot().fenced).toBe(1);
    expect(t.pipeline.isDegraded()).toBe(false);
  });

  it('splits a batch larger than upsertChunk into several upserts in one transaction', async () => {
    const t = setup();
    const values = ['a', 'b', 'c', 'd', 'e'].map((u) => bytes(makeOrder(u)));
    await t.pipeline.processBatch(fakeBatch(values, t.calls));
    expect(t.calls.slice(0, 6)).toEqual([
      'begin',
      'advance:->45',
      'upsert:2',
      'upsert:2',
      'upsert:1',
      'commit-db',
    ]);
  });

  it('PostgreSQL down: pauses only its partition and returns unresolved; redelivered after the backoff', async () => {
    const t = setup({ pgFailures: 3 });
    const batch = fakeBatch([bytes(makeOrder('a'))], t.calls);
    for (let i = 0; i < 3; i++) {
      await t.pipeline.processBatch(batch);
      expect(t.calls.some((c) => c.startsWith('resolve'))).toBe(false);
      expect(t.pipeline.failingPartitions()).toEqual(['orders/0']);
      t.resumeAll();
    }
    await t.pipeline.processBatch(batch);
    expect(t.calls.filter((c) => c === 'pg-fail')).toHaveLength(3);
    expect(t.calls.filter((c) => c === 'pause:0')).toHaveLength(3);
    expect(t.calls.filter((c) => c === 'resume:0')).toHaveLength(3);
    // full jitter over a doubling ceiling (random 0.5): 150, 250, 450 ms
    expect(t.calls.filter((c) => c.startsWith('backoff:'))).toEqual([
      'backoff:150',
      'backoff:250',
      'backoff:450',
    ]);
    expect(t.calls.indexOf('resolve:40')).toBeGreaterThan(t.calls.lastIndexOf('pg-fail'));
    expect(t.degraded()).toBe(1);
    expect(t.recovered()).toBe(1);
    expect(t.pipeline.isDegraded()).toBe(false);
    expect(t.lines.filter((l) => l.includes('"level":"warn"'))).toHaveLength(1);
    expect(t.lines.filter((l) => l.includes('sink recovered'))).toHaveLength(1);
    expect(t.metrics.snapshot().retries).toBe(3);
    expect(t.store.getByUid('a')).toBeDefined();
  });

  it('a batch failing while the consumer stops, or after its partition moved: unresolved, not paused', async () => {
    for (const gone of ['stopping', 'stale'] as const) {
      const t = setup({ pgFailures: 100 });
      const batch = fakeBatch([bytes(makeOrder('a'))], t.calls, () => gone !== 'stopping');
      batch.isStale = () => gone === 'stale';
      await t.pipeline.processBatch(batch);
      expect(
        t.calls.some((c) => c.startsWith('resolve') || c.startsWith('pause')),
        gone,
      ).toBe(false);
      expect(t.pendingResumes(), gone).toBe(0);
      expect(t.store.getByUid('a'), gone).toBeUndefined();
    }
  });

  it("one partition failing leaves the others flowing; the pipeline recovers at that partition's success", async () => {
    const t = setup({ pgFailures: 1 });
    const failing = fakeBatch([bytes(makeOrder('a'))], t.calls);
    const other = fakeBatch([bytes(makeOrder('b'))], t.calls);
    other.partition = 1;
    await t.pipeline.processBatch(failing);
    await t.pipeline.processBatch(other);
    expect(t.calls).not.toContain('pause:1');
    expect(t.store.getByUid('b')?.partition).toBe(1);
    expect(t.pipeline.isDegraded()).toBe(true);
    expect(t.pipeline.failingPartitions()).toEqual(['orders/0']);
    expect(t.recovered()).toBe(0);
    t.resumeAll();
    await t.pipeline.processBatch(failing);
    expect(t.pipeline.isDegraded()).toBe(false);
    expect(t.recovered()).toBe(1);
  });

  it('resetDegraded (group join) cancels pending resumes and clears the state without onRecovered', async () => {
    const t = setup({ pgFailures: 100 });
    await t.pipeline.processBatch(fakeBatch([bytes(makeOrder('a'))], t.calls));
    expect(t.pipeline.isDegraded()).toBe(true);
    expect(t.pendingResumes()).toBe(1);
    t.pipeline.resetDegraded();
    expect(t.pipeline.isDegraded()).toBe(false);
    expect(t.pipeline.failingPartitions()).toEqual([]);
    expect(t.pendingResumes()).toBe(0);
    expect(t.recovered()).toBe(0);
    expect(t.lines.filter((l) => l.includes('reset at group join'))).toHaveLength(1);
    const idle = setup();
    idle.pipeline.resetDegraded(); // not degraded: nothing to log
    expect(idle.lines).toEqual([]);
  });

  it('stop cancels pending resumes', async () => {
    const t = setup({ pgFailures: 100 });
    await t.pipeline.processBatch(fakeBatch([bytes(makeOrder('a'))], t.calls));
    t.pipeline.stop();
    expect(t.pendingResumes()).toBe(0);
  });

  it('stores each order with its partition', async () => {
    const t = setup();
    const batch = fakeBatch([bytes(makeOrder('a'))], t.calls);
    batch.partition = 4;
    await t.pipeline.processBatch(batch);
    expect(t.store.getByUid('a')?.partition).toBe(4);
  });

  it("a skipped row held in memory takes PostgreSQL's version (written meanwhile elsewhere)", async () => {
    const newest = (uid: string, partition: number): StoredOrder => ({
      id: 7,
      uid,
      body: Buffer.from(`{"v":3,"uid":"${uid}"}`),
      etag: `"v3-${uid}"`,
      dateCreated: 0,
      partition,
    });
    const t = setup({
      skip: new Set(['held', 'absent', 'moved']),
      rows: [newest('held', 0), newest('moved', 5)],
    });
    const old = { body: Buffer.from('{"v":1}'), etag: '"v1"', dateCreated: 0, partition: 0 };
    t.store.put({ id: 7, uid: 'held', ...old });
    t.store.put({ id: 8, uid: 'moved', ...old });
    const values = ['held', 'absent', 'moved', 'new'].map((u) => bytes(makeOrder(u)));
    await t.pipeline.processBatch(fakeBatch(values, t.calls));
    // one read, only for the skipped uids memory holds, after the commit and before the resolve
    expect(t.calls.filter((c) => c.startsWith('read:'))).toEqual(['read:held,moved']);
    expect(t.calls.indexOf('read:held,moved')).toBeGreaterThan(t.calls.indexOf('commit-db'));
    expect(t.calls.indexOf('resolve:43')).toBeGreaterThan(t.calls.indexOf('read:held,moved'));
    expect(t.store.getByUid('held')?.etag).toBe('"v3-held"');
    expect(t.store.getByUid('held')?.partition).toBe(0);
    // PostgreSQL's version came from another partition: not held here
    expect(t.store.getByUid('moved')).toBeUndefined();
    expect(t.store.getByUid('absent')).toBeUndefined();
    expect(t.store.getByUid('new')).toBeDefined();
  });

  it('a skipped row held in memory is dropped when PostgreSQL cannot be read', async () => {
    const t = setup({ skip: new Set(['held']), rows: 'fail' });
    t.store.put({ id: 7, uid: 'held', body: Buffer.from('{}'), etag: '"x"', dateCreated: 0 });
    await t.pipeline.processBatch(fakeBatch([bytes(makeOrder('held'))], t.calls));
    expect(t.store.getByUid('held')).toBeUndefined();
    expect(t.calls).toContain('resolve:40');
  });

  it('no read when nothing skipped is held in memory', async () => {
    const t = setup({ skip: new Set(['old']) });
    await t.pipeline.processBatch(fakeBatch([bytes(makeOrder('old'))], t.calls));
    expect(t.calls.some((c) => c.startsWith('read:'))).toBe(false);
  });

  it('does not put rows the upsert skipped (an older replay) into the store', async () => {
    const t = setup({ skip: new Set(['old']) });
    await t.pipeline.processBatch(
      fakeBatch([bytes(makeOrder('old')), bytes(makeOrder('new'))], t.calls),
    );
    expect(t.store.getByUid('old')).toBeUndefined();
    expect(t.store.getByUid('new')).toBeDefined();
    expect(t.metrics.snapshot().duplicates).toBe(1);
  });
});

describe('pipeline: rows PostgreSQL refuses as data', () => {
  it('isolates them row by row (savepoints of one transaction) into the ledger, stores the rest', async () => {
    const t = setup({ poison: new Set(['bad']) });
    await t.pipeline.processBatch(
      fakeBatch([bytes(makeOrder('a')), bytes(makeOrder('bad')), bytes(makeOrder('b'))], t.calls),
    );
    // the first statement (upsertChunk 2) fails, then one row at a time
    expect(t.calls.filter((c) => c.startsWith('upsert'))).toEqual([
      'upsert:2',
      'upsert:1',
      'upsert:1',
      'upsert:1',
    ]);
    expect(t.calls.filter((c) => c.startsWith('savepoint')).length).toBe(3);
    expect(t.calls.filter((c) => c.startsWith('rollback to')).length).toBe(1);
    // the first transaction rolled back whole; the second advanced the offset once
    expect(t.calls.filter((c) => c.startsWith('advance'))).toEqual([
      'advance:->43',
      'advance:->43',
    ]);
    expect(t.published.map((d) => [d.reason, d.source.offset])).toEqual([
      ['rejected_by_database', '41'],
    ]);
    expect(t.published[0]?.value?.toString()).toContain('"bad"');
    expect(t.published[0]?.problems[0]?.message).toContain('SQLSTATE 23514');
    expect(t.store.getByUid('a')).toBeDefined();
    expect(t.store.getByUid('b')).toBeDefined();
    expect(t.store.getByUid('bad')).toBeUndefined();
    expect(t.calls).toContain('resolve:42');
    expect(t.degraded()).toBe(0);
    expect(t.metrics.snapshot()).toMatchObject({ inserted: 2, invalid: 1 });
  });
});

describe('pipeline operating metrics', () => {
  async function scrape(t: ReturnType<typeof setup>) {
    const parsed = parsePrometheusText(await t.metrics.registry.render());
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const samples = [...parsed.families.values()].flatMap((f) => f.samples);
    return (name: string, labels: Record<string, string> = {}) =>
      samples.find(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )?.value;
  }

  it('in flight while the batch is handled; one write, one commit, freshness per written order', async () => {
    const t = setup({ upsertDelayMs: 100, skip: new Set(['b']) });
    const values = [bytes(makeOrder('a')), Buffer.from('nope'), bytes(makeOrder('b'))];
    const done = t.pipeline.processBatch(fakeBatch(values, t.calls));
    await new Promise((r) => setTimeout(r, 50));
    expect((await scrape(t))('orders_records_in_flight')).toBe(3);
    await done;
    const value = await scrape(t);
    expect(value('orders_records_in_flight')).toBe(0);
    expect(value('orders_batch_write_duration_seconds_count')).toBe(1);
    expect(value('orders_batch_write_duration_seconds_sum')).toBeGreaterThanOrEqual(0.09);
    expect(value('orders_batch_commit_duration_seconds_count')).toBe(1);
    // 'b' was skipped (already stored): only 'a' became servable now
    expect(value('orders_freshness_seconds_count')).toBe(1);
    expect(value('orders_freshness_seconds_sum')).toBeGreaterThan(0);
  });

  it('a failing PostgreSQL: paused with the error time, resumed at the next success or a join', async () => {
    const t = setup({ pgFailures: 2 });
    const batch = () => fakeBatch([bytes(makeOrder('a'))], t.calls);
    const before = Date.now() / 1000;
    await t.pipeline.processBatch(batch());
    let value = await scrape(t);
    expect(value('orders_postgres_paused')).toBe(1);
    expect(value('orders_last_error_timestamp_seconds', { kind: 'postgres' })).toBeGreaterThan(
      before - 1,
    );
    expect(value('orders_last_error_timestamp_seconds', { kind: 'kafka' })).toBe(0);
    // given back for its retry: no longer in flight, nothing written
    expect(value('orders_records_in_flight')).toBe(0);
    expect(value('orders_batch_write_duration_seconds_count')).toBe(0);
    t.pipeline.resetDegraded();
    expect((await scrape(t))('orders_postgres_paused')).toBe(0);
    await t.pipeline.processBatch(batch());
    expect((await scrape(t))('orders_postgres_paused')).toBe(1);
    await t.pipeline.processBatch(batch());
    value = await scrape(t);
    expect(value('orders_postgres_paused')).toBe(0);
    expect(value('orders_postgres_paused_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(value('orders_freshness_seconds_count')).toBe(1);
  });

  it('a failed Kafka commit sets the kafka error time', async () => {
    const t = setup();
    const batch = fakeBatch([bytes(makeOrder('a'))], t.calls);
    batch.commitOffset = async () => {
      throw new Error('The coordinator is not aware of this member');
    };
    await t.pipeline.processBatch(batch);
    const value = await scrape(t);
    expect(value('orders_last_error_timestamp_seconds', { kind: 'kafka' })).toBeGreaterThan(0);
    expect(value('orders_batch_commit_duration_seconds_count')).toBe(1);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with jitter inside [base/2, ceiling]', () => {
    const b = { baseMs: 200, capMs: 5_000 };
    expect(backoffDelay(0, b, () => 0)).toBe(100);
    expect(backoffDelay(0, b, () => 1)).toBe(200);
    expect(backoffDelay(3, b, () => 1)).toBe(1_600);
    expect(backoffDelay(30, b, () => 1)).toBe(5_000);
  });
});
