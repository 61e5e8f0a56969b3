import { apiRoutePaths } from '@orders/api/testing';
import { describe, expect, it } from 'vitest';
import { judgeAnswer, percentile, probes } from './http-abuse.ts';

describe('judgeAnswer', () => {
  it('accepts 4xx and plain JSON errors', () => {
    expect(judgeAnswer({ status: 404, body: '{"error":"not_found"}' })).toBeUndefined();
    expect(judgeAnswer({ status: 0, body: '', error: 'socket hang up' })).toBeUndefined();
  });

  it('flags 5xx, stack traces and file contents', () => {
    expect(judgeAnswer({ status: 503, body: '' })).toBe('status 503');
    expect(
      judgeAnswer({ status: 400, body: 'Error\n    at handler (file:///x/app.ts:1:2)' }),
    ).toMatch(/leaks/);
    expect(judgeAnswer({ status: 200, body: 'root:x:0:0:root:/root:/bin/bash' })).toMatch(/leaks/);
  });
});

describe('percentile', () => {
  it('is the nearest-rank percentile', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 50)).toBe(50);
  });
});

describe('probes', () => {
  it('covers every method on every route and each abuse class', () => {
    const list = probes('abc');
    const names = new Set(list.map((p) => p.name));
    for (const n of [
      'traversal',
      '10 KB key',
      'sql-ish',
      'unicode',
      '%00',
      'method',
      '5 MB body',
    ]) {
      expect(names).toContain(n);
    }
    expect(list.filter((p) => p.name === 'method' && p.path === '/metrics')).toHaveLength(9);
    // the API's routes come from its app: each of them, the page's files included, every method
    for (const path of apiRoutePaths({ uid: 'abc', id: '1' })) {
      expect(
        list.filter((p) => p.name === 'method' && p.path === path),
        path,
      ).toHaveLength(9);
    }
    expect(list.some((p) => p.path === '/assets/app.js')).toBe(true);
  });
});
