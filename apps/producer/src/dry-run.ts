import type { OutgoingMessage } from './messages.ts';
import type { Sink } from './send.ts';

export type LineStream = {
  write(chunk: string): boolean;
  once(event: 'drain' | 'close' | 'error', listener: () => void): unknown;
  off(event: 'drain' | 'close' | 'error', listener: () => void): unknown;
};

/**
 * One JSON line per message, in send order:
 *   {"key":"<order_uid>","value":"<the exact text sent>"}
 *   {"key":"<order_uid>","value":null}                   a tombstone (null value)
 *   {"key":"<order_uid>","valueBase64":"<bytes>"}        bytes that are not UTF-8 text
 * JSON escaping keeps NUL characters and lone surrogates intact, so parsing a line gives back
 * the exact value.
 */
export function formatDryRunLine(message: OutgoingMessage): string {
  const { key, value } = message;
  if (Buffer.isBuffer(value)) {
    return `{"key":${JSON.stringify(key)},"valueBase64":"${value.toString('base64')}"}\n`;
  }
  return `{"key":${JSON.stringify(key)},"value":${JSON.stringify(value)}}\n`;
}

/** Writes messages to a stream instead of Kafka, waiting for 'drain' when the reader is slow. */
export function createDryRunSink(out: LineStream): Sink {
  return {
    async send(messages) {
      let chunk = '';
      for (const m of messages) chunk += formatDryRunLine(m);
      if (out.write(chunk)) return { failed: [] };
      // A closed reader (`| head`) must end the wait too; main.ts then stops the run.
      const ended = await new Promise<boolean>((resolve) => {
        const drained = () => done(false);
        const closed = () => done(true);
        const done = (gone: boolean) => {
          out.off('drain', drained);
          out.off('close', closed);
          out.off('error', closed);
          resolve(gone);
        };
        out.once('drain', drained);
        out.once('close', closed);
        out.once('error', closed);
      });
      return ended
        ? { failed: messages, error: { code: 'send_failed', message: 'output closed' } }
        : { failed: [] };
    },
    async close() {},
  };
}
