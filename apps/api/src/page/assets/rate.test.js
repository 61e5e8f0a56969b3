import { describe, expect, it } from 'vitest';
import { createRateMeter } from './rate.js';

describe('createRateMeter', () => {
  it('needs two samples, then gives the change per second', () => {
    const meter = createRateMeter();
    expect(meter.push(100, 0)).toBeNull();
    expect(meter.push(300, 2000)).toBe(100);
    expect(meter.push(300, 4000)).toBe(0);
    expect(meter.push(350, 4500)).toBe(100);
  });

  it('starts over when the counter goes backwards (a restarted server)', () => {
    const meter = createRateMeter();
    meter.push(1000, 0);
    expect(meter.push(10, 1000)).toBeNull();
    expect(meter.push(30, 2000)).toBe(20);
  });

  it('does not average across a reset', () => {
    const meter = createRateMeter();
    meter.push(0, 0);
    meter.reset();
    expect(meter.push(5000, 60_000)).toBeNull();
    expect(meter.push(5010, 61_000)).toBe(10);
  });
});
