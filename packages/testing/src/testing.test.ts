import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, mulberry32, seededRandom, waitFor } from './index.ts';

describe('mulberry32 and seededRandom', () => {
  it('give the sequences the copies they replace gave (recorded seeds replay)', () => {
    const ints = mulberry32(1);
    expect([ints(), ints(), ints()]).toEqual([2693262067, 11749833, 2265367787]);
    const floats = seededRandom(42);
    expect([floats(), floats(), floats()]).toEqual([
      0.6011037519201636, 0.44829055899754167, 0.8524657934904099,
    ]);
  });

  it('are the same for a seed and its low 32 bits, and stay in range', () => {
    const a = seededRandom(7);
    const b = seededRandom(7 + 2 ** 32);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(b()).toBe(x);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});

describe('waitFor', () => {
  it('resolves with the first value that is neither undefined nor false', async () => {
    const answers = [undefined, false, 'ready'];
    let calls = 0;
    const value = await waitFor(() => answers[calls++], {
      timeoutMs: 1000,
      intervalMs: 1,
      what: 'x',
    });
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('times out naming what it waited for', async () => {
    await expect(
      waitFor(() => false, { timeoutMs: 30, intervalMs: 5, what: 'the broker' }),
    ).rejects.toThrow('timed out after 30 ms waiting for the broker');
  });

  it('rejects at once when the check throws', async () => {
    let calls = 0;
    const check = () => {
      calls++;
      throw new Error('the process exited');
    };
    await expect(waitFor(check, { timeoutMs: 10_000, what: 'x' })).rejects.toThrow('exited');
    expect(calls).toBe(1);
  });
});

describe('freePort', () => {
  it('gives a port a server can listen on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
