import { createRequire } from 'node:module';
import { logLevel as KafkaLogLevel, type LogEntry } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  classifyKafkaLine,
  createKafkaLogFilter,
  type KafkaLog,
  transientStateOf,
} from './log-filter.ts';

type Line = { level: string; msg: string; fields?: Record<string, unknown> };

function recorder() {
  const lines: Line[] = [];
  const log: KafkaLog = {
    level: 'info',
    debug: (msg, fields) => lines.push({ level: 'debug', msg, fields }),
    warn: (msg, fields) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => lines.push({ level: 'error', msg, fields }),
  };
  return { log, lines };
}

/** A log entry as kafkajs hands it to a logCreator's function. */
function entry(level: KafkaLogLevel, message: string, extra: Record<string, unknown> = {}) {
  return {
    namespace: 'Connection',
    level,
    label: KafkaLogLevel[level],
    log: { timestamp: '2026-01-01T00:00:00.000Z', logger: 'kafkajs', message, ...extra },
  } as LogEntry;
}

const COORDINATOR = 'The group coordinator is not available';
const LOADING = "The coordinator is loading and hence can't process requests for this group";
const LEADER =
  'There is no leader for this topic-partition as we are in the middle of a leadership election';

// the broker's error texts, as kafkajs words them (its protocol error table)
const kafkajsError = (code: number): string =>
  (
    createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as {
      createErrorFromCode(code: number): { message: string };
    }
  ).createErrorFromCode(code).message;

describe('classifyKafkaLine', () => {
  it("names each transient state by kafkajs's own error text", () => {
    const response = (code: number) =>
      classifyKafkaLine('Response Metadata(...)', kafkajsError(code));
    // GROUP_COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR_FOR_GROUP, GROUP_LOAD_IN_PROGRESS
    expect([15, 16, 14].map(response)).toEqual(['coordinator', 'coordinator', 'coordinator']);
    // REBALANCE_IN_PROGRESS
    expect(response(27)).toBe('rebalance');
    // LEADER_NOT_AVAILABLE, NOT_LEADER_FOR_PARTITION, UNKNOWN_TOPIC_OR_PARTITION
    expect([5, 6, 3].map(response)).toEqual(['leader', 'leader', 'leader']);
    // MESSAGE_TOO_LARGE, TOPIC_AUTHORIZATION_FAILED: real errors
    expect([10, 29].map(response)).toEqual(['keep', 'keep']);
  });

  it('a consumer crash is transient by its cause; other summaries keep their level', () => {
    expect(classifyKafkaLine(`Crash: KafkaJSProtocolError: ${LOADING}`, undefined)).toBe(
      'coordinator',
    );
    expect(
      classifyKafkaLine(`Crash: KafkaJSNumberOfRetriesExceeded: ${COORDINATOR}`, undefined),
    ).toBe('coordinator');
    expect(classifyKafkaLine('Crash: KafkaJSNonRetriableError: boom', undefined)).toBe('keep');
    expect(classifyKafkaLine('Restarting the consumer in 300ms', COORDINATOR)).toBe('keep');
    expect(classifyKafkaLine(`Failed to send messages: ${LEADER}`, LEADER)).toBe('keep');
    expect(classifyKafkaLine('The group is rebalancing, re-joining', undefined)).toBe('rebalance');
    expect(classifyKafkaLine('Connection error: connect ECONNREFUSED', undefined)).toBe('noise');
  });

  it('transientStateOf names the state of a broker error', () => {
    expect(transientStateOf('GROUP_LOAD_IN_PROGRESS')).toBe('coordinator');
    expect(transientStateOf('REBALANCE_IN_PROGRESS')).toBe('rebalance');
    expect(transientStateOf('LEADER_NOT_AVAILABLE')).toBe('leader');
    expect(transientStateOf('MESSAGE_TOO_LARGE')).toBeUndefined();
    expect(transientStateOf('toString')).toBeUndefined();
  });
});

