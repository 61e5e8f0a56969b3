import { Faker } from '@faker-js/faker';
import { BRANDS, MARKETS, type Market } from './locales.ts';
import { createRandom, mixSeed, type Random, weightedIndex } from './random.ts';

// The shape of the orders this generator makes (the sample order's shape). It is a subset of
// @orders/model's Order; the tests check every generated order against the real schema.
export type FakeItem = {
  chrt_id: number;
  track_number: string;
  price: number;
  rid: string;
  name: string;
  sale: number;
  size: string;
  total_price: number;
  nm_id: number;
  brand: string;
  status: number;
};

export type FakeOrder = {
  order_uid: string;
  track_number: string;
  entry: string;
  delivery: {
    name: string;
    phone: string;
    zip: string;
    city: string;
    address: string;
    region: string;
    email: string;
  };
  payment: {
    transaction: string;
    request_id: string;
    currency: string;
    provider: string;
    amount: number;
    payment_dt: number;
    bank: string;
    delivery_cost: number;
    goods_total: number;
    custom_fee: number;
  };
  items: FakeItem[];
  locale: string;
  internal_signature: string;
  customer_id: string;
  delivery_service: string;
  shardkey: string;
  sm_id: number;
  date_created: string;
  oof_shard: string;
};

export type OrderFakerOptions = {
  seed: number;
  /** Epoch ms at which the `date_created` window ends. Fixed when output must be reproducible. */
  baseDate: number;
  /** Width of the `date_created` window before `baseDate`; default 7 days. */
  windowMs?: number;
  /** Faker-made people, addresses and products per market; default 512. */
  poolSize?: number;
};

export type OrderFaker = {
  order(): FakeOrder;
  /** A later version of `previous`: same uid, customer and date, new items and payment. */
  revise(previous: FakeOrder): FakeOrder;
};

/** End of the date_created window with --seed and no --base-date: fixed, so output is reproducible. */
export const SEEDED_BASE_DATE = Date.UTC(2026, 0, 1);

export const DEFAULT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
export const MAX_FAKE_ITEMS = 10;

type Person = { name: string; phone: string; email: string; customerId: string };
type Address = { zip: string; city: string; address: string; region: string };
type Product = { name: string; brand: string; nmId: number; price: number; sizes: Variant[] };
type Variant = { size: string; chrtId: number };
type Vocabulary = { people: Person[]; addresses: Address[]; products: Product[] };

// 1 item is the most common order, 10 the rarest.
const ITEM_COUNT_WEIGHTS = [30, 22, 15, 10, 7, 5, 4, 3, 2, 2];
const SALES = [0, 0, 0, 0, 5, 10, 10, 15, 20, 25, 30, 30, 40, 50, 70];
const STATUS_WEIGHTS: ReadonlyArray<readonly [number, number]> = [
  [202, 60],
  [200, 10],
  [201, 10],
  [203, 8],
  [204, 7],
  [205, 5],
];
const LETTER_SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * Faker is slow per call (tens of µs for a name), so each market gets a pool of people,
 * addresses and products made by a seeded faker once, and orders combine them with a fast
 * seeded PRNG. Same options → same orders, byte for byte.
 */
export function createOrderFaker(options: OrderFakerOptions): OrderFaker {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const poolSize = options.poolSize ?? 512;
  const random = createRandom(mixSeed(options.seed, 1));
  const marketWeights = MARKETS.map((m) => m.weight);
  const isoSeconds = createIsoSeconds();
  const statusWeights = STATUS_WEIGHTS.map(([, w]) => w);
  // Built on first use; each market's pool depends only on (seed, market), never on call order.
  const vocabularies = new Map<Market, Vocabulary>();

  const vocabularyOf = (market: Market, index: number): Vocabulary => {
    let vocabulary = vocabularies.get(market);
    if (!vocabulary) {
      vocabulary = buildVocabulary(market, mixSeed(options.seed, 100 + index), poolSize);
      vocabularies.set(market, vocabulary);
    }
    return vocabulary;
  };

  const items = (vocabulary: Vocabulary, trackNumber: string): FakeItem[] => {
    const count = 1 + weightedIndex(random, ITEM_COUNT_WEIGHTS);
    const result: FakeItem[] = [];
    for (let i = 0; i < count; i++) {
      const product = random.pick(vocabulary.products);
      const variant = random.pick(product.sizes);
      const sale = random.pick(SALES);
      result.push({
        chrt_id: variant.chrtId,
        track_number: trackNumber,
        price: product.price,
        rid: random.hex(21),
        name: product.name,
        sale,
        size: variant.size,
        total_price: discounted(product.price, sale),
        nm_id: product.nmId,
        brand: product.brand,
        status: STATUS_WEIGHTS[weightedIndex(random, statusWeights)]?.[0] ?? 202,
      });
    }
    return result;
  };

  const payment = (
    market: Market,
    uid: string,
    orderItems: FakeItem[],
    createdMs: number,
  ): FakeOrder['payment'] => {
    let goodsTotal = 0;
    for (const item of orderItems) goodsTotal += item.total_price;
    // Free delivery above ~50 USD (amounts are minor units), otherwise 3–15 USD worth.
    const deliveryCost =
      goodsTotal >= 50 * 100 * market.perUsd ? 0 : localPrice(random.int(3, 15), market.perUsd);
    // Some orders cross a border and pay duties.
    const customFee = random.chance(0.08)
      ? Math.round(goodsTotal * random.pick([0.05, 0.1, 0.15]))
      : 0;
    return {
      transaction: uid,
      request_id: '',
      currency: market.currency,
      provider: random.pick(market.providers),
      amount: goodsTotal + deliveryCost + customFee,
      // Paid up to five minutes before the order was registered.
      payment_dt: Math.floor(createdMs / 1000) - random.int(0, 300),
      bank: random.pick(market.banks),
      delivery_cost: deliveryCost,
      goods_total: goodsTotal,
      custom_fee: customFee,
    };
  };

  const marketOf = (order: FakeOrder): [Market, number] => {
    const index = MARKETS.findIndex(
      (m) => m.currency === order.payment.currency && m.locale === order.locale,
    );
    const market = MARKETS[index];
    if (!market) throw new Error(`order ${order.order_uid} was not made by this faker`);
    return [market, index];
  };

  return {
    order() {
      const index = weightedIndex(random, marketWeights);
      const market = MARKETS[index] as Market;
      const vocabulary = vocabularyOf(market, index);
      const person = random.pick(vocabulary.people);
      const address = random.pick(vocabulary.addresses);
      const uid = random.hex(19);
      const trackNumber = market.entry + random.chars(UPPER_ALNUM, 10);
      const createdMs = options.baseDate - random.int(0, Math.floor(windowMs / 1000)) * 1000;
      const orderItems = items(vocabulary, trackNumber);
      return {
        order_uid: uid,
        track_number: trackNumber,
        entry: market.entry,
        delivery: {
          name: person.name,
          phone: person.phone,
          zip: address.zip,
          city: address.city,
          address: address.address,
          region: address.region,
          email: person.email,
        },
        payment: payment(market, uid, orderItems, createdMs),
        items: orderItems,
        locale: market.locale,
        internal_signature: '',
        customer_id: person.customerId,
        delivery_service: random.pick(market.carriers),
        shardkey: String(random.int(0, 9)),
        sm_id: random.int(1, 200),
        date_created: isoSeconds(createdMs),
        oof_shard: String(random.int(1, 2)),
      };
    },
    revise(previous) {
      const [market, index] = marketOf(previous);
      const vocabulary = vocabularyOf(market, index);
      const createdMs = Date.parse(previous.date_created);
      const orderItems = items(vocabulary, previous.track_number);
      return {
        ...previous,
        delivery: { ...previous.delivery },
        payment: payment(market, previous.order_uid, orderItems, createdMs),
        items: orderItems,
      };
    },
  };
}

