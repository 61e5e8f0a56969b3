import type { ServerOptions } from 'node:http';

/**
 * The three timeouts the composition root passes (ingest: SERVER_HEADERS_TIMEOUT_MS,
 * SERVER_REQUEST_TIMEOUT_MS, SERVER_KEEP_ALIVE_TIMEOUT_MS from @orders/config, whose README says
 * why their defaults are what they are). `Config['server']` has this shape.
 */
export type ServerTimeouts = {
  /** a client gets this long to send the request line and headers (slowloris; Node: 60 s) */
  headersTimeoutMs: number;
  /** the whole request, body included (Node: 300 s); Node requires it ≥ headersTimeoutMs */
  requestTimeoutMs: number;
  /** idle keep-alive sockets; above common load-balancer idle timeouts (60 s), so they close first */
  keepAliveTimeoutMs: number;
};

/**
 * Options for the `node:http` server that serves the app (pass as `serverOptions` to
 * `@hono/node-server`'s `serve`, or to `http.createServer`): the given timeouts, plus
 *
 * - `connectionsCheckingInterval` 2 s: how often headersTimeout and requestTimeout are enforced
 *   (Node: 30 s, which would let a slow client hold a socket well past its deadline).
 * - `maxHeaderSize`: Node's default (16 KiB) — an order key never needs more.
 */
export function serverOptions(timeouts: ServerTimeouts) {
  return {
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    connectionsCheckingInterval: 2_000,
  } as const satisfies ServerOptions;
}

/** Node's `server.setTimeout` (socket inactivity) is left at 0: requestTimeout bounds requests. */
