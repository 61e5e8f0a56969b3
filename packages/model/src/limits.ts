// The caps of the order model in one place: the schema is built from them, and the producer and
// tests read them to build edge cases (a value exactly at a cap passes, one past it fails).
// String lengths count UTF-16 code units (JavaScript's `string.length`).

/**
 * The characters of an order_uid (its length is `ORDER_LIMITS.string.order.order_uid`): safe in a
 * URL path, a Kafka key and a log line as they are. The API checks lookup keys with it too.
 */
export const ORDER_UID_PATTERN = /^[A-Za-z0-9_-]*$/;

export const ORDER_LIMITS = {
  /** Longest string per known field; a field whose `min` is 1 must not be empty. */
  string: {
    order: {
      order_uid: { min: 1, max: 64 },
      track_number: { min: 1, max: 64 },
      entry: { min: 1, max: 32 },
      locale: { min: 1, max: 35 },
      internal_signature: { min: 0, max: 1024 },
      customer_id: { min: 1, max: 64 },
      delivery_service: { min: 1, max: 64 },
      shardkey: { min: 0, max: 16 },
      date_created: { min: 1, max: 64 },
      oof_shard: { min: 0, max: 16 },
    },
    delivery: {
      name: { min: 1, max: 256 },
      phone: { min: 1, max: 32 },
      zip: { min: 1, max: 16 },
      city: { min: 1, max: 128 },
      address: { min: 1, max: 256 },
      region: { min: 0, max: 128 },
      email: { min: 0, max: 254 },
    },
    payment: {
      transaction: { min: 1, max: 128 },
      request_id: { min: 0, max: 128 },
      currency: { min: 3, max: 3 },
      provider: { min: 1, max: 64 },
      bank: { min: 0, max: 64 },
    },
    item: {
      track_number: { min: 1, max: 64 },
      rid: { min: 1, max: 64 },
      name: { min: 1, max: 256 },
      size: { min: 0, max: 32 },
      brand: { min: 0, max: 128 },
    },
  },
  /** Items per order. */
  minItems: 1,
  maxItems: 1000,
  /** `items[].sale` is a percentage. */
  maxSale: 100,
  /** `payment.payment_dt` is unix seconds up to 9999-12-31T23:59:59Z (catches milliseconds sent by mistake). */
  maxPaymentDt: 253_402_300_799,
  /** Digits in a phone number (separators `space ( ) -` and a leading `+` do not count). */
  phoneDigits: { min: 5, max: 20 },
  /** Nesting of objects/arrays, the root object being depth 1 (a known order uses 3). */
  maxDepth: 32,
  /** Longest object key anywhere, including unknown fields. */
  maxKeyLength: 128,
  /** Problems listed per rejected order; the rest are summarised by one `too_many_problems`. */
  maxProblems: 100,
} as const;
