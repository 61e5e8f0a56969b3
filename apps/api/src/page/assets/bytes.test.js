import { describe, expect, it } from 'vitest';
import { base64Bytes, hexDump } from './bytes.js';

describe('base64Bytes', () => {
  it('decodes base64, and says null to anything else', () => {
    expect([...(base64Bytes('/wB7') ?? [])]).toEqual([0xff, 0x00, 0x7b]);
    expect(base64Bytes('not base64!')).toBeNull();
  });
});

describe('hexDump', () => {
  it('writes 16 bytes a line with only printable ASCII in the text column', () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0x3c, 0xff, 0x0a, ...new Array(13).fill(0x41)]);
    expect(hexDump(bytes)).toEqual({
      lines: [
        '00000000  7b 22 3c ff 0a 41 41 41 41 41 41 41 41 41 41 41  |{"<..AAAAAAAAAAA|',
        `00000010  41 41${' '.repeat(42)}  |AA|`,
      ],
      shown: 18,
    });
  });

  it('stops at the byte budget', () => {
    expect(hexDump(new Uint8Array(100), 32)).toMatchObject({ shown: 32 });
    expect(hexDump(new Uint8Array(100), 32).lines).toHaveLength(2);
  });
});
