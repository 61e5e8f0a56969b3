// The load side of the dead-letter reads bench, in a worker thread so that the clients' work does
// not share the server's event loop: `concurrency` requests in flight over `paths` (round robin)
// until `count` are answered; posts each latency (ms) and every status that was not 200.
import { parentPort, workerData } from 'node:worker_threads';

type Job = {
  base: string;
  paths: string[];
  headers: Record<string, string>;
  count: number;
  concurrency: number;
};

const job = workerData as Job;
const latencies: number[] = [];
const failures: Record<string, number> = {};
let next = 0;

async function client(): Promise<void> {
  while (next < job.count) {
    const path = job.paths[next++ % job.paths.length] ?? '/';
    const started = performance.now();
    const res = await fetch(`${job.base}${path}`, { headers: job.headers });
    await res.arrayBuffer();
    latencies.push(performance.now() - started);
    if (res.status !== 200) failures[res.status] = (failures[res.status] ?? 0) + 1;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: job.concurrency }, client));
parentPort?.postMessage({ latencies, failures, ms: performance.now() - started });
