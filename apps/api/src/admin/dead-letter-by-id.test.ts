import { sampleJson } from '@orders/model/testing';
import { describe, expect, it } from 'vitest';
import { adminDeps, adminRouteApp } from '../test/admin-app.ts';
import { ledgerLetter } from '../test/fake-dead-letters.ts';
import { expectError } from '../test/route-app.ts';
import { deadLetterByIdRoute } from './dead-letter-by-id.ts';
import type { DeadLetterRecord } from './deps.ts';

function setup(letters: DeadLetterRecord[], maxMessageBytes = 512 * 1024) {
  const deps = adminDeps({ maxMessageBytes });
  deps.deadLetters.letters.push(...letters);
  return { ...adminRouteApp(deadLetterByIdRoute(deps)), fake: deps.deadLetters };
}

const valid = Buffer.from(sampleJson());

describe('GET /dead-letters/{id}', () => {
  it('answers the letter with the list fields and would_pass_now: true when it passes today', async () => {
    const redrive = { run: 4, state: 'sent', outcome: 'superseded', sent_at: null } as const;
    const { app } = setup([
      ledgerLetter({ id: 9, value: valid, size: valid.length, redrives: [redrive] }),
    ]);
    const res = await app.request('/dead-letters/9');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'id',
      'reason',
      'problems',
      'source',
      'key',
      'uid',
      'value',
      'size',
      'truncated',
      'stored_at',
      'redrives',
      'would_pass_now',
    ]);
    expect(body).toMatchObject({
      id: 9,
      source: {
        topic: 'orders',
        partition: 0,
        offset: '90',
        timestamp: '2023-11-14T22:13:20.123Z',
      },
      key: 'key-9',
      value: sampleJson(),
      size: valid.length,
      truncated: false,
      stored_at: '2026-12-01T10:00:09.000001Z',
      redrives: [redrive],
      would_pass_now: true,
    });
  });

  it("re-validates with the running model and KAFKA_MAX_BYTES: today's problems", async () => {
    const { app } = setup(
      [
        ledgerLetter({ id: 1 }), // {"order_uid":…}: fields missing
        ledgerLetter({ id: 2, value: valid, size: valid.length }),
        ledgerLetter({ id: 3, value: Buffer.from([0xff]), size: 1, reason: 'not_json' }),
        ledgerLetter({ id: 4, value: valid.subarray(0, 100), size: 700_000, truncated: true }),
        ledgerLetter({ id: 5, value: valid.subarray(0, 100), size: 1_000, truncated: true }),
      ],
      1_000,
    );
    const pass = async (id: number) =>
      ((await (await app.request(`/dead-letters/${id}`)).json()) as { would_pass_now: unknown })
        .would_pass_now;
    expect(await pass(1)).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'required' })]),
    );
    // the sample is over the 1,000 bytes this instance runs with
    expect(await pass(2)).toEqual([expect.objectContaining({ path: '', code: 'too_long' })]);
    expect(await pass(3)).toEqual([expect.objectContaining({ code: 'syntax' })]);
    expect(await pass(4)).toEqual([
      { path: '', code: 'too_long', message: 'value is 700000 bytes, limit 1000' },
    ]);
    expect(await pass(5)).toEqual([expect.objectContaining({ path: '', code: 'invalid' })]);
  });

  it('answers 404 for an id no letter has, 400 for one that is not an id', async () => {
    const { app, fake } = setup([ledgerLetter({ id: 1 })]);
    await expectError(await app.request('/dead-letters/2'), 404, 'not_found');
    for (const id of [
      '0',
      '-1',
      '01',
      '1.0',
      'abc',
      '%00',
      '9007199254740992',
      '1e3',
      '%3Cimg%3E',
    ]) {
      const error = await expectError(await app.request(`/dead-letters/${id}`), 400, 'bad_request');
      expect(error.message).toBe('id must be a decimal integer from 1 to 9007199254740991');
    }
    await expectError(await app.request('/dead-letters/1?x=1'), 400, 'bad_request');
    expect(fake.calls.get).toEqual([2]);
  });

  it('answers 503 when the ledger cannot be read', async () => {
    const { app, fake } = setup([]);
    fake.fail(new Error('timeout'));
    await expectError(await app.request('/dead-letters/1'), 503, 'unavailable');
  });
});
