import { describe, expect, it } from 'vitest';
import { serverOptions } from './server-options.ts';

describe('serverOptions', () => {
  it('takes every timeout from its caller', () => {
    expect(
      serverOptions({
        headersTimeoutMs: 1_001,
        requestTimeoutMs: 2_002,
        keepAliveTimeoutMs: 3_003,
      }),
    ).toEqual({
      headersTimeout: 1_001,
      requestTimeout: 2_002,
      keepAliveTimeout: 3_003,
      connectionsCheckingInterval: 2_000,
    });
  });
});
