import { createServer, type Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { createKafkaSink } from './send.ts';

describe('createKafkaSink', () => {
  it('gives up by its deadline when a "broker" accepts connections but never answers', async () => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    // setTimeout faked: the deadline is the timer's arithmetic, not the machine's speed
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let result: Awaited<ReturnType<typeof createKafkaSink>> | undefined;
      const connecting = createKafkaSink({
        brokers: [`127.0.0.1:${address.port}`],
        topic: 'never',
        partitions: 1,
        connectDeadlineMs: 1500,
      }).then((r) => {
        result = r;
      });
      await vi.advanceTimersByTimeAsync(1499);
      expect(result).toBeUndefined(); // still waiting just before the deadline
      await vi.advanceTimersByTimeAsync(1);
      // closing the half-open connections may use timers of its own
      for (let i = 0; i < 1000 && result === undefined; i++) {
        await vi.advanceTimersToNextTimerAsync();
      }
      await connecting;
      expect(result?.ok).toBe(false);
      if (result === undefined || result.ok) return;
      expect(result.error.code).toBe('unreachable');
      // only the deadline's timer writes this message
      expect(result.error.message).toContain('no answer within 1.5 s');
    } finally {
      vi.useRealTimers();
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  it('reports a refused connection as unreachable, in one line', async () => {
    const result = await createKafkaSink({
      brokers: ['127.0.0.1:1'],
      topic: 'never',
      partitions: 1,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('unreachable');
    expect(result.error.message).toMatch(
      /^cannot connect to Kafka at 127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
    expect(result.error.message).not.toContain('\n');
  });
});
