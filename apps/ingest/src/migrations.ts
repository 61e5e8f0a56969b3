// Idempotent schema, applied at start. A transaction-scoped advisory lock serialises concurrent
// starts (two instances booting together must not race on CREATE … IF NOT EXISTS, which is not
// concurrency-safe for the catalog).
import type { Db } from './db.ts';

// Arbitrary constant: "orders" in ASCII, fits in int8.
const MIGRATION_LOCK_KEY = 0x6f7264657273;

export const SCHEMA_VERSION = 1;

const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS orders (
    -- assigned once per order_uid by PostgreSQL; an update never changes it
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_uid      text        NOT NULL UNIQUE,
    -- the order as JSONB (queryable); key order is PostgreSQL's, so it is NOT what we serve
    data           jsonb       NOT NULL,
    -- the canonical served bytes (model.canonicalJson) and their ETag, stored so a restore or a
    -- read-through serves exactly the bytes served before a restart without re-serialising
    body           text        NOT NULL,
    etag           text        NOT NULL,
    date_created   timestamptz,
    -- the Kafka coordinates of the version stored: the version order (see orders-repo.ts)
    src_partition  integer     NOT NULL,
    src_offset     bigint      NOT NULL,
    src_timestamp  timestamptz,
    version        integer     NOT NULL DEFAULT 1,
    ingested_at    timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE IF NOT EXISTS orders_schema (
    version    integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`,
  `INSERT INTO orders_schema (version) VALUES (${SCHEMA_VERSION}) ON CONFLICT DO NOTHING`,
];

export async function migrate(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    for (const sql of STATEMENTS) await tx.query(sql);
  });
}
