// Idempotent, versioned schema, applied at start. A transaction-scoped advisory lock serialises
// concurrent starts (two instances booting together must not race on CREATE … IF NOT EXISTS, which
// is not concurrency-safe for the catalog), and `orders_schema` records which steps ran, so a
// restart does not take ALTER TABLE locks again.
import type { Db } from './db.ts';

// Arbitrary constant: "orders" in ASCII, fits in int8.
const MIGRATION_LOCK_KEY = 0x6f7264657273;

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