describe('createKafkaLogFilter', () => {
  it('a transient state that resolves within persistMs is debug only', () => {
    const { log, lines } = recorder();
    let t = 0;
    const filter = createKafkaLogFilter({ log, persistMs: 10_000, now: () => t });
    for (; t < 9_000; t += 1_000) {
      filter(
        entry(KafkaLogLevel.ERROR, 'Response GroupCoordinator(key: 10, version: 2)', {
          error: COORDINATOR,
        }),
      );
    }
    filter(entry(KafkaLogLevel.WARN, 'The group is rebalancing, re-joining', { groupId: 'g' }));
    expect(lines.map((l) => l.level)).toEqual(Array(10).fill('debug'));
    expect(lines[0]?.fields).toEqual({ error: COORDINATOR, groupId: undefined, topic: undefined });
  });

  it('one that persists becomes ONE warn line saying for how long, the rest stays debug', () => {
    const { log, lines } = recorder();
    let t = 0;
    const filter = createKafkaLogFilter({ log, persistMs: 10_000, quietMs: 5_000, now: () => t });
    for (; t <= 30_000; t += 2_000) {
      filter(
        entry(KafkaLogLevel.ERROR, 'Response Metadata(key: 3, version: 6)', {
          error: LEADER,
          topic: 'orders',
        }),
      );
    }
    const warns = lines.filter((l) => l.level === 'warn');
    expect(warns).toHaveLength(1);
    expect(warns[0]?.msg).toMatch(
      /^kafka partition leaders unavailable: the client refreshes metadata and retries/,
    );
    expect(warns[0]?.fields).toMatchObject({
      state: 'leader',
      forMs: 10_000,
      occurrences: 6,
      error: LEADER,
      topic: 'orders',
    });
    expect(lines.filter((l) => l.level === 'debug')).toHaveLength(16);
    expect(lines.some((l) => l.level === 'error')).toBe(false);
  });

  it('a state that cleared (quiet for quietMs) starts over; each state counts on its own', () => {
    const { log, lines } = recorder();
    let t = 0;
    const filter = createKafkaLogFilter({ log, persistMs: 10_000, quietMs: 5_000, now: () => t });
    const coordinator = entry(KafkaLogLevel.ERROR, 'Response FindCoordinator', {
      error: COORDINATOR,
    });
    const rebalance = entry(KafkaLogLevel.WARN, 'The group is rebalancing, re-joining');
    // every 6 s (over quietMs) for a minute: short episodes, none persists
    for (; t <= 60_000; t += 6_000) filter(coordinator);
    // rebalance lines every 4 s from 60 s to 70 s: 10 s, so it warns, as rebalance only
    for (t = 60_000; t <= 70_000; t += 4_000) filter(rebalance);
    t = 70_000;
    filter(rebalance);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.fields?.state)).toEqual([
      'rebalance',
    ]);
  });

  it("a cold broker's crash on a loading coordinator and kafkajs's restart are debug", () => {
    const { log, lines } = recorder();
    const filter = createKafkaLogFilter({ log, now: () => 0 });
    filter(
      entry(KafkaLogLevel.ERROR, 'Response GroupCoordinator(key: 10, version: 2)', {
        error: COORDINATOR,
      }),
    );
    filter(entry(KafkaLogLevel.ERROR, `Crash: KafkaJSProtocolError: ${LOADING}`, { groupId: 'g' }));
    filter(entry(KafkaLogLevel.ERROR, 'Restarting the consumer in 300ms', { groupId: 'g' }));
    // a restart after a real crash keeps its level
    filter(entry(KafkaLogLevel.ERROR, 'Crash: KafkaJSNonRetriableError: boom', { groupId: 'g' }));
    filter(entry(KafkaLogLevel.ERROR, 'Restarting the consumer in 300ms', { groupId: 'g' }));
    expect(lines.map((l) => l.level)).toEqual(['debug', 'debug', 'debug', 'error', 'error']);
  });

  it('a crash after the retries ran out on a transient state warns at once, once', () => {
    const { log, lines } = recorder();
    const filter = createKafkaLogFilter({ log, now: () => 0 });
    const crash = `Crash: KafkaJSNumberOfRetriesExceeded: ${COORDINATOR}`;
    filter(entry(KafkaLogLevel.ERROR, crash, { groupId: 'g' }));
    filter(entry(KafkaLogLevel.ERROR, 'Restarting the consumer in 5000ms', { groupId: 'g' }));
    filter(entry(KafkaLogLevel.ERROR, crash, { groupId: 'g' }));
    const warns = lines.filter((l) => l.level === 'warn');
    expect(warns.map((l) => l.msg)).toEqual([
      'kafka group coordinator unavailable: the client keeps looking it up and retrying; the group consumes and commits nothing until it answers',
    ]);
    expect(warns[0]?.fields).toMatchObject({
      state: 'coordinator',
      retriesExhausted: true,
      groupId: 'g',
    });
    expect(lines.some((l) => l.level === 'error')).toBe(false);
  });

  it('real errors and warnings keep their level; info is debug; noise is debug', () => {
    const { log, lines } = recorder();
    const filter = createKafkaLogFilter({ log, now: () => 0 });
    filter(
      entry(KafkaLogLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceededError', {
        error: 'boom',
        stack: 'x',
      }),
    );
    filter(
      entry(KafkaLogLevel.ERROR, 'Response Produce(key: 0, version: 7)', {
        error: kafkajsError(10),
      }),
    );
    filter(entry(KafkaLogLevel.WARN, 'Response without match', { groupId: 'g' }));
    filter(entry(KafkaLogLevel.INFO, 'Consumer has joined the group'));
    filter(entry(KafkaLogLevel.ERROR, 'Connection timeout'));
    filter(
      entry(
        KafkaLogLevel.WARN,
        'Limiting retries for the idempotent producer may invalidate EoS guarantees',
      ),
    );
    expect(lines.map((l) => [l.level, l.msg.slice(0, 20)])).toEqual([
      ['error', 'Crash: KafkaJSNumber'],
      ['error', 'Response Produce(key'],
      ['warn', 'Response without mat'],
      ['debug', 'Consumer has joined '],
      ['debug', 'Connection timeout'],
      ['debug', 'Limiting retries for'],
    ]);
    expect(lines[0]?.fields).toEqual({ error: 'boom', groupId: undefined, topic: undefined });
  });
});
