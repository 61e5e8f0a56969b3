import { DLQ_HEADERS, REDRIVE_HEADERS } from '@orders/kafka';
import { encodeOrder, validateOrder } from '@orders/model';
import { describe, expect, it } from 'vitest';
import { bytes, invalidMessages, makeOrder } from '../test/fixtures.ts';
import { handleBatch, type InboundMessage } from './handle-batch.ts';

const MAX = 64 * 1024;

function msg(value: Buffer | null, offset: number, key: string | null = null): InboundMessage {
  return {
    key: key === null ? null : Buffer.from(key),
    value,
    offset: String(offset),
    timestamp: String(1_700_000_000_000 + offset),
  };
}

describe('handleBatch', () => {
  it('returns valid orders with canonical bytes, partition, offset and timestamp', () => {
    const order = makeOrder('uid-1');
    const out = handleBatch(
      { topic: 't', partition: 3, messages: [msg(bytes(order), 7, 'uid-1')] },
      { maxBytes: MAX },
    );
    expect(out.deadLetters).toEqual([]);
    expect(out.valid).toHaveLength(1);
    const v = out.valid[0];
    const parsed = validateOrder(order);
    if (!parsed.ok) throw new Error('fixture must be valid');
    const encoded = encodeOrder(parsed.order);
    expect(v?.uid).toBe('uid-1');
    expect(v?.body.equals(encoded.body)).toBe(true);
    expect(v?.etag).toBe(encoded.etag);
    expect(v?.partition).toBe(3);
    expect(v?.offset).toBe('7');
    expect(v?.timestamp).toBe('1700000000007');
    expect(v?.dateCreated).toBe(Date.parse(order.date_created as string));
  });

  it('dead-letters every invalid kind with its reason, untouched bytes and source headers', () => {
    const cases = invalidMessages(MAX);
    const messages = cases.map((c, i) => msg(c.value, 100 + i, `k${i}`));
    const out = handleBatch({ topic: 'orders', partition: 1, messages }, { maxBytes: MAX });
    expect(out.valid).toEqual([]);
    expect(out.deadLetters.map((d) => d.reason)).toEqual(cases.map((c) => c.reason));
    out.deadLetters.forEach((d, i) => {
      expect(d.value).toBe(cases[i]?.value ?? null);
      expect(d.key?.toString()).toBe(`k${i}`);
      expect(d.headers[DLQ_HEADERS.reason]).toBe(cases[i]?.reason);
      expect(d.headers[DLQ_HEADERS.topic]).toBe('orders');
      expect(d.headers[DLQ_HEADERS.partition]).toBe('1');
      expect(d.headers[DLQ_HEADERS.offset]).toBe(String(100 + i));
      expect(d.headers[DLQ_HEADERS.timestamp]).toBe(String(1_700_000_000_100 + i));
      expect(() => JSON.parse(d.headers[DLQ_HEADERS.problems] as string)).not.toThrow();
    });
  });

  it('names the failing paths of a schema violation in the problems header', () => {
    const bad = makeOrder('uid-bad');
    (bad.payment as Record<string, unknown>).amount = '12';
    const out = handleBatch(
      { topic: 't', partition: 0, messages: [msg(bytes(bad), 1)] },
      { maxBytes: MAX },
    );
    const problems = JSON.parse(out.deadLetters[0]?.headers[DLQ_HEADERS.problems] as string) as {
      path: string;
    }[];
    expect(problems.map((p) => p.path)).toContain('payment.amount');
  });

  it('keeps the highest offset when a uid repeats within the batch', () => {
    const v1 = makeOrder('same', { locale: 'en' });
    const v2 = makeOrder('same', { locale: 'ru' });
    const other = makeOrder('other');
    const out = handleBatch(
      {
        topic: 't',
        partition: 0,
        messages: [msg(bytes(v1), 10), msg(bytes(other), 11), msg(bytes(v2), 12)],
      },
      { maxBytes: MAX },
    );
    expect(out.valid.map((v) => [v.uid, v.offset])).toEqual([
      ['same', '12'],
      ['other', '11'],
    ]);
    expect(JSON.parse(out.valid[0]?.body.toString() as string).locale).toBe('ru');
    expect(out.supersededInBatch).toBe(1);
    expect(out.total).toBe(3);
  });

  it('caps the problems header for a message with very many problems', () => {
    const bad = makeOrder('many');
    bad.items = Array.from({ length: 60 }, () => ({ price: 'x' }));
    const out = handleBatch(
      { topic: 't', partition: 0, messages: [msg(bytes(bad), 1)] },
      { maxBytes: MAX },
    );
    const header = out.deadLetters[0]?.headers[DLQ_HEADERS.problems] as string;
    expect(header.length).toBeLessThan(8_000);
    expect(out.deadLetters[0]?.problems.length).toBeGreaterThan(0);
  });
});

describe('handleBatch: redriven messages', () => {
  const redrive = (value: Buffer | null, offset: number, letter: string, run = '4') => ({
    ...msg(value, offset, 'uid-r'),
    headers: {
      [REDRIVE_HEADERS.letter]: Buffer.from(letter),
      [REDRIVE_HEADERS.run]: Buffer.from(run),
    },
  });

  it('keeps a valid redriven message apart, with its claim, out of the in-batch dedupe', () => {
    const out = handleBatch(
      {
        topic: 't',
        partition: 1,
        messages: [
          msg(bytes(makeOrder('uid-r')), 10, 'uid-r'),
          redrive(bytes(makeOrder('uid-r')), 11, '7'),
          msg(bytes(makeOrder('uid-r')), 12, 'uid-r'),
        ],
      },
      { maxBytes: MAX },
    );
    expect(out.valid.map((v) => v.offset)).toEqual(['12']);
    expect(out.supersededInBatch).toBe(1);
    expect(out.redriven?.map((v) => [v.offset, v.redrive])).toEqual([
      ['11', { run: 4, letter: 7 }],
    ]);
    expect(out.redrivenLetters).toBeUndefined();
  });

  it('a redriven message that fails again is a letter naming its claim; a malformed claim is ordinary', () => {
    const out = handleBatch(
      {
        topic: 't',
        partition: 1,
        messages: [redrive(Buffer.from('{'), 3, '7'), redrive(bytes(makeOrder('uid-r')), 4, 'x')],
      },
      { maxBytes: MAX },
    );
    expect(out.deadLetters.map((d) => [d.source.offset, d.reason, d.redrive])).toEqual([
      ['3', 'not_json', { run: 4, letter: 7 }],
    ]);
    expect(out.redrivenLetters).toBe(1);
    expect(out.redriven).toBeUndefined();
    expect(out.valid.map((v) => v.offset)).toEqual(['4']);
  });
});
