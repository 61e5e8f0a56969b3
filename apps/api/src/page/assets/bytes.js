// A value that is not UTF-8 (the API sends it as base64) shown as bytes: a hex dump whose text
// column has only printable ASCII, so no byte of it is ever drawn as a character it is not.
// Pure functions, unit-tested without a browser (bytes.test.js).

/**
 * The bytes of a base64 text, or null when it is not base64.
 * @param {string} base64
 * @returns {Uint8Array | null}
 */
export function base64Bytes(base64) {
  try {
    const binary = atob(base64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

/**
 * `00000000  7b 22 61 ff  |{"a.|`: 16 bytes a line, at most `maxBytes` of them.
 * @param {Uint8Array} bytes
 * @param {number} [maxBytes]
 * @returns {{ lines: string[], shown: number }}
 */
export function hexDump(bytes, maxBytes = 4096) {
  const shown = Math.min(bytes.length, maxBytes);
  const lines = [];
  for (let at = 0; at < shown; at += 16) {
    const row = bytes.subarray(at, Math.min(at + 16, shown));
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'));
    lines.push(`${at.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  |${ascii.join('')}|`);
  }
  return { lines, shown };
}
