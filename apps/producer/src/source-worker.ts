// Generates messages on a worker thread, so that at --rate 0 making orders (~11 µs each) and
// sending them (~7 µs) use two cores instead of taking turns on one. Values travel as UTF-8 bytes
// packed in one transferred ArrayBuffer per batch: no copy, and no encoding left for the sender.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { InvalidKind } from './bad-messages.ts';
import {
  createMessageSource,
  type MessageSourceOptions,
  type OutgoingMessage,
} from './messages.ts';
import type { MessageType } from './stats.ts';

export type BatchSource = {
  /** The next `n` messages, in generation order. Rejects if the generator failed. */
  take(n: number): Promise<OutgoingMessage[]>;
  close(): Promise<void>;
};

type Packed = {
  keys: string[];
  types: MessageType[];
  kinds: (InvalidKind | undefined)[];
  /** Byte length of each value; -1 = null (tombstone). */
  lengths: Int32Array;
  bytes: ArrayBuffer;
};

type Init = { options: MessageSourceOptions; batch: number };

const MAX_PREFETCH = 4;

export function createWorkerSource(options: MessageSourceOptions, batch: number): BatchSource {
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { options, batch } satisfies Init,
  });
  const ready: OutgoingMessage[][] = [];
  let cursor = 0;
  let requested = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;

  const request = () => {
    const buffered = ready.length + requested;
    if (buffered < MAX_PREFETCH) {
      worker.postMessage(MAX_PREFETCH - buffered);
      requested += MAX_PREFETCH - buffered;
    }
  };
  worker.on('message', (packed: Packed) => {
    requested--;
    ready.push(unpack(packed));
    wake?.();
  });
  worker.on('error', (error) => {
    failure = error;
    wake?.();
  });
  worker.on('exit', (code) => {
    failure ??= new Error(`generator thread exited with code ${code}`);
    wake?.();
  });
  request();

  return {
    async take(n) {
      const out: OutgoingMessage[] = [];
      while (out.length < n) {
        const current = ready[0];
        if (!current) {
          if (failure) throw failure;
          request();
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
          continue;
        }
        const count = Math.min(n - out.length, current.length - cursor);
        for (let i = 0; i < count; i++) out.push(current[cursor + i] as OutgoingMessage);
        cursor += count;
        if (cursor === current.length) {
          ready.shift();
          cursor = 0;
        }
      }
      request();
      return out;
    },
    async close() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}

function unpack(packed: Packed): OutgoingMessage[] {
  const all = Buffer.from(packed.bytes);
  const out: OutgoingMessage[] = new Array(packed.keys.length);
  let offset = 0;
  for (let i = 0; i < out.length; i++) {
    const length = packed.lengths[i] as number;
    const value = length < 0 ? null : all.subarray(offset, offset + length);
    if (length > 0) offset += length;
    const kind = packed.kinds[i];
    const message: OutgoingMessage = {
      key: packed.keys[i] as string,
      value,
      type: packed.types[i] as MessageType,
    };
    if (kind) message.kind = kind;
    out[i] = message;
  }
  return out;
}

function pack(messages: OutgoingMessage[]): Packed {
  const lengths = new Int32Array(messages.length);
  let total = 0;
  for (let i = 0; i < messages.length; i++) {
    const value = (messages[i] as OutgoingMessage).value;
    const length =
      value === null ? -1 : typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
    lengths[i] = length;
    if (length > 0) total += length;
  }
  // Its own ArrayBuffer (not Node's shared pool), so that it can be transferred.
  const bytes = new ArrayBuffer(total);
  const view = Buffer.from(bytes);
  let offset = 0;
  for (const { value } of messages) {
    if (value === null) continue;
    offset += typeof value === 'string' ? view.write(value, offset) : value.copy(view, offset);
  }
  return {
    keys: messages.map((m) => m.key),
    types: messages.map((m) => m.type),
    kinds: messages.map((m) => m.kind),
    lengths,
    bytes,
  };
}

if (!isMainThread && parentPort) {
  const { options, batch } = workerData as Init;
  const source = createMessageSource(options);
  const port = parentPort;
  port.on('message', (batches: number) => {
    for (let b = 0; b < batches; b++) {
      const messages: OutgoingMessage[] = new Array(batch);
      for (let i = 0; i < batch; i++) messages[i] = source.next();
      const packed = pack(messages);
      port.postMessage(packed, [packed.bytes]);
    }
  });
}
