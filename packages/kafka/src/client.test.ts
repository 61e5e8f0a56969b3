import { describe, expect, it } from 'vitest';
import { createKafka, type KafkaLog } from './client.ts';

function recorder(level: string) {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const log: KafkaLog = {
    level,
    debug: (msg, fields) => lines.push({ level: 'debug', msg, fields }),
    warn: (msg, fields) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => lines.push({ level: 'error', msg, fields }),
  };
  return { log, lines };
}

describe("createKafka's log mapping", () => {
  it('connection retries, the bounded-retries warning and transient states are debug; the rest keeps its level', () => {
    const { log, lines } = recorder('info');
    const logger = createKafka({ brokers: ['127.0.0.1:1'], clientId: 't', log }).logger();
    logger.error('Connection error: connect ECONNREFUSED 127.0.0.1:1', { groupId: 'g' });
    logger.error('Connection timeout');
    logger.error('Failed to connect to seed broker, trying another broker from the list');
    logger.warn('Limiting retries for the idempotent producer to Number.MAX_SAFE_INTEGER');
    logger.warn('The group is rebalancing, re-joining', { groupId: 'g' });
    logger.warn('Response without match', { groupId: 'g', stack: 'x', topic: 't' });
    logger.error('Crash: KafkaJSNumberOfRetriesExceeded', { error: 'boom', timestamp: 'now' });
    logger.info('Consumer has joined the group');
    expect(lines.map((l) => [l.level, l.msg.slice(0, 20)])).toEqual([
      ['debug', 'Connection error: co'],
      ['debug', 'Connection timeout'],
      ['debug', 'Failed to connect to'],
      ['debug', 'Limiting retries for'],
      ['debug', 'The group is rebalan'],
      ['warn', 'Response without mat'],
      ['error', 'Crash: KafkaJSNumber'],
    ]);
    // only the small fields travel; kafkajs's stack and timestamp do not
    expect(lines[5]?.fields).toEqual({ error: undefined, groupId: 'g', topic: 't' });
    expect(lines[6]?.fields).toEqual({ error: 'boom', groupId: undefined, topic: undefined });
  });

  it("at debug the client's info lines come too, as debug", () => {
    const { log, lines } = recorder('debug');
    createKafka({ brokers: ['127.0.0.1:1'], clientId: 't', log })
      .logger()
      .info('Consumer has joined the group');
    expect(lines).toEqual([
      {
        level: 'debug',
        msg: 'Consumer has joined the group',
        fields: { error: undefined, groupId: undefined, topic: undefined },
      },
    ]);
  });

  it('without a log nothing is written anywhere', () => {
    const writes: string[] = [];
    const original = console.log;
    console.log = (...a: unknown[]) => writes.push(a.join(' '));
    try {
      createKafka({ brokers: ['127.0.0.1:1'], clientId: 't' })
        .logger()
        .error('Crash: x');
    } finally {
      console.log = original;
    }
    expect(writes).toEqual([]);
  });
});
