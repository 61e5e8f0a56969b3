// Orders and raw messages for tests, built from the shared sample (@orders/model/testing).
import { sampleOrder as modelSample } from '@orders/model/testing';

// one timestamp per test process: the same uid built twice gives the same bytes, and it is recent
// enough never to be expired from memory
const CREATED = new Date().toISOString();

export function sampleOrder(): Record<string, unknown> {
  return modelSample() as Record<string, unknown>;
}

/** A valid order with its own uid; `extra` fields are merged at the top level. */
export function makeOrder(
  uid: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const o = sampleOrder();
  o.order_uid = uid;
  (o.payment as Record<string, unknown>).transaction = uid;
  o.date_created = CREATED;
  return { ...o, ...extra };
}

export function bytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** One of each invalid kind, with the reason the pipeline must give it. */
export function invalidMessages(maxBytes: number): { value: Buffer | null; reason: string }[] {
  const missingUid = makeOrder('x');
  delete missingUid.order_uid;
  const wrongType = makeOrder('wrong-type-1');
  (wrongType.payment as Record<string, unknown>).amount = '12';
  return [
    { value: null, reason: 'empty' },
    { value: Buffer.alloc(0), reason: 'empty' },
    { value: Buffer.from('{"a":'), reason: 'not_json' },
    { value: Buffer.from([0xff, 0xfe, 0x00, 0x81]), reason: 'not_json' },
    { value: Buffer.from('[]'), reason: 'not_object' },
    { value: Buffer.from('42'), reason: 'not_object' },
    { value: bytes(missingUid), reason: 'invalid_order' },
    { value: bytes(wrongType), reason: 'invalid_order' },
    { value: Buffer.alloc(maxBytes + 1, 0x20), reason: 'too_large' },
  ];
}
