import { encodeOrder, type Order, validateOrder } from '@orders/model';
import { sampleOrder as fixtureOrder } from '@orders/model/testing';
import type { StoredOrder } from '@orders/store';

/**
 * The model's sample order (fixtures/order-sample.json, through @orders/model/testing) with a
 * chosen uid, which its payment's transaction carries too, as in the fixture.
 */
export function sampleOrder(uid: string, overrides: Partial<Order> = {}): Order {
  const fixture = fixtureOrder();
  const order = {
    ...fixture,
    order_uid: uid,
    payment: { ...fixture.payment, transaction: uid },
    ...overrides,
  };
  const result = validateOrder(order);
  if (!result.ok) throw new Error(`test order invalid: ${JSON.stringify(result.problems)}`);
  return result.order;
}

/** A valid order as the store holds it: canonical bytes and ETag from @orders/model. */
export function storedOrder(id: number, uid: string, overrides: Partial<Order> = {}): StoredOrder {
  const order = sampleOrder(uid, overrides);
  const { body, etag } = encodeOrder(order);
  return { id, uid, body, etag, dateCreated: Date.parse(order.date_created) };
}
