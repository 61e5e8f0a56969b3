// The demo prints the alert page's URL: the React UI's /alerts upstream, /classic/alerts on
// Debian's build (which has no React UI and answers /alerts with 404).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { alertsPage } from './prometheus.ts';

async function serving(paths: string[]): Promise<string> {
  const server = createServer((req, res) => {
    res.writeHead(paths.includes(req.url ?? '') ? 200 : 404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('alertsPage', () => {
  it('is /alerts where the React UI serves it', async () => {
    const url = await serving(['/alerts', '/classic/alerts']);
    expect(await alertsPage(url)).toBe(`${url}alerts`);
  });

  it("is /classic/alerts on Debian's build", async () => {
    const url = await serving(['/classic/alerts']);
    expect(await alertsPage(url)).toBe(`${url}classic/alerts`);
  });

  it('is /alerts when neither answers (nothing better to print)', async () => {
    const url = await serving([]);
    expect(await alertsPage(url)).toBe(`${url}alerts`);
  });
});
