import type { Order } from '@orders/model';

import { sampleOrder } from '../../test/orders.ts';

export { sampleOrder };

/** An order with three items and large amounts, to see grouping and several table rows. */
export function bigOrder(uid: string): Order {
  const base = sampleOrder(uid);
  const [item] = base.items as [Order['items'][number]];
  return {
    ...base,
    track_number: 'TRACKBIG0001',
    customer_id: 'customer-42',
    locale: 'ru',
    delivery_service: 'cdek',
    date_created: '2024-03-05T17:45:00+03:00',
    delivery: { ...base.delivery, name: 'Anna Ivanova', city: 'Moscow' },
    payment: {
      ...base.payment,
      currency: 'RUB',
      amount: 1_254_300,
      goods_total: 1_250_000,
      delivery_cost: 4300,
      custom_fee: 0,
    },
    items: [
      {
        ...item,
        chrt_id: 1,
        name: 'Laptop',
        brand: 'Acme',
        price: 1_000_000,
        sale: 0,
        total_price: 1_000_000,
      },
      {
        ...item,
        chrt_id: 2,
        name: 'Monitor',
        brand: 'Viewtech',
        price: 250_000,
        sale: 20,
        total_price: 200_000,
      },
      {
        ...item,
        chrt_id: 3,
        name: 'Cable',
        brand: '',
        price: 50_000,
        sale: 0,
        total_price: 50_000,
      },
    ],
  };
}

export const MARKUP_IMG = '<img src=x onerror=window.__pwned=1>';
export const MARKUP_SCRIPT = '<script>window.__pwned=2;alert(1)</script>';

/** An order whose free-text fields hold markup and script: it must be shown literally. */
export function markupOrder(uid: string): Order {
  const base = sampleOrder(uid);
  const [item] = base.items as [Order['items'][number]];
  return {
    ...base,
    customer_id: MARKUP_SCRIPT,
    delivery_service: `"><svg onload=window.__pwned=3>`,
    delivery: { ...base.delivery, name: MARKUP_IMG, address: MARKUP_SCRIPT, region: '&lt;b&gt;' },
    payment: { ...base.payment, provider: `javascript:window.__pwned=4` },
    items: [{ ...item, name: MARKUP_IMG, brand: MARKUP_SCRIPT, size: '</td><td>' }],
  };
}

/** A file name whose extension a right-to-left override turns around: drawn raw, `evilexe.png`. */
export const RLO_NAME = 'evil\u202Egnp.exe';

/**
 * An order whose text holds bidi controls and other characters that draw nothing (valid: the
 * model refuses only NUL and lone surrogates). The page must show them as markers.
 */
export function hiddenCharsOrder(uid: string): Order {
  const base = sampleOrder(uid);
  const [item] = base.items as [Order['items'][number]];
  return {
    ...base,
    track_number: 'WB\u200DTRACK', // a joiner inside an identifier
    customer_id: RLO_NAME,
    delivery: {
      ...base.delivery,
      name: RLO_NAME,
      address: 'Ploshad\u2067 Mira 15', // a right-to-left isolate never closed
      city: 'Kiryat 👩\u200D💻', // an emoji sequence: its joiner is drawn as is in prose
      region: '\u200Fregion\u202C',
    },
    payment: { ...base.payment, bank: 'בנק לאומי', provider: 'wb\u0007pay' },
    items: [{ ...item, name: RLO_NAME, brand: 'Acme\u200B' }],
  };
}
