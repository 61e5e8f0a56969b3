// One classified error for every Kafka failure, whichever client raised it. Its fields say what to
// do (after platformatic/kafka's ProtocolError: canRetry, hasStaleMetadata, needsRejoin), so no
// caller keeps its own list of error names or broker codes.
//
// The clients wrap their errors differently: kafkajs nests the broker's answer in `cause` or
// `originalError` (KafkaJSNumberOfRetriesExceeded, KafkaJSNonRetriableError) and aggregates
// per-topic answers in `errors`; platformatic/kafka's MultipleErrors holds `errors` and its
// ProtocolError names the broker code in `apiId`. `KafkaError.from` walks all of them.

/** Broker answers that mean the cached metadata is out of date: refresh it, then try again. */
const STALE_METADATA = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION', // kafkajs's name
  'NOT_LEADER_OR_FOLLOWER', // Kafka's and platformatic's name for the same code (6)
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
]);

/** Broker answers that mean this consumer's group membership is gone or changing: rejoin. */
const NEEDS_REJOIN = new Set([
  'MEMBER_ID_REQUIRED',
  'UNKNOWN_MEMBER_ID',
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'FENCED_INSTANCE_ID',
]);

/** Broker answers that refuse the records themselves: the same bytes are refused again. */
const RECORD_REFUSED = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD']);

/** Broker answers that mean another producer with the same transactional id took over. */
const PRODUCER_FENCED = new Set([
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'TRANSACTION_COORDINATOR_FENCED',
]);

/** Client errors (not broker answers) that mean no broker could be reached. */
const UNREACHABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNoBrokerAvailableError',
]);
/** platformatic/kafka's code for network failures (its TimeoutError carries it too). */
const PLATFORMATIC_NETWORK = 'PLT_KFK_NETWORK';

export type KafkaErrorFields = {
  /**
   * The broker's error name when it answered with one (`MESSAGE_TOO_LARGE`,
   * `UNKNOWN_TOPIC_OR_PARTITION`, …); otherwise `UNREACHABLE`, `TIMEOUT` (a wait of this package
   * ran out) or `CLIENT` (anything else the client raised).
   */
  type: string;
  /** the same request may succeed later, as is (an outage, a leader moving, a rebalance) */
  retriable: boolean;
  /** refresh metadata before trying again (a topic or leader not known yet, or moved) */
  staleMetadata: boolean;
  /** the consumer must rejoin its group (its membership or generation is gone) */
  needsRejoin: boolean;
  /** the broker refused the records themselves: never resend the same bytes */
  recordRefused: boolean;
  /** no broker answered (address, network, broker down) */
  unreachable: boolean;
  /** another producer with the same transactional id took over: this one must stop */
  producerFenced: boolean;
};

export type KafkaErrorOptions = Partial<KafkaErrorFields> & { cause?: unknown };

const kKafkaError = Symbol.for('orders.kafka.error');

export class KafkaError extends Error implements KafkaErrorFields {
  readonly type: string;
  readonly retriable: boolean;
  readonly staleMetadata: boolean;
  readonly needsRejoin: boolean;
  readonly recordRefused: boolean;
  readonly unreachable: boolean;
  readonly producerFenced: boolean;

  constructor(message: string, options: KafkaErrorOptions = {}) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'KafkaError';
    this.type = options.type ?? 'CLIENT';
    this.staleMetadata = options.staleMetadata ?? false;
    this.needsRejoin = options.needsRejoin ?? false;
    this.recordRefused = options.recordRefused ?? false;
    this.unreachable = options.unreachable ?? false;
    this.producerFenced = options.producerFenced ?? false;
    this.retriable =
      options.retriable ??
      (this.staleMetadata || this.needsRejoin || this.unreachable || this.type === 'TIMEOUT');
    Object.defineProperty(this, kKafkaError, { value: true });
  }

  static is(err: unknown): err is KafkaError {
    return typeof err === 'object' && err !== null && kKafkaError in err;
  }

  /**
   * `err` classified: itself when it already is a KafkaError, else a KafkaError with the same
   * message whose `cause` is `err`. Never throws, whatever `err` is.
   */
  static from(err: unknown): KafkaError {
    if (KafkaError.is(err)) return err;
    const fields = classify(err);
    const message = err instanceof Error ? err.message : String(err);
    return new KafkaError(message, { ...fields, cause: err });
  }
}

type Node = {
  name?: unknown;
  message?: unknown;
  type?: unknown;
  apiId?: unknown;
  code?: unknown;
  retriable?: unknown;
  canRetry?: unknown;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown;
};

/** Every error in the tree under `err` (itself first), depth-first, at most 32 and 8 deep. */
function walk(err: unknown): Node[] {
  const out: Node[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number) => {
    if (out.length >= 32 || depth > 8 || typeof e !== 'object' || e === null || seen.has(e)) {
      return;
    }
    seen.add(e);
    const node = e as Node;
    out.push(node);
    if (Array.isArray(node.errors)) for (const child of node.errors) visit(child, depth + 1);
    visit(node.cause, depth + 1);
    visit(node.originalError, depth + 1);
  };
  visit(err, 0);
  return out;
}

/** The broker error name a node carries (kafkajs `type`, platformatic `apiId`), if any. */
function brokerType(node: Node): string | undefined {
  if (typeof node.type === 'string' && /^[A-Z_]+$/.test(node.type)) return node.type;
  if (typeof node.apiId === 'string') return node.apiId;
  // platformatic answers a metadata request for a topic the broker does not know (and must not
  // create) with a UserError, not with the broker's code
  if (node.code === 'PLT_KFK_USER' && String(node.message).startsWith('Unknown topic')) {
    return 'UNKNOWN_TOPIC_OR_PARTITION';
  }
  return undefined;
}

function isUnreachableNode(node: Node): boolean {
  if (typeof node.name === 'string' && UNREACHABLE_NAMES.has(node.name)) return true;
  if (node.code === PLATFORMATIC_NETWORK) return true;
  const message = typeof node.message === 'string' ? node.message : '';
  return message.startsWith('Connection error') || message.startsWith('Connection timeout');
}

/** What `err` means, from the first broker answer found in it, else from the client's errors. */
export function classify(err: unknown): KafkaErrorFields {
  const nodes = walk(err);
  const answered = nodes.find((n) => brokerType(n) !== undefined);
  const type = answered ? (brokerType(answered) as string) : undefined;
  const unreachable = !answered && nodes.some(isUnreachableNode);
  const staleMetadata = type !== undefined && STALE_METADATA.has(type);
  const needsRejoin = type !== undefined && NEEDS_REJOIN.has(type);
  const recordRefused = type !== undefined && RECORD_REFUSED.has(type);
  const producerFenced = type !== undefined && PRODUCER_FENCED.has(type);
  // the broker's own verdict (kafkajs `retriable`, platformatic `canRetry`) on its answer
  const brokerSaysRetry = answered
    ? answered.retriable === true || answered.canRetry === true
    : false;
  return {
    type: type ?? (unreachable ? 'UNREACHABLE' : 'CLIENT'),
    retriable:
      !recordRefused &&
      !producerFenced &&
      (brokerSaysRetry || staleMetadata || needsRejoin || unreachable),
    staleMetadata,
    needsRejoin,
    recordRefused,
    unreachable,
    producerFenced,
  };
}
