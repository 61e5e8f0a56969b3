import {
  base,
  de,
  en,
  en_GB,
  en_US,
  es,
  fr,
  type LocaleDefinition,
  pl,
  ru,
  tr,
} from '@faker-js/faker';

// Markets an order can come from. Each keeps locale, currency, banks, payment providers and
// carriers consistent, so a Russian customer pays in RUB through a Russian bank. Only faker
// locales whose names, phones and e-mails are all native made the list.
export type Market = {
  id: string;
  /** The order's `locale` field. */
  locale: string;
  currency: string;
  /** Units of `currency` per US dollar, rounded: enough to keep price levels plausible. */
  perUsd: number;
  /** Prefix of track numbers (`entry`). */
  entry: string;
  /** Share of orders from this market, relative to the others. */
  weight: number;
  faker: LocaleDefinition[];
  banks: readonly string[];
  providers: readonly string[];
  carriers: readonly string[];
};

export const MARKETS: readonly Market[] = [
  {
    id: 'ru',
    locale: 'ru',
    currency: 'RUB',
    perUsd: 90,
    entry: 'WBRU',
    weight: 35,
    faker: [ru, en, base],
    banks: ['sber', 'tinkoff', 'alpha', 'vtb', 'gazprombank', 'raiffeisen'],
    providers: ['wbpay', 'sbp', 'mirpay', 'yoomoney'],
    carriers: ['wb-courier', 'cdek', 'boxberry', 'russian-post', 'meest'],
  },
  {
    id: 'en_US',
    locale: 'en',
    currency: 'USD',
    perUsd: 1,
    entry: 'WBUS',
    weight: 20,
    faker: [en_US, en, base],
    banks: ['chase', 'bofa', 'wells-fargo', 'citi', 'capital-one'],
    providers: ['wbpay', 'stripe', 'paypal', 'apple-pay'],
    carriers: ['usps', 'ups', 'fedex', 'dhl'],
  },
  {
    id: 'de',
    locale: 'de',
    currency: 'EUR',
    perUsd: 0.92,
    entry: 'WBDE',
    weight: 10,
    faker: [de, en, base],
    banks: ['sparkasse', 'deutsche-bank', 'commerzbank', 'ing', 'n26'],
    providers: ['wbpay', 'klarna', 'paypal', 'stripe'],
    carriers: ['dhl', 'dpd', 'hermes', 'gls'],
  },
  {
    id: 'en_GB',
    locale: 'en',
    currency: 'GBP',
    perUsd: 0.79,
    entry: 'WBGB',
    weight: 8,
    faker: [en_GB, en, base],
    banks: ['barclays', 'hsbc', 'lloyds', 'natwest', 'monzo'],
    providers: ['wbpay', 'stripe', 'paypal'],
    carriers: ['royal-mail', 'dpd', 'evri', 'dhl'],
  },
  {
    id: 'fr',
    locale: 'fr',
    currency: 'EUR',
    perUsd: 0.92,
    entry: 'WBFR',
    weight: 8,
    faker: [fr, en, base],
    banks: ['bnp-paribas', 'societe-generale', 'credit-agricole', 'la-banque-postale'],
    providers: ['wbpay', 'paypal', 'stripe', 'lydia'],
    carriers: ['colissimo', 'chronopost', 'mondial-relay', 'dpd'],
  },
  {
    id: 'es',
    locale: 'es',
    currency: 'EUR',
    perUsd: 0.92,
    entry: 'WBES',
    weight: 7,
    faker: [es, en, base],
    banks: ['santander', 'bbva', 'caixabank', 'sabadell'],
    providers: ['wbpay', 'bizum', 'paypal', 'stripe'],
    carriers: ['correos', 'seur', 'mrw', 'gls'],
  },
  {
    id: 'pl',
    locale: 'pl',
    currency: 'PLN',
    perUsd: 4,
    entry: 'WBPL',
    weight: 6,
    faker: [pl, en, base],
    banks: ['pko-bp', 'mbank', 'pekao', 'ing'],
    providers: ['wbpay', 'blik', 'przelewy24', 'paypal'],
    carriers: ['inpost', 'dpd', 'poczta-polska', 'dhl'],
  },
  {
    id: 'tr',
    locale: 'tr',
    currency: 'TRY',
    perUsd: 34,
    entry: 'WBTR',
    weight: 6,
    faker: [tr, en, base],
    banks: ['ziraat', 'is-bankasi', 'garanti-bbva', 'akbank', 'yapi-kredi'],
    providers: ['wbpay', 'iyzico', 'papara'],
    carriers: ['yurtici', 'aras', 'mng', 'ptt'],
  },
];

export const BRANDS: readonly string[] = [
  'Samsung',
  'Xiaomi',
  'Apple',
  'Sony',
  'Philips',
  'Bosch',
  'Tefal',
  'Braun',
  'Redmond',
  'LEGO',
  'Hasbro',
  'Nike',
  'Adidas',
  'Puma',
  'New Balance',
  'Reebok',
  "Levi's",
  'Zara',
  'Mango',
  'Uniqlo',
  'Gloria Jeans',
  'Befree',
  'Vivienne Sabo',
  "L'Oréal Paris",
  'Maybelline New York',
  'Garnier',
  'Nivea',
  'Dove',
  'Colgate',
  'Oral-B',
  'Gillette',
  'Pampers',
  'Huggies',
  'Logitech',
  'JBL',
  'Canon',
  'Lenovo',
  'Asus',
  'Dyson',
  'Makita',
  'Crocs',
  'Skechers',
  'The North Face',
  'Columbia',
  'Casio',
];
