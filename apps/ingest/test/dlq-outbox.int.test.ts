// Dead letters and their batch's offset are one Kafka transaction: a kill -9 after the DLQ records
// are sent and before that transaction commits must not leave a second copy, after a restart, for
// read_committed readers of the DLQ (the fault suite's "exactly once per source offset").

import { DLQ_HEADERS } from '@orders/kafka';
import { describe, expect, it } from 'vitest';
import { bytes, invalidMessages, makeOrder } from './fixtures.ts';
import { freePort, produce, readDeadLetters, rowCount, useTestEnv, waitFor } from './harness.ts';

const t = useTestEnv();

describe('dead letters in a Kafka transaction (child process)', () => {
  it('a kill -9 between the DLQ send and its commit leaves each invalid message once per source offset', async () => {
    const env = await t.setup({ partitions: 1 });
    const maxBytes = 20_000;
    // the same port on restart: the same transactional id, so the restart fences the killed
    // process and aborts its open transaction at once
    const port = String(await freePort());
    const base = { SERVER_PORT: port, KAFKA_MAX_BYTES: String(maxBytes) };
    const a = await t.spawn({ ...base, ORDERS_TEST_CRASH_BEFORE_DLQ_COMMIT: '1' });

    const invalid = invalidMessages(maxBytes);
    const messages: { key: string | null; value: Buffer | null }[] = [];
    for (let i = 0; i < 100; i++) {
      const uid = `dlqtx-${i}`;
      messages.push({ key: uid, value: bytes(makeOrder(uid)) });
      const bad = invalid[i / 10];
      if (i % 10 === 0 && bad) messages.push({ key: `bad-${i}`, value: bad.value });
    }
    await produce(env.brokers, env.topic, messages);
    expect((await a.exited).signal).toBe('SIGKILL');

    await t.spawn(base);
    await waitFor(async () => (await rowCount(env.databaseUrl)) === 100, 30_000, '100 rows');

    const committed = await readDeadLetters(env);
    const sourceOffsets = committed.map((d) => d.headers[DLQ_HEADERS.offset]);
    expect(new Set(sourceOffsets).size).toBe(sourceOffsets.length);
    expect(committed).toHaveLength(invalid.length);
    expect(committed.map((d) => d.headers[DLQ_HEADERS.reason]).sort()).toEqual(
      invalid.map((i) => i.reason).sort(),
    );
    // the crash did land after the send: the log holds the aborted copy too
    const raw = await readDeadLetters(env, { isolation: 'read_uncommitted' });
    expect(raw).toHaveLength(2 * invalid.length);
  });
});
