import { describe, expect, it } from 'vitest';
import { createBodyArena } from './body-arena.ts';

const CHUNK = 1024; // bodies up to 128 bytes are packed into chunks

function bytes(n: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) % 256));
}

describe('copy', () => {
  it('returns an independent copy with the same bytes', () => {
    const arena = createBodyArena(CHUNK);
    const source = bytes(100, 1);
    const kept = arena.copy(source);
    source.fill(0);
    expect(kept.equals(bytes(100, 1))).toBe(true);
  });

  it('packs small bodies side by side into one chunk', () => {
    const arena = createBodyArena(CHUNK);
    const a = arena.copy(bytes(100, 1));
    const b = arena.copy(bytes(50, 2));
    expect(b.buffer).toBe(a.buffer);
    expect(a.buffer.byteLength).toBe(CHUNK);
    expect(b.byteOffset).toBe(100);
    expect(arena.heldBytes()).toBe(CHUNK);
  });

  it('starts a new chunk when the body does not fit, never overwriting handed-out bodies', () => {
    const arena = createBodyArena(CHUNK);
    const kept = Array.from({ length: 20 }, (_, i) => arena.copy(bytes(120, i)));
    expect(new Set(kept.map((k) => k.buffer)).size).toBe(3); // 8 bodies of 120 fit in 1024
    kept.forEach((k, i) => {
      expect(k.equals(bytes(120, i))).toBe(true);
    });
    expect(arena.heldBytes()).toBe(3 * CHUNK);
  });

  it('gives large and empty bodies their own buffer, keeping one that already owns it', () => {
    const arena = createBodyArena(CHUNK);
    const owned = Buffer.allocUnsafeSlow(200).fill(7);
    expect(arena.copy(owned)).toBe(owned);

    const pooled = bytes(300, 3).subarray(10, 210);
    const copied = arena.copy(pooled);
    expect(copied.equals(pooled)).toBe(true);
    expect(copied.buffer.byteLength).toBe(200);

    expect(arena.copy(Buffer.alloc(0)).byteLength).toBe(0);
    expect(arena.heldBytes()).toBe(400);
  });
});

describe('release and heldBytes', () => {
  it('stops holding a chunk once all its bodies are released, but keeps the current one', () => {
    const arena = createBodyArena(CHUNK);
    const first = Array.from({ length: 8 }, (_, i) => arena.copy(bytes(120, i)));
    const second = arena.copy(bytes(120, 9)); // opens chunk 2, the current one
    expect(arena.heldBytes()).toBe(2 * CHUNK);

    for (const b of first.slice(0, 7)) arena.release(b);
    expect(arena.heldBytes()).toBe(2 * CHUNK);
    arena.release(first[7] ?? Buffer.alloc(0));
    expect(arena.heldBytes()).toBe(CHUNK);
    arena.release(second);
    expect(arena.heldBytes()).toBe(CHUNK);
  });

  it('lets go of the current chunk emptied by releases once a new chunk is opened', () => {
    const arena = createBodyArena(CHUNK);
    const dead = Array.from({ length: 8 }, (_, i) => arena.copy(bytes(120, i)));
    for (const b of dead) arena.release(b);
    expect(arena.heldBytes()).toBe(CHUNK);
    arena.copy(bytes(100, 9)); // does not fit after the 960 dead bytes
    expect(arena.heldBytes()).toBe(CHUNK);
  });

  it('accounts own-buffer bodies by their length', () => {
    const arena = createBodyArena(CHUNK);
    const big = arena.copy(bytes(500, 1));
    expect(arena.heldBytes()).toBe(500);
    arena.release(big);
    expect(arena.heldBytes()).toBe(0);
  });
});

describe('compaction signals', () => {
  it('never asks for compaction when bodies are released oldest first', () => {
    const arena = createBodyArena(CHUNK);
    const live: Buffer[] = [];
    for (let i = 0; i < 5000; i++) {
      live.push(arena.copy(bytes(1 + (i % 120), i)));
      if (live.length > 200) arena.release(live.shift() ?? Buffer.alloc(0));
      expect(arena.needsCompaction()).toBe(false);
    }
  });

  it('asks once dead bytes exceed live bytes plus slack, and points at the sparse chunks', () => {
    const arena = createBodyArena(CHUNK);
    const kept = Array.from({ length: 80 }, (_, i) => arena.copy(bytes(128, i))); // 10 full chunks
    const current = arena.copy(bytes(128, 80)); // chunk 11, current
    // Release 7 of every 8: each full chunk keeps 128 live bytes out of 1024.
    kept.forEach((b, i) => {
      if (i % 8 !== 0) arena.release(b);
    });
    expect(arena.needsCompaction()).toBe(true);
    expect(arena.inSparseChunk(kept[0] ?? current)).toBe(true);
    expect(arena.inSparseChunk(current)).toBe(false);
  });

  it('does not ask while the dead bytes are within the slack', () => {
    const arena = createBodyArena(CHUNK);
    const kept = Array.from({ length: 40 }, (_, i) => arena.copy(bytes(128, i))); // 5 full chunks
    kept.forEach((b, i) => {
      if (i % 2 === 0) arena.release(b);
    });
    expect(arena.needsCompaction()).toBe(false);
    expect(arena.inSparseChunk(kept[1] ?? Buffer.alloc(0))).toBe(true);
  });
});
