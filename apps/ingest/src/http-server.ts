// The HTTP listener for the API app, with Node's slow-client protections set (headersTimeout and
// requestTimeout against slowloris, from the configuration) and a close that also drops idle
// keep-alive sockets so shutdown is not held open by a browser tab.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { serverOptions } from '@orders/api';

export type HttpServer = { port: number; close(deadlineMs: number): Promise<void> };

export type HttpServerOptions = {
  fetch: (request: Request) => Response | Promise<Response>;
  host: string;
  port: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
};

export function startHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: opts.fetch,
        hostname: opts.host,
        port: opts.port,
        // the api's options with the configured timeouts
        serverOptions: serverOptions(opts),
      },
      (info) => {
        resolve({ port: (info as AddressInfo).port, close });
      },
    );
    const node = server as unknown as import('node:http').Server;
    node.once('error', reject);

    function close(deadlineMs: number): Promise<void> {
      return new Promise((done) => {
        const timer = setTimeout(() => {
          node.closeAllConnections();
          done();
        }, deadlineMs);
        timer.unref();
        node.close(() => {
          clearTimeout(timer);
          done();
        });
        node.closeIdleConnections();
      });
    }
  });
}
