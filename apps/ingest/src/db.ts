// The only module that imports `pg`. A pool 'error'
// listener (an idle client's backend dying must not crash the process), a per-client listener while
// checked out, release(err) so a broken client is destroyed, timeouts everywhere, keepAlive, and an
// application_name that fault tests can target with pg_terminate_backend.
import pg from 'pg';
import type { Logger } from './logger.ts';

export type QueryResultRow = Record<string, unknown>;

export type Queryable = {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
};

export type Db = Queryable & {
  /** BEGIN … COMMIT on ONE client; ROLLBACK and release(err) on any failure. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Run fn with one checked-out client (e.g. for session-level advisory locks or cursors). */
  withClient<T>(fn: (client: Queryable) => Promise<T>): Promise<T>;
  /**
   * true when `SELECT 1` answers within pingTimeoutMillis (connecting included), on a connection
   * of its own: a ping never waits behind, nor takes a slot from, the pool's batch writers.
   */
  ping(): Promise<boolean>;
  end(): Promise<void>;
  /** queries waiting for a free connection now (pg.Pool's waitingCount) */
  waitingCount(): number;
  readonly applicationName: string;
};

export type DbOptions = {
  connectionString: string;
  /** default 'orders-ingest' */
  applicationName?: string;
  /** pool size (DB_POOL_MAX); must cover partitionsConsumedConcurrently + HTTP read-through */
  max: number;
  connectionTimeoutMillis?: number;
  /** server-side statement_timeout and client-side query_timeout */
  statementTimeoutMillis?: number;
  idleTimeoutMillis?: number;
  /** the readiness ping's own connect + query timeout (default 1,500 ms) */
  pingTimeoutMillis?: number;
  logger: Logger;
};

// int8 (bigint) comes back as a string by default; ids here stay far below 2^53, and the API wants
// numbers. Parse per pool (not the global registry) so other code using pg is unaffected.
const INT8_OID = 20;
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (v: string) => Number(v);
    // biome-ignore lint/suspicious/noExplicitAny: pg's overloads do not accept a union format
    return pg.types.getTypeParser(oid, format as any);
  },
};

export function createDb(options: DbOptions): Db {
  const applicationName = options.applicationName ?? 'orders-ingest';
  const statementTimeout = options.statementTimeoutMillis ?? 30_000;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    application_name: applicationName,
    max: options.max,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
    statement_timeout: statementTimeout,
    // the client-side timeout fires even when the server is unreachable (statement_timeout cannot)
    query_timeout: statementTimeout + 5_000,
    keepAlive: true,
    types: typeParsers,
  });
  const log = options.logger;

  // An idle client whose backend dies emits here; without a listener Node would crash.
  pool.on('error', (err) => {
    log.warn('postgres idle client error', { err: { message: err.message } });
  });

  // Readiness pings every 2 s: one connection of their own with short timeouts, so a hung server
  // answers "no" within the timeout instead of holding writers' connections for query_timeout.
  const pingTimeout = options.pingTimeoutMillis ?? 1_500;
  let pingPool: pg.Pool | undefined;
  let ended = false;
  const pingPoolOf = (): pg.Pool => {
    if (pingPool) return pingPool;
    if (ended) throw new Error('pool ended');
    pingPool = new pg.Pool({
      connectionString: options.connectionString,
      application_name: applicationName,
      max: 1,
      connectionTimeoutMillis: pingTimeout,
      idleTimeoutMillis: 30_000,
      statement_timeout: pingTimeout,
      query_timeout: pingTimeout,
      keepAlive: true,
    });
    pingPool.on('error', () => {}); // the next ping reports it
    return pingPool;
  };

  async function withClient<T>(fn: (client: Queryable) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let clientError: Error | undefined;
    // While checked out, the pool's idle listener is detached: errors would be unhandled.
    const onError = (err: Error) => {
      clientError = err;
    };
    client.on('error', onError);
    try {
      const result = await fn(client as unknown as Queryable);
      if (clientError) throw clientError;
      client.off('error', onError);
      client.release();
      return result;
    } catch (err) {
      client.off('error', onError);
      // destroy rather than reuse a client that failed mid-flight
      client.release(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }

  async function transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    });
  }

  return {
    applicationName,
    query: (text, values) => pool.query(text, values) as never,
    transaction,
    withClient,
    waitingCount: () => pool.waitingCount,
    async ping() {
      try {
        await pingPoolOf().query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async end() {
      ended = true;
      await Promise.all([pool.end(), pingPool?.end()]);
    },
  };
}
