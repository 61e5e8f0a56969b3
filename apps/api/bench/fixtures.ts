// The benchmark's orders, generated the same way in every process (deterministic from a seed), so
// the load generator knows the keys without receiving 100,000 orders from the server process.
import { encodeOrder, type Order, validateOrder } from '@orders/model';
import type { StoredOrder } from '@orders/store';
import { seededRandom } from '@orders/testing';
import { sampleOrder } from '../src/test/orders.ts';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `count` distinct order_uids shaped like the seed's (19 chars); ids are 1..count. */
export function benchUids(count: number, seed = 20_241_126): string[] {
  const random = seededRandom(seed);
  const seen = new Set<string>();
  const uids: string[] = [];
  while (uids.length < count) {
    let uid = '';
    for (let i = 0; i < 19; i++) uid += ALPHABET[Math.floor(random() * ALPHABET.length)];
    if (!seen.has(uid)) {
      seen.add(uid);
      uids.push(uid);
    }
  }
  return uids;
}

/** Valid orders of realistic size (1–3 items, ~0.8–1.3 KB), canonical bytes from @orders/model. */
export function benchOrders(uids: readonly string[], seed = 7): StoredOrder[] {
  const random = seededRandom(seed);
  const base = sampleOrder('template');
  const item = base.items[0];
  return uids.map((uid, i) => {
    const order: Order = {
      ...base,
      order_uid: uid,
      customer_id: `customer-${Math.floor(random() * 50_000)}`,
      payment: { ...base.payment, transaction: uid },
      items: Array.from({ length: 1 + Math.floor(random() * 3) }, (_, k) => ({
        ...item,
        chrt_id: 1_000_000 + Math.floor(random() * 9_000_000),
        name: `Item ${k + 1} of order ${i + 1}`,
        price: Math.floor(random() * 10_000),
      })) as Order['items'],
    };
    // Validating every order would double the set-up time; a sample proves the shape stays valid.
    if (i % 1000 === 0 && !validateOrder(order).ok) throw new Error(`bench order ${i} invalid`);
    const { body, etag } = encodeOrder(order);
    return { id: i + 1, uid, body, etag, dateCreated: Date.parse(order.date_created) };
  });
}
