// A server process for bench/http.bench.ts: `node bench/server.ts <bare|hono> <orders> [router]`.
// It fills memory with the benchmark's orders, listens on a free port of 127.0.0.1 and reports the
// port over IPC. `bare` is the ceiling: node:http answering the same bytes and headers from a Map.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { defaultConfig } from '@orders/config';
import { createOrderStore, type StoredOrder } from '@orders/store';
import { LinearRouter } from 'hono/router/linear-router';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';
import { createApiMetrics, createApp, serverOptions } from '../src/index.ts';
import { benchOrders, benchUids } from './fixtures.ts';

const [kind = 'hono', countText = '100000', router = 'regexp'] = process.argv.slice(2);
const orders = benchOrders(benchUids(Number(countText)));
// both servers with the timeouts ingest serves with by default
const options = serverOptions(defaultConfig().server);

function listenBare(): Promise<number> {
  const byUid = new Map<string, StoredOrder>();
  const byId = new Map<number, StoredOrder>();
  for (const order of orders) {
    byUid.set(order.uid, order);
    byId.set(order.id, order);
  }
  const send = (res: ServerResponse, order: StoredOrder | undefined) => {
    if (order === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      etag: order.etag,
      'cache-control': 'no-cache',
      'x-order-id': String(order.id),
      'x-content-type-options': 'nosniff',
      'content-length': order.body.byteLength,
    });
    res.end(order.body);
  };
  const server = createServer(options, (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (url.startsWith('/orders?id=')) send(res, byId.get(Number(url.slice(11))));
    else if (url.startsWith('/orders?uid=')) send(res, byUid.get(url.slice(12)));
    else if (url.startsWith('/orders/')) send(res, byUid.get(url.slice(8)));
    else send(res, undefined);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function listenHono(): Promise<number> {
  const store = createOrderStore({
    maxOrders: orders.length,
    maxBytes: Number.POSITIVE_INFINITY,
    maxAgeMs: Number.POSITIVE_INFINITY,
  });
  for (const order of orders) store.put(order);
  const routers = {
    regexp: undefined,
    smart: () => new SmartRouter({ routers: [new RegExpRouter(), new TrieRouter()] }),
    linear: () => new LinearRouter(),
    trie: () => new TrieRouter(),
  } as const;
  const app = createApp(
    {
      store,
      reader: {
        getByUids: async () => [],
        getByIds: async () => [],
        recent: async () => [],
      },
      readiness: () => ({ ready: true, reasons: [] }),
      metrics: createApiMetrics(),
      getOrderById: true,
    },
    { router: routers[router as keyof typeof routers] },
  );
  return new Promise((resolve) => {
    serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0, serverOptions: options }, (info) =>
      resolve(info.port),
    );
  });
}

const port = await (kind === 'bare' ? listenBare() : listenHono());
// Exit through process.exit so `node --cpu-prof bench/server.ts …` writes its profile.
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
// The bench asks for this process's CPU time around each window: CPU per request is a figure the
// shared machine's load barely moves, unlike req/s.
process.on('message', (message) => {
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});
if (process.send) process.send({ port });
else process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
