// Which of kafkajs's own log lines an operator should see, and at what level. kafkajs logs the
// states a healthy cluster passes through (a group coordinator being elected or loading, a
// rebalance, a new topic's leaders) at ERROR or WARN on every retry, and crashes and restarts a
// consumer on them (a new broker's coordinator loading), while it resolves them itself. Those are
// debug while they last less than `persistMs`; one that persists becomes ONE warn line saying for
// how long and what the client does, the rest of its lines staying debug.
import { logLevel as KafkaLogLevel, type LogEntry } from 'kafkajs';

/** The logger kafkajs's lines go to (ingest's Logger fits). */
export type KafkaLog = {
  level: string;
  debug(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
};

/** A state kafkajs resolves by itself, retrying. */
export type TransientState = 'coordinator' | 'rebalance' | 'leader';

/** What a kafkajs line is: noise, a transient state, or worth its own level. */
export type LineKind = 'noise' | TransientState | 'keep';

// The broker's errors for those states, by name and as kafkajs words them (the texts are checked
// against kafkajs in the unit test).
const TRANSIENT_TYPES: Record<string, { state: TransientState; text: string }> = {
  GROUP_COORDINATOR_NOT_AVAILABLE: {
    state: 'coordinator',
    text: 'The group coordinator is not available',
  },
  NOT_COORDINATOR_FOR_GROUP: {
    state: 'coordinator',
    text: 'This is not the correct coordinator for this group',
  },
  GROUP_LOAD_IN_PROGRESS: {
    state: 'coordinator',
    text: "The coordinator is loading and hence can't process requests for this group",
  },
  REBALANCE_IN_PROGRESS: {
    state: 'rebalance',
    text: 'The group is rebalancing, so a rejoin is needed',
  },
  LEADER_NOT_AVAILABLE: {
    state: 'leader',
    text: 'There is no leader for this topic-partition as we are in the middle of a leadership election',
  },
  NOT_LEADER_FOR_PARTITION: {
    state: 'leader',
    text: 'This server is not the leader for that topic-partition',
  },
  UNKNOWN_TOPIC_OR_PARTITION: {
    state: 'leader',
    text: 'This server does not host this topic-partition',
  },
};

const TRANSIENT_ERRORS: Record<string, TransientState> = Object.fromEntries(
  Object.values(TRANSIENT_TYPES).map(({ state, text }) => [text, state]),
);

/** The transient state a broker error (its name, e.g. KafkaError.from(err).type) stands for. */
export function transientStateOf(type: string): TransientState | undefined {
  return Object.hasOwn(TRANSIENT_TYPES, type) ? TRANSIENT_TYPES[type]?.state : undefined;
}

// kafkajs's own lines for the same states (consumer runner and group, not a broker response)
const TRANSIENT_MESSAGES: Record<string, TransientState> = {
  'The group is rebalancing, re-joining': 'rebalance',
  'Consumer is not aware of all assigned partitions, refreshing metadata': 'leader',
};

// The operator's line for a state that persists: what is wrong and what the client does.
const PERSISTING: Record<TransientState, string> = {
  coordinator:
    'kafka group coordinator unavailable: the client keeps looking it up and retrying; the group consumes and commits nothing until it answers',
  rebalance:
    'kafka consumer group keeps rebalancing: the client keeps rejoining; its partitions are not consumed until the group settles',
  leader:
    'kafka partition leaders unavailable: the client refreshes metadata and retries; fetches and sends to those partitions wait',
};

/**
 * kafkajs logs every failed connection attempt at ERROR, then retries (an unreachable broker at
 * start made 22 such lines before the one that matters). The attempts are debug; what they add
 * up to is the caller's to say ("kafka not reachable" at start, a consumer crash later).
 */
function isConnectionRetry(message: string): boolean {
  return (
    message.startsWith('Connection error') ||
    message.startsWith('Connection timeout') ||
    message.startsWith('Failed to connect to seed broker')
  );
}

// The DLQ producer is idempotent with BOUNDED retries on purpose: a send that retried forever
// during a broker outage would hold its batch past shutdown; the pipeline retries the batch
// instead. kafkajs warns about that at every start; it is expected, so it goes to debug.
const BOUNDED_RETRIES_WARNING = 'Limiting retries for the idempotent producer';

/**
 * A line's kind from its text: a broker answer (`Response <Api>(...)`) by its error; a consumer
 * crash (`Crash: <Name>: <message>`, kafkajs restarts the consumer on these) by its message.
 */
export function classifyKafkaLine(message: string, error: unknown): LineKind {
  if (isConnectionRetry(message) || message.startsWith(BOUNDED_RETRIES_WARNING)) return 'noise';
  if (Object.hasOwn(TRANSIENT_MESSAGES, message)) return TRANSIENT_MESSAGES[message] ?? 'keep';
  let cause: unknown = error;
  if (message.startsWith(CRASH)) cause = message.slice(message.indexOf(': ', CRASH.length) + 2);
  else if (!message.startsWith('Response ')) return 'keep';
  if (typeof cause !== 'string' || !Object.hasOwn(TRANSIENT_ERRORS, cause)) return 'keep';
  return TRANSIENT_ERRORS[cause] ?? 'keep';
}

const CRASH = 'Crash: ';
// a crash after the client's retries ran out: the state outlasted the retry budget
const RETRIES_EXCEEDED = 'Crash: KafkaJSNumberOfRetriesExceeded';
// kafkajs's line after a crash it restarts the consumer from
const RESTARTING = 'Restarting the consumer in ';

export type KafkaLogFilterOptions = {
  log: KafkaLog;
  /** a transient state seen for this long becomes one warn line; default 30 s */
  persistMs?: number;
  /** a state not seen for this long has cleared: it starts over; default 30 s */
  quietMs?: number;
  now?: () => number;
};

type Streak = { since: number; last: number; count: number; warned: boolean };

/**
 * The function kafkajs's logCreator returns: each entry mapped onto `log`. Warnings and errors
 * keep their level, but noise and transient states are debug, a consumer crash on one and the
 * restart after it included; a state that persists, or outlasts the client's retries (a crash
 * `KafkaJSNumberOfRetriesExceeded`), gives one warn line. Info and debug lines are debug.
 * kafkajs's stack dumps and timestamps are dropped; the small fields (`error`, `groupId`,
 * `topic`) kept.
 */
export function createKafkaLogFilter(options: KafkaLogFilterOptions): (entry: LogEntry) => void {
  const { log } = options;
  const persistMs = options.persistMs ?? 30_000;
  const quietMs = options.quietMs ?? 30_000;
  const now = options.now ?? Date.now;
  const streaks = new Map<TransientState, Streak>();

  function transient(state: TransientState, fields: Record<string, unknown>, exhausted: boolean) {
    const t = now();
    let streak = streaks.get(state);
    if (!streak || t - streak.last > quietMs) {
      streak = { since: t, last: t, count: 0, warned: false };
      streaks.set(state, streak);
    }
    streak.last = t;
    streak.count++;
    if (streak.warned || (!exhausted && t - streak.since < persistMs)) return;
    streak.warned = true;
    log.warn(PERSISTING[state], {
      ...fields,
      state,
      forMs: t - streak.since,
      occurrences: streak.count,
      ...(exhausted ? { retriesExhausted: true } : {}),
      note: 'logged once while it lasts; its further lines are debug',
    });
  }

  // the restart line that follows a crash on a transient state belongs to it
  let restartIsTransient = false;
  return ({ level, log: entry }) => {
    const { message, error, groupId, topic } = entry as LogEntry['log'] & Record<string, unknown>;
    const fields = { error, groupId, topic };
    if (level > KafkaLogLevel.WARN) {
      log.debug(message, fields);
      return;
    }
    if (message.startsWith(RESTARTING) && restartIsTransient) {
      restartIsTransient = false;
      log.debug(message, fields);
      return;
    }
    const kind = classifyKafkaLine(message, error);
    if (message.startsWith(CRASH)) restartIsTransient = kind !== 'keep';
    if (kind === 'keep') {
      if (level <= KafkaLogLevel.ERROR) log.error(message, fields);
      else log.warn(message, fields);
      return;
    }
    log.debug(message, fields);
    if (kind !== 'noise') transient(kind, fields, message.startsWith(RETRIES_EXCEEDED));
  };
}
