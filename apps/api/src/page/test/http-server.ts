import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { defaultConfig } from '@orders/config';
import type { Hono } from 'hono';
import { serverOptions } from '../../server-options.ts';

export type TestServer = { url: string; close(): Promise<void> };

/**
 * Serves the app over real HTTP on 127.0.0.1 and a free port, the way the ingest process does
 * (@hono/node-server with the API's server options), for the browser tests.
 */
export async function startTestServer(app: Hono): Promise<TestServer> {
  let server: Server | undefined;
  const port = await new Promise<number>((resolve) => {
    server = serve(
      {
        fetch: app.fetch,
        port: 0,
        hostname: '127.0.0.1',
        serverOptions: serverOptions(defaultConfig().server),
      },
      (info: AddressInfo) => resolve(info.port),
    ) as Server;
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server?.closeAllConnections();
        server?.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
