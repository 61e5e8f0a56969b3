import type { ServerOptions } from 'node:http';

/**
 * Options for the `node:http` server that serves the app (pass as `serverOptions` to
 * `@hono/node-server`'s `serve`, or to `http.createServer`).
 *
 * - `headersTimeout` 10 s: a client gets this long to send the request line and headers
 *   (slowloris), instead of Node's 60 s.
 * - `requestTimeout` 30 s: the whole request, body included (Node's default is 300 s).
 * - `keepAliveTimeout` 65 s: idle keep-alive sockets are kept a little longer than common load
 *   balancer idle timeouts (60 s), so the balancer, not us, closes them — no races on reuse.
 *   (Node requires headersTimeout ≤ requestTimeout; keepAliveTimeout is independent.)
 * - `maxHeaderSize`: Node's default (16 KiB) — an order key never needs more.
 * - `connectionsCheckingInterval` 2 s: how often the two timeouts above are enforced.
 */
export const serverOptions = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 65_000,
  connectionsCheckingInterval: 2_000,
} as const satisfies ServerOptions;

/** Node's `server.setTimeout` (socket inactivity) is left at 0: requestTimeout bounds requests. */
