// Idempotent, versioned schema, applied at start. A transaction-scoped advisory lock serialises
// concurrent starts (two instances booting together must not race on CREATE … IF NOT EXISTS, which
// is not concurrency-safe for the catalog), and `orders_schema` records which steps ran, so a
// restart does not take ALTER TABLE locks again.
import type { Db } from './db.ts';
import { SEARCH_INDEXES } from './search-fill.ts';

// Arbitrary constant: "orders" in ASCII, fits in int8.
const MIGRATION_LOCK_KEY = 0x6f7264657273;

/** The problem codes with an index of their own since step 3 (frozen: see step 3). */
export const PROBLEM_CODE_INDEXES_V3 = [
  'required',
  'type',
  'not_integer',
  'too_short',
  'too_long',
  'too_small',
  'too_big',
  'format',
  'nul_char',
  'invalid_unicode',
  'unsafe_integer',
  'forbidden_key',
  'too_deep',
  'syntax',
  'invalid',
  'too_many_problems',
] as const;

const STEPS: { version: number; statements: string[] }[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE IF NOT EXISTS orders (
        -- assigned once per order_uid by PostgreSQL; an update never changes it
        id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        order_uid      text        NOT NULL UNIQUE,
        -- the order as JSONB (queryable); key order is PostgreSQL's, so it is NOT what we serve
        data           jsonb       NOT NULL,
        -- the canonical served bytes (model.canonicalJson) and their ETag, stored so a restore or
        -- a read-through serves exactly the bytes served before a restart, without re-encoding
        body           text        NOT NULL,
        etag           text        NOT NULL,
        date_created   timestamptz,
        -- the Kafka coordinates of the stored version: the version order (see orders-repo.ts)
        src_partition  integer     NOT NULL,
        src_offset     bigint      NOT NULL,
        src_timestamp  timestamptz,
        version        integer     NOT NULL DEFAULT 1,
        ingested_at    timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`,
      // Rows (~3 KB with data + body) stay inline and uncompressed: pglz compression of every
      // row cost ~40 % of upsert throughput in bench/ingest.bench.ts; the disk cost is ~1.4x.
      `ALTER TABLE orders
        ALTER COLUMN data SET STORAGE MAIN,
        ALTER COLUMN body SET STORAGE MAIN,
        SET (toast_tuple_target = 8160)`,
    ],
  },
  {
    // Exactly-once state: the consumer's position and its dead letters live in the same
    // transactions as the orders (pipeline.ts), so a restart resumes from what PostgreSQL holds.
    version: 2,
    statements: [
      `CREATE TABLE IF NOT EXISTS consumer_offsets (
        group_id     text        NOT NULL,
        topic        text        NOT NULL,
        partition    integer     NOT NULL,
        -- the next offset to read: everything below it is in orders or dead_letters
        next_offset  bigint      NOT NULL,
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, topic, partition)
      )`,
      `CREATE TABLE IF NOT EXISTS dead_letters (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        src_topic       text        NOT NULL,
        src_partition   integer     NOT NULL,
        src_offset      bigint      NOT NULL,
        src_timestamp   timestamptz,
        reason          text        NOT NULL,
        -- [{ path, code, message }] as the DLQ's x-dlq-problems header
        problems        jsonb       NOT NULL,
        -- the order_uid when it could be read from the message, for search
        uid             text,
        key             bytea,
        -- the original value, cut at the ledger's cap (value_size and value_sha256 then say what it was)
        value           bytea,
        value_size      integer,
        value_truncated boolean     NOT NULL DEFAULT false,
        value_sha256    text,
        -- the source message's headers: [{ name, value }] with value as base64
        headers         jsonb       NOT NULL DEFAULT '[]',
        stored_at       timestamptz NOT NULL DEFAULT now(),
        -- outbox: set once the letter is on the dead-letter topic
        published_at    timestamptz,
        UNIQUE (src_topic, src_partition, src_offset)
      )`,
      `CREATE INDEX IF NOT EXISTS dead_letters_unpublished
        ON dead_letters (id) WHERE published_at IS NULL`,
    ],
  },
  {
    // The admin API's reads of the ledger (dead-letter-reads.ts): pages newest first by
    // (stored_at, id) with a keyset, alone or under a filter. Each filter has an index that yields
    // its rows already in page order, so a page, first or deep, reads about `limit` rows whatever
    // the ledger holds; EXPLAIN on 1,000,000 letters in apps/ingest/README.md "Reading dead
    // letters". Letters are a small share of the traffic: the extra index entries per letter cost
    // the batches nothing measurable.
    version: 3,
    statements: [
      // A letter's problem codes as text[] (sorted, distinct), for the code filter and the
      // summary. It never fails, whatever `problems` holds: it is computed by every insert into
      // the ledger, and an error would fail the batch.
      `CREATE OR REPLACE FUNCTION dead_letter_problem_codes(problems jsonb) RETURNS text[]
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN ARRAY(
          SELECT DISTINCT e ->> 'code'
          FROM jsonb_array_elements(
            CASE WHEN jsonb_typeof(problems) = 'array' THEN problems ELSE '[]' END) AS e
          WHERE jsonb_typeof(e -> 'code') = 'string'
          ORDER BY 1)`,
      `ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS problem_codes text[]
        GENERATED ALWAYS AS (dead_letter_problem_codes(problems)) STORED`,
      // no filter, since/until: the keyset itself, scanned backwards (newest first)
      'CREATE INDEX IF NOT EXISTS dead_letters_stored ON dead_letters (stored_at, id)',
      // reason=: its letters in page order. The codes ride along (INCLUDE), so the summary's
      // counts by reason and by code are one index-only scan, not a pass over the values.
      `CREATE INDEX IF NOT EXISTS dead_letters_reason ON dead_letters (reason, stored_at, id)
        INCLUDE (problem_codes)`,
      `CREATE INDEX IF NOT EXISTS dead_letters_uid ON dead_letters (uid, stored_at, id)
        WHERE uid IS NOT NULL`,
      `CREATE INDEX IF NOT EXISTS dead_letters_partition
        ON dead_letters (src_partition, stored_at, id)`,
      // problem=: one small partial index per code, in page order. A GIN on the codes answers
      // "which letters" but not "the newest 20": for a common code PostgreSQL then walks the
      // keyset index filtering, and for a code no letter has, that walk reads the whole ledger
      // (the planner cannot know the code is absent: 1.5 s at 1,000,000 letters). Per-code
      // indexes are exact either way. The codes as of this step: a code the model adds later
      // needs its index in a new step (migrations.test.ts fails until it has one).
      ...PROBLEM_CODE_INDEXES_V3.map(
        (code) =>
          `CREATE INDEX IF NOT EXISTS dead_letters_code_${code} ON dead_letters (stored_at, id)
            WHERE problem_codes @> '{${code}}'`,
      ),
    ],
  },
  {
    // Redrive (src/redrive/): runs that send letters back to the orders topic, and per (run,
    // letter) what was sent and what ingest made of it — written by the consuming batch's
    // transaction. A letter that a redrive produced (a redriven message that failed again) names
    // the letter and run it came from.
    version: 4,
    statements: [
      `CREATE TABLE IF NOT EXISTS redrive_runs (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind          text        NOT NULL,  -- ids | filter | edit
        dry_run       boolean     NOT NULL,
        state         text        NOT NULL,  -- running | done | cancelled
        -- the audit record: who (the admin token's name), when, what was asked
        created_by    text        NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        request       jsonb       NOT NULL,
        rate          integer     NOT NULL,
        matched       integer     NOT NULL,
        would_pass    integer     NOT NULL,
        -- skipped at creation, by reason (a dry run keeps no letter rows)
        skipped       jsonb       NOT NULL DEFAULT '{}',
        events        jsonb       NOT NULL DEFAULT '[]',
        -- the Kafka transactional id of the run's sends: claiming it fences an earlier sender
        txn_id        text        NOT NULL,
        -- the lease: which ingest instance sends the run's letters, until when
        owner         text,
        lease_until   timestamptz,
        -- per orders-topic partition, an offset at or below every record of the chunk in flight
        scan_from     jsonb       NOT NULL DEFAULT '{}',
        started_at    timestamptz,
        finished_at   timestamptz
      )`,
      `CREATE INDEX IF NOT EXISTS redrive_runs_running ON redrive_runs (id)
        WHERE state = 'running'`,
      `CREATE TABLE IF NOT EXISTS redrive_letters (
        run_id            bigint      NOT NULL REFERENCES redrive_runs (id),
        letter_id         bigint      NOT NULL REFERENCES dead_letters (id),
        state             text        NOT NULL,  -- pending | sending | sent | skipped | failed
        -- skipped: invalid | already_redriven | truncated; failed: the refusal
        reason            text,
        problems          jsonb,
        -- edit and redrive: the corrected value, sent instead of the letter's
        value             bytea,
        sent_at           timestamptz,
        sent_partition    integer,
        sent_offset       bigint,
        -- what ingest made of it: stored | superseded | dead_lettered (then the new letter)
        outcome           text,
        outcome_letter_id bigint REFERENCES dead_letters (id),
        outcome_at        timestamptz,
        PRIMARY KEY (run_id, letter_id)
      )`,
      'CREATE INDEX IF NOT EXISTS redrive_letters_letter ON redrive_letters (letter_id)',
      `CREATE INDEX IF NOT EXISTS redrive_letters_todo ON redrive_letters (run_id, letter_id)
        WHERE state IN ('pending', 'sending')`,
      // the link of a letter that a redrive produced; NULL for every other (the batches' inserts
      // leave it out: no foreign-key check on the hot path)
      `ALTER TABLE dead_letters
        ADD COLUMN IF NOT EXISTS redrive_of bigint REFERENCES dead_letters (id),
        ADD COLUMN IF NOT EXISTS redrive_run bigint REFERENCES redrive_runs (id)`,
      `CREATE INDEX IF NOT EXISTS dead_letters_redrive_of ON dead_letters (redrive_of)
        WHERE redrive_of IS NOT NULL`,
    ],
  },
  {
    // Search by track number and customer (order-search.ts): plain columns the upsert writes with
    // the order. Adding a nullable column without a default changes the catalog only (no rewrite),
    // so the ACCESS EXCLUSIVE lock is held for milliseconds; lock_timeout keeps a start from
    // queueing every upsert behind it when a long transaction holds the table (migrate is retried).
    // The indexes and the fill of existing rows are search-fill.ts, after start: CREATE INDEX
    // CONCURRENTLY cannot run in this transaction, and a plain one would block upserts for the
    // whole build. `orders_search_fill` is its resumable position; rows above `upper_id` were
    // written by the new upsert.
    version: 5,
    statements: [
      "SET LOCAL lock_timeout = '5s'",
      `ALTER TABLE orders
        ADD COLUMN IF NOT EXISTS track_number text,
        ADD COLUMN IF NOT EXISTS customer_id text`,
      `CREATE TABLE IF NOT EXISTS orders_search_fill (
        single     boolean PRIMARY KEY DEFAULT true CHECK (single),
        next_id    bigint      NOT NULL,
        upper_id   bigint      NOT NULL,
        done_at    timestamptz
      )`,
      `INSERT INTO orders_search_fill (next_id, upper_id)
        SELECT 1, coalesce(max(id), 0) FROM orders
        ON CONFLICT DO NOTHING`,
      // A fresh install has nothing to fill: its indexes are built here, in milliseconds, so no
      // concurrent build runs at its first start (one waits for every open transaction on the
      // table, and deadlocks with a DDL statement that comes meanwhile).
      `DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM orders) THEN
          ${SEARCH_INDEXES.map((i) => `CREATE INDEX IF NOT EXISTS ${i.name} ${i.definition};`).join('\n          ')}
          UPDATE orders_search_fill SET done_at = now();
        END IF;
      END $$`,
    ],
  },
];

export const SCHEMA_VERSION = STEPS.length;

/** Applies the steps not yet applied, up to `upTo` (default: all; tests build older schemas). */
export async function migrate(
  db: Db,
  opts: { upTo?: number } = {},
): Promise<{ applied: number[] }> {
  const upTo = opts.upTo ?? SCHEMA_VERSION;
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(`CREATE TABLE IF NOT EXISTS orders_schema (
      version    integer PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ v: number | null }>(
      'SELECT max(version) AS v FROM orders_schema',
    );
    const current = rows[0]?.v ?? 0;
    const applied: number[] = [];
    for (const step of STEPS) {
      if (step.version <= current || step.version > upTo) continue;
      for (const sql of step.statements) await tx.query(sql);
      await tx.query('INSERT INTO orders_schema (version) VALUES ($1)', [step.version]);
      applied.push(step.version);
    }
    return { applied };
  });
}
