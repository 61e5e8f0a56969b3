import { INVALID_KINDS, type InvalidKind, makeBadMessage } from './bad-messages.ts';
import { createOrderFaker, type FakeOrder } from './fake-order.ts';
import { createPlan, type PlanRatios } from './plan.ts';
import type { MessageType } from './stats.ts';

export type OutgoingMessage = {
  /** Always the order_uid (of the order a broken message was made from, for invalid ones). */
  key: string;
  /** A string is sent as UTF-8; a Buffer holds bytes that are not UTF-8; null is a tombstone. */
  value: string | Buffer | null;
  type: MessageType;
  /** Set for type `invalid`. */
  kind?: InvalidKind;
};

export type MessageSourceOptions = {
  seed: number;
  /** End of the date_created window, epoch ms. */
  baseDate: number;
  windowMs?: number;
  ratios: PlanRatios;
  /** Invalid kinds to draw from; default all. */
  invalidKinds?: readonly InvalidKind[];
  /** The consumer's KAFKA_MAX_BYTES (oversize messages go just above it). */
  maxBytes: number;
  /** Earlier orders that duplicates and updates draw from; default 10,000. */
  historySize?: number;
};

export type MessageSource = {
  next(): OutgoingMessage;
  /** Messages made so far. */
  readonly count: number;
};

/**
 * The stream of messages of a run: valid orders, broken ones, duplicates and updates, as the
 * plan decides. Deterministic for a given seed and options.
 */
export function createMessageSource(options: MessageSourceOptions): MessageSource {
  const faker = createOrderFaker({
    seed: options.seed,
    baseDate: options.baseDate,
    ...(options.windowMs === undefined ? {} : { windowMs: options.windowMs }),
  });
  const plan = createPlan({
    seed: options.seed,
    ratios: options.ratios,
    invalidKinds: options.invalidKinds ?? INVALID_KINDS,
  });
  const historySize = options.historySize ?? 10_000;
  // Sent orders as their exact text: duplicates re-send the same bytes, updates parse them back.
  const history: Array<{ key: string; value: string }> = [];
  let written = 0;
  let index = 0;

  const remember = (key: string, value: string): void => {
    if (history.length < historySize) history.push({ key, value });
    else history[written % historySize] = { key, value };
    written++;
  };

  const fresh = (): OutgoingMessage => {
    const order = faker.order();
    const value = JSON.stringify(order);
    remember(order.order_uid, value);
    return { key: order.order_uid, value, type: 'valid' };
  };

  return {
    get count() {
      return index;
    },
    next() {
      const step = plan(index++);
      switch (step.type) {
        case 'valid':
          return fresh();
        case 'invalid': {
          const order = faker.order();
          const bad = makeBadMessage(step.kind, order, step.variant, {
            maxBytes: options.maxBytes,
          });
          return { key: order.order_uid, value: bad.value, type: 'invalid', kind: step.kind };
        }
        case 'duplicate': {
          const earlier = history[step.pick % history.length];
          if (!earlier) return fresh();
          return { key: earlier.key, value: earlier.value, type: 'duplicate' };
        }
        case 'update': {
          const earlier = history[step.pick % history.length];
          if (!earlier) return fresh();
          const revised = faker.revise(JSON.parse(earlier.value) as FakeOrder);
          const value = JSON.stringify(revised);
          remember(earlier.key, value);
          return { key: earlier.key, value, type: 'update' };
        }
      }
    },
  };
}
