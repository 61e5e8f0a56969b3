import { describe, expect, it } from 'vitest';
import { readiness } from './readiness.ts';

const ok = {
  restored: true,
  joined: true,
  postgresOk: true,
  degraded: false,
  failingPartitions: [],
};

describe('readiness', () => {
  it('ready with no reason when everything holds', () => {
    expect(readiness(ok)).toEqual({ ready: true, reasons: [] });
  });

  it('every reason at once, the paused partitions named', () => {
    const r = readiness({
      restored: false,
      joined: false,
      postgresOk: false,
      degraded: true,
      failingPartitions: ['orders/0', 'orders/2'],
    });
    expect(r.ready).toBe(false);
    expect(r.reasons).toEqual([
      'memory not restored yet',
      'consumer has not joined its group',
      'postgres not answering',
      'consumption paused on orders/0, orders/2: a sink is failing, batches retrying with backoff',
    ]);
  });
});