/** Price after a percentage discount, rounded down to a minor unit (as in the sample order). */
export function discounted(price: number, salePercent: number): number {
  return Math.floor((price * (100 - salePercent)) / 100);
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const DAY_MS = 86_400_000;

/**
 * `2026-01-01T12:34:56Z` for whole-second times: Date#toISOString once per day, string pieces for
 * the time (a sixth of generation time went to toISOString).
 */
export function createIsoSeconds(): (ms: number) => string {
  const days = new Map<number, string>();
  return (ms) => {
    const day = Math.floor(ms / DAY_MS);
    let prefix = days.get(day);
    if (prefix === undefined) {
      prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
      if (days.size > 1000) days.clear();
      days.set(day, prefix);
    }
    const second = Math.floor((ms - day * DAY_MS) / 1000);
    return `${prefix}${TWO_DIGITS[Math.floor(second / 3600)]}:${TWO_DIGITS[Math.floor(second / 60) % 60]}:${TWO_DIGITS[second % 60]}Z`;
  };
}

/**
 * A USD amount in minor units of the local currency, priced the way shops price: 4.99, 29.99,
 * 149.99 below a hundred units, 1 499.00 or 12 900.00 above.
 */
export function localPrice(usd: number, perUsd: number): number {
  const major = usd * perUsd;
  const whole =
    major < 100
      ? Math.max(1, Math.round(major))
      : major < 1000
        ? Math.round(major / 10) * 10
        : Math.round(major / 100) * 100;
  return whole < 100 ? whole * 100 - 1 : (whole - 1) * 100;
}

function buildVocabulary(market: Market, seed: number, size: number): Vocabulary {
  const faker = new Faker({ locale: market.faker });
  faker.seed(seed);
  const random: Random = createRandom(seed);
  const people: Person[] = [];
  const addresses: Address[] = [];
  const products: Product[] = [];
  for (let i = 0; i < size; i++) {
    const sex = faker.person.sexType();
    const firstName = faker.person.firstName(sex);
    const lastName = faker.person.lastName(sex);
    people.push({
      name: `${firstName} ${lastName}`,
      phone: faker.phone.number({ style: 'international' }),
      email: faker.internet.email({ firstName, lastName }).toLowerCase(),
      customerId: faker.internet.username({ firstName, lastName }).toLowerCase(),
    });
    addresses.push({
      zip: faker.location.zipCode(),
      city: faker.location.city(),
      address: faker.location.streetAddress(),
      region: faker.location.state(),
    });
    products.push({
      name: faker.commerce.productName(),
      brand: random.pick(BRANDS),
      nmId: random.int(1_000_000, 299_999_999),
      // Skewed towards cheap goods: most between 3 and 60 USD, a few up to ~600.
      price: localPrice(Math.round(3 * 200 ** (random.float() ** 2)), market.perUsd),
      sizes: variants(random),
    });
  }
  return { people, addresses, products };
}

function variants(random: Random): Variant[] {
  const kind = random.float();
  const sizes =
    kind < 0.55
      ? ['0']
      : kind < 0.85
        ? LETTER_SIZES.slice(random.int(0, 2), random.int(3, 6))
        : Array.from({ length: random.int(3, 8) }, (_, i) => String(36 + i));
  return sizes.map((size) => ({ size, chrtId: random.int(1_000_000, 299_999_999) }));
}
