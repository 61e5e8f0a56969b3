import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from './parse-text.ts';

describe('parsePrometheusText', () => {
  const invalid: [string, string][] = [
    ['no final newline', '# TYPE a counter\na 1'],
    ['bad value', '# TYPE a counter\na one\n'],
    ['unknown type', '# TYPE a thing\na 1\n'],
    ['unterminated label', '# TYPE a counter\na{x="1} 1\n'],
    ['bad escape', '# TYPE a gauge\na{x="\\t"} 1\n'],
    ['duplicate series', '# TYPE a gauge\na{x="1"} 1\na{x="1"} 2\n'],
    ['negative counter', '# TYPE a counter\na -1\n'],
    ['split family', '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x="2"} 1\n'],
    [
      'non-cumulative histogram',
      '# TYPE h histogram\nh_bucket{le="1"} 5\nh_bucket{le="+Inf"} 3\nh_sum 1\nh_count 3\n',
    ],
    ['histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 5\nh_sum 1\nh_count 5\n'],
    ['bare histogram sample', '# TYPE h histogram\nh 1\n'],
  ];
  it.each(invalid)('rejects %s', (_name, text) => {
    expect(parsePrometheusText(text).ok).toBe(false);
  });

  it('accepts timestamps, special values and plain comments', () => {
    const result = parsePrometheusText(
      '# a comment\n# TYPE a gauge\na{x="1"} NaN\na{x="2"} +Inf 1700000000000\na{x="3"} -1.5e3\n',
    );
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.families.get('a')?.samples[2]?.value).toBe(-1500);
  });
});
