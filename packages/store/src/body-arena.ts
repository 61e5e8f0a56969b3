/** Default chunk size: per-chunk costs vanish, and a chunk is a small unit of waste. */
export const DEFAULT_CHUNK_BYTES = 256 * 1024;

/** Compaction empties chunks whose live bytes fall below this share of the chunk. */
const SPARSE_SHARE = 0.75;
/** Never compact for less than this many chunks of dead bytes (small stores never compact). */
const SLACK_CHUNKS = 4;

export type BodyArena = {
  /** A copy of `body` that the arena accounts as live until `release`. */
  copy(body: Buffer): Buffer;
  /** The store no longer holds `body` (a value returned by `copy`). */
  release(body: Buffer): void;
  /** Dead bytes in chunks exceed the live bytes (plus slack): time to compact. */
  needsCompaction(): boolean;
  /** `body` sits in a full chunk that is mostly dead: compaction should copy it out. */
  inSparseChunk(body: Buffer): boolean;
  /** Bytes of the buffers the arena keeps alive: whole chunks plus own-buffer bodies. */
  heldBytes(): number;
};

/**
 * Where the store keeps order bodies. Small bodies are copied side by side into large chunks instead
 * of one ArrayBuffer each: an ArrayBuffer costs ~200 B of V8/C++ bookkeeping plus a malloc block,
 * which adds up to ~0.4× RSS on 1–2 KB orders, and many small external allocations make GC run more
 * often. Chunks are append-only and never reused, so a body handed to a caller (a response in flight)
 * stays valid forever. A chunk is freed by GC once none of its bodies is referenced; since the store
 * evicts oldest-first, neighbours in a chunk usually go together. Replacements and expiry can leave
 * chunks mostly dead; `needsCompaction`/`inSparseChunk` let the store copy the survivors out, which
 * keeps heldBytes ≤ 2 × live bytes + 4 chunks at all times.
 *
 * Bodies larger than chunkBytes / 8 (and empty ones) get their own buffer, so a chunk never wastes
 * more than 1/8 at its tail; such a body is kept as is when it already owns its whole ArrayBuffer.
 */
export function createBodyArena(chunkBytes = DEFAULT_CHUNK_BYTES): BodyArena {
  const maxChunked = Math.floor(chunkBytes / 8);
  // Live bytes per chunk; a chunk leaves the map when its last live body is released.
  const liveByChunk = new Map<ArrayBufferLike, number>();
  let current: Buffer | undefined;
  let offset = 0;
  let chunkLive = 0;
  let ownBufferBytes = 0;

  return {
    copy(body) {
      const n = body.byteLength;
      if (n === 0 || n > maxChunked) {
        ownBufferBytes += n;
        if (body.byteOffset === 0 && body.buffer.byteLength === n) return body;
        const own = Buffer.allocUnsafeSlow(n);
        body.copy(own);
        return own;
      }
      if (current === undefined || offset + n > chunkBytes) {
        // release() keeps the current chunk even when empty; once replaced, an empty one goes.
        if (current !== undefined && liveByChunk.get(current.buffer) === 0) {
          liveByChunk.delete(current.buffer);
        }
        current = Buffer.allocUnsafeSlow(chunkBytes);
        offset = 0;
        liveByChunk.set(current.buffer, 0);
      }
      body.copy(current, offset);
      const view = current.subarray(offset, offset + n);
      offset += n;
      liveByChunk.set(current.buffer, (liveByChunk.get(current.buffer) ?? 0) + n);
      chunkLive += n;
      return view;
    },

    release(body) {
      const n = body.byteLength;
      const live = liveByChunk.get(body.buffer);
      if (live === undefined) {
        ownBufferBytes -= n;
        return;
      }
      chunkLive -= n;
      if (live === n && body.buffer !== current?.buffer) liveByChunk.delete(body.buffer);
      else liveByChunk.set(body.buffer, live - n);
    },

    needsCompaction() {
      const dead = liveByChunk.size * chunkBytes - chunkLive;
      return dead > chunkLive + SLACK_CHUNKS * chunkBytes;
    },

    inSparseChunk(body) {
      if (body.buffer === current?.buffer) return false;
      const live = liveByChunk.get(body.buffer);
      return live !== undefined && live < SPARSE_SHARE * chunkBytes;
    },

    heldBytes: () => liveByChunk.size * chunkBytes + ownBufferBytes,
  };
}
