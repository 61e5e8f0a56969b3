import { describe, expect, it } from 'vitest';
import { formatPath, mapJson, pieces, problemSpans } from './json-paths.js';

/** @param {string} text @param {string} path */
function at(text, path) {
  const span = mapJson(text).values.get(path);
  return span === undefined ? undefined : text.slice(span.start, span.end);
}

describe('formatPath', () => {
  it('writes paths as the model does', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath(['items', 0, 'price'])).toBe('items[0].price');
    expect(formatPath(['extra', 'a.b'])).toBe('extra["a.b"]');
    expect(formatPath(['x'.repeat(65)])).toBe(`["${'x'.repeat(64)}…"]`);
  });
});

describe('mapJson', () => {
  it('finds every value by its path, as written in the text', () => {
    const text =
      '{ "order_uid": "u1", "items": [ {"price": -1.5e2 }, {"name":"a\\"b"} ], "ok": null }';
    expect(at(text, 'order_uid')).toBe('"u1"');
    expect(at(text, 'items[0].price')).toBe('-1.5e2');
    expect(at(text, 'items[1].name')).toBe('"a\\"b"');
    expect(at(text, 'items[1]')).toBe('{"name":"a\\"b"}');
    expect(at(text, 'ok')).toBe('null');
    expect(at(text, '')).toBe(text.trim());
    expect(mapJson(text).stoppedAt).toBeNull();
  });

  it('quotes odd keys like the model, and the last of duplicate keys wins', () => {
    const text = '{"a.b": 1, "k": 1, "k": 22}';
    expect(at(text, '["a.b"]')).toBe('1');
    expect(at(text, 'k')).toBe('22');
  });

  it('keeps what it found when the text stops being JSON, and says where', () => {
    const text = '{"order_uid": "u1", "items": [1, 2,';
    const map = mapJson(text);
    expect(map.stoppedAt).toBe(text.length);
    expect(at(text, 'order_uid')).toBe('"u1"');
    expect(at(text, 'items[1]')).toBe('2');
    expect(mapJson('<img src=x onerror=alert(1)>').stoppedAt).toBe(0);
    expect(mapJson('{"a":1} x').stoppedAt).toBe(8);
  });

  it('stops at a nesting deeper than any order instead of overflowing the stack', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(mapJson(deep).stoppedAt).toBe(257);
  });

  it('lists each string literal, keys included', () => {
    const text = '{"a": ["x", 1]}';
    expect(mapJson(text).strings.map((s) => text.slice(s.start, s.end))).toEqual(['"a"', '"x"']);
  });
});

describe('problemSpans', () => {
  const text = '{"delivery": {"name": ""}, "items": [{"price": -1}]}';
  const spans = (/** @type {{ path: string }[]} */ problems, source = text) =>
    problemSpans(
      mapJson(source),
      problems.map((p) => ({ ...p, code: 'x', message: 'm' })),
      source.length,
    ).map((s) => ({ text: source.slice(s.start, s.end), problem: s.problem, exact: s.exact }));

  it('marks a problem at its value, a missing one at its nearest enclosing value', () => {
    expect(spans([{ path: 'items[0].price' }, { path: 'delivery.phone' }])).toEqual([
      { text: '-1', problem: 0, exact: true },
      { text: '{"name": ""}', problem: 1, exact: false },
    ]);
    // `items` is not an enclosing value of `itemsx`: the whole value is
    expect(spans([{ path: 'itemsx[0]' }])[0]?.text).toBe(text);
  });

  it('leaves a whole-value problem unmarked, unless the text stopped being JSON', () => {
    expect(spans([{ path: '' }])).toEqual([]);
    expect(spans([{ path: '' }], '{"a": tru')).toEqual([{ text: 't', problem: 0, exact: false }]);
  });
});

describe('pieces', () => {
  it('cuts the text at every mark and string, each piece knowing what covers it', () => {
    expect(
      pieces(
        10,
        [
          { start: 2, end: 8, problem: 0, exact: true },
          { start: 4, end: 6, problem: 1, exact: true },
        ],
        [{ start: 4, end: 6 }],
      ),
    ).toEqual([
      { start: 0, end: 2, problems: [], inString: false },
      { start: 2, end: 4, problems: [0], inString: false },
      { start: 4, end: 6, problems: [0, 1], inString: true },
      { start: 6, end: 8, problems: [0], inString: false },
      { start: 8, end: 10, problems: [], inString: false },
    ]);
  });
});
