import { encodeOrder, type Order, validateOrder } from '@orders/model';
import type { StoredOrder } from '@orders/store';

/** The seed service's sample order (fixtures/order-sample.json) with a chosen uid. */
export function sampleOrder(uid: string, overrides: Partial<Order> = {}): Order {
  const order = {
    order_uid: uid,
    track_number: 'WBILMTESTTRACK',
    entry: 'WBIL',
    delivery: {
      name: 'Test Testov',
      phone: '+9720000000',
      zip: '2639809',
      city: 'Kiryat Mozkin',
      address: 'Ploshad Mira 15',
      region: 'Kraiot',
      email: 'test@gmail.com',
    },
    payment: {
      transaction: uid,
      request_id: '',
      currency: 'USD',
      provider: 'wbpay',
      amount: 1817,
      payment_dt: 1637907727,
      bank: 'alpha',
      delivery_cost: 1500,
      goods_total: 317,
      custom_fee: 0,
    },
    items: [
      {
        chrt_id: 9934930,
        track_number: 'WBILMTESTTRACK',
        price: 453,
        rid: 'ab4219087a764ae0btest',
        name: 'Mascaras',
        sale: 30,
        size: '0',
        total_price: 317,
        nm_id: 2389212,
        brand: 'Vivienne Sabo',
        status: 202,
      },
    ],
    locale: 'en',
    internal_signature: '',
    customer_id: 'test',
    delivery_service: 'meest',
    shardkey: '9',
    sm_id: 99,
    date_created: '2021-11-26T06:22:19Z',
    oof_shard: '1',
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
