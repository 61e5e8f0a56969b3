export { canonicalJson, type EncodedOrder, encodeOrder } from './canonical.ts';
export {
  DEAD_LETTER_REASONS,
  type DeadLetterReason,
  type DecodeAndEncodeResult,
  type DecodeResult,
  decodeAndEncodeOrder,
  decodeOrder,
  REJECT_REASONS,
  type RejectReason,
} from './decode.ts';
export { orderJsonSchema } from './json-schema.ts';
export { ORDER_LIMITS, ORDER_UID_PATTERN } from './limits.ts';
export {
  type Delivery,
  deliverySchema,
  type Item,
  itemSchema,
  type Order,
  orderSchema,
  type Payment,
  paymentSchema,
} from './order.ts';
export { PROBLEM_CODES, type Problem, type ProblemCode } from './problem.ts';
export { type ValidationResult, validateOrder } from './validate.ts';
