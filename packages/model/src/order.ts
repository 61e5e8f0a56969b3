// The order, defined once. Field order here is the sample's order and the order canonicalJson
// writes known fields in. Objects are loose at every level: fields this schema does not know are
// kept as they came (validate.ts bounds them: depth, keys, NUL, unsafe numbers).
// Rules and their reasons: packages/model/README.md.
import { z } from 'zod';
import { ORDER_LIMITS, ORDER_UID_PATTERN } from './limits.ts';

type Bounds = { readonly min: number; readonly max: number };

const S = ORDER_LIMITS.string;

// Every pattern below is linear (no ambiguous repetition) and only runs after the length check
// passed (`abort: true`), so a megabyte-long string costs one length comparison.
const NOT_BLANK = /\S/;
const PHONE = new RegExp(
  `^(?:\\+?(?:[ ()-]*[0-9]){${ORDER_LIMITS.phoneDigits.min},${ORDER_LIMITS.phoneDigits.max}}[ ()-]*)?$`,
);
const ZIP = /^(?:[A-Za-z0-9][A-Za-z0-9 -]*)?$/;
const EMAIL = /^(?:[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+)?$/;
const CURRENCY = /^[A-Z]{3}$/;
const LOCALE = /^(?:[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)?$/;

/** A string within its bounds; a required one (`min` ≥ 1) must also contain a non-space character. */
function text(bounds: Bounds, description: string) {
  let schema = z.string();
  if (bounds.min > 0) schema = schema.min(bounds.min, { abort: true });
  schema = schema.max(bounds.max, { abort: true });
  if (bounds.min > 0) schema = schema.regex(NOT_BLANK, 'must contain a non-space character');
  return schema.describe(description);
}

/** A string within its bounds that also matches `pattern` (an empty string is left to `min`). */
function patterned(bounds: Bounds, pattern: RegExp, error: string, description: string) {
  let schema = z.string();
  if (bounds.min > 0) schema = schema.min(bounds.min, { abort: true });
  return schema.max(bounds.max, { abort: true }).regex(pattern, error).describe(description);
}

/** Money and counts: whole non-negative numbers in JavaScript's safe-integer range. */
function count(description: string) {
  return z.int().min(0).describe(description);
}

export const deliverySchema = z
  .looseObject({
    name: text(S.delivery.name, "Recipient's full name."),
    phone: patterned(
      S.delivery.phone,
      PHONE,
      'must be a phone number: 5-20 digits, optional leading +, separators space ( ) -',
      "Recipient's phone number, e.g. +9720000000.",
    ),
    zip: patterned(
      S.delivery.zip,
      ZIP,
      'must be a postal code: letters, digits, spaces and hyphens, starting with a letter or digit',
      'Postal code.',
    ),
    city: text(S.delivery.city, 'City.'),
    address: text(S.delivery.address, 'Street address.'),
    region: text(S.delivery.region, 'Region or state; may be empty.'),
    email: patterned(
      S.delivery.email,
      EMAIL,
      'must be an e-mail address (local@domain.tld) or empty',
      "Recipient's e-mail; may be empty.",
    ),
  })
  .describe('Where and to whom the order is delivered.');

export const paymentSchema = z
  .looseObject({
    transaction: text(S.payment.transaction, 'Payment transaction id.'),
    request_id: text(S.payment.request_id, 'Payment request id; may be empty.'),
    currency: patterned(
      S.payment.currency,
      CURRENCY,
      'must be an ISO 4217 code: three capital letters',
      'ISO 4217 currency code, e.g. USD.',
    ),
    provider: text(S.payment.provider, 'Payment provider.'),
    amount: count('Amount paid, in minor units of the currency.'),
    payment_dt: z
      .int()
      .min(0)
      .max(ORDER_LIMITS.maxPaymentDt)
      .describe('Payment time, unix seconds.'),
    bank: text(S.payment.bank, 'Bank; may be empty.'),
    delivery_cost: count('Delivery cost, minor units.'),
    goods_total: count('Total of the goods, minor units.'),
    custom_fee: count('Customs fee, minor units.'),
  })
  .describe('How the order was paid.');

export const itemSchema = z
  .looseObject({
    chrt_id: count('Item (chart) id.'),
    track_number: text(S.item.track_number, 'Tracking number of the shipment the item is in.'),
    price: count('Price before sale, minor units.'),
    rid: text(S.item.rid, 'Item reservation id.'),
    name: text(S.item.name, 'Product name.'),
    sale: z.int().min(0).max(ORDER_LIMITS.maxSale).describe('Discount, percent (0-100).'),
    size: text(S.item.size, 'Size label; may be empty.'),
    total_price: count('Price after sale, minor units.'),
    nm_id: count('Product (nomenclature) id.'),
    brand: text(S.item.brand, 'Brand; may be empty.'),
    status: count('Item status code.'),
  })
  .describe('One line of the order.');

export const orderSchema = z
  .looseObject({
    order_uid: patterned(
      S.order.order_uid,
      ORDER_UID_PATTERN,
      'must contain only letters, digits, _ and -',
      'Unique order id; safe as a URL path segment ([A-Za-z0-9_-]{1,64}).',
    ),
    track_number: text(S.order.track_number, 'Tracking number.'),
    entry: text(S.order.entry, 'Entry point (sales channel) code.'),
    delivery: deliverySchema,
    payment: paymentSchema,
    items: z
      .array(itemSchema)
      .min(ORDER_LIMITS.minItems)
      .max(ORDER_LIMITS.maxItems)
      .describe(`The order lines, ${ORDER_LIMITS.minItems} to ${ORDER_LIMITS.maxItems}.`),
    locale: patterned(
      S.order.locale,
      LOCALE,
      'must be a language tag such as en or en-US',
      'Language tag of the customer, e.g. en.',
    ),
    internal_signature: text(S.order.internal_signature, 'Internal signature; may be empty.'),
    customer_id: text(S.order.customer_id, 'Customer id.'),
    delivery_service: text(S.order.delivery_service, 'Delivery service (courier company).'),
    shardkey: text(S.order.shardkey, "Upstream's shard key; may be empty."),
    sm_id: count('Marketplace (sm) id.'),
    date_created: z
      .string()
      .min(S.order.date_created.min, { abort: true })
      .max(S.order.date_created.max, { abort: true })
      .check(
        z.iso.datetime({
          offset: true,
          error: 'must be an ISO-8601 timestamp with a timezone, e.g. 2021-11-26T06:22:19Z',
        }),
      )
      .describe('When the order was created: ISO-8601 with Z or an offset.'),
    oof_shard: text(S.order.oof_shard, "Upstream's OOF shard; may be empty."),
  })
  .describe(
    'An order. Unknown fields are kept at every level. Also enforced (not expressible here): no NUL ' +
      'characters or lone surrogates in any string or key, no __proto__/constructor/prototype keys, ' +
      `nesting at most ${ORDER_LIMITS.maxDepth} deep, keys at most ${ORDER_LIMITS.maxKeyLength} ` +
      'characters, numbers within ±(2^53-1).',
  );

export type Order = z.infer<typeof orderSchema>;
export type Delivery = z.infer<typeof deliverySchema>;
export type Payment = z.infer<typeof paymentSchema>;
export type Item = z.infer<typeof itemSchema>;
