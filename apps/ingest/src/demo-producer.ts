// KAFKA_WRITE_EXAMPLES=1 (the seed's demo mode): the load generator writes example orders to our
// topic. It runs as its own process, the producer CLI with this process's environment (it reads
// the same PRODUCER_* and KAFKA_* settings), so ingest carries neither the generator, faker nor a
// second Kafka client. An image without the producer (ingest's own) says so and goes on.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from './logger.ts';

const PRODUCER_MAIN = fileURLToPath(new URL('../../producer/src/main.ts', import.meta.url));

export type DemoProducer = {
  /** SIGTERM the producer and wait for it (it finishes its in-flight sends) */
  stop(): Promise<void>;
};

export function startDemoProducer(opts: {
  topic: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** the producer CLI's entry point (default: the repository's apps/producer) */
  entry?: string;
}): DemoProducer {
  const entry = opts.entry ?? PRODUCER_MAIN;
  const log = opts.logger;
  if (!existsSync(entry)) {
    log.warn('demo mode: the producer is not part of this install, no example orders written', {
      expected: entry,
      instead: 'run the producer (pnpm --filter producer start, or compose --profile producer)',
    });
    return { stop: async () => {} };
  }
  log.info('demo mode: the producer writes example orders', { topic: opts.topic });
  const child: ChildProcess = spawn(process.execPath, [entry, '--topic', opts.topic], {
    env: opts.env,
    // its progress lines are for a terminal; its summary and errors go to stderr
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGTERM') {
        log.warn('demo producer stopped', { code, signal });
      }
      resolve();
    });
    child.once('error', (err) => {
      log.warn('demo producer did not start', { err: { message: err.message } });
      resolve();
    });
  });
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
