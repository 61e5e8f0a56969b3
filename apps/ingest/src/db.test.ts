// The readiness ping against servers that hang (no PostgreSQL needed): it must answer false within
// its own timeout, not after the pool's 35 s query timeout, and never use the writers' pool.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, type Db } from './db.ts';
import { silentLogger } from './logger.ts';

let server: Server | undefined;
let db: Db | undefined;
const sockets = new Set<Socket>();

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await db?.end().catch(() => {});
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
  db = undefined;
});

/** A TCP server on 127.0.0.1; `onData` sees what the client sends. Resolves to its port. */
async function listen(onData: (socket: Socket, data: Buffer) => void): Promise<number> {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (d) => onData(socket, d));
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return typeof addr === 'object' && addr ? addr.port : 0;
}

function dbAt(port: number): Db {
  return createDb({
    connectionString: `postgres://u:p@127.0.0.1:${port}/d`,
    logger: silentLogger,
    max: 2,
    pingTimeoutMillis: 300,
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

describe('db.ping against a hung server', () => {
  it('answers false within its timeout when the server accepts but never speaks', async () => {
    db = dbAt(await listen(() => {}));
    const { value, ms } = await timed(() => (db as Db).ping());
    expect(value).toBe(false);
    expect(ms).toBeLessThan(3_000);
  });

  it('answers false within its timeout when the server hangs on the query', async () => {
    // just enough of the protocol: AuthenticationOk + ReadyForQuery after the startup message,
    // then silence for every query
    const readyForQuery = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0, 0x5a, 0, 0, 0, 5, 0x49]);
    const queries: string[] = [];
    db = dbAt(
      await listen((socket, data) => {
        if (data[0] === 0x51) queries.push(data.subarray(5).toString('utf8'));
        else if (data.readInt32BE(4) === 196608) socket.write(readyForQuery);
      }),
    );
    const { value, ms } = await timed(() => (db as Db).ping());
    expect(queries[0]).toContain('SELECT 1');
    expect(value).toBe(false);
    expect(ms).toBeLessThan(3_000);
  });
});

describe('db.waitingCount', () => {
  it('counts the queries waiting for a connection of a full pool', async () => {
    db = createDb({
      connectionString: `postgres://u:p@127.0.0.1:${await listen(() => {})}/d`,
      logger: silentLogger,
      max: 2,
      connectionTimeoutMillis: 1_000,
    });
    const d = db;
    expect(d.waitingCount()).toBe(0);
    // two connections hang in their startup, the other three wait for one of them
    const queries = Array.from({ length: 5 }, () => d.query('SELECT 1').catch(() => 'failed'));
    await new Promise((r) => setTimeout(r, 100));
    expect(d.waitingCount()).toBe(3);
    expect(await Promise.all(queries)).toEqual(Array(5).fill('failed'));
    expect(d.waitingCount()).toBe(0);
  });
});
