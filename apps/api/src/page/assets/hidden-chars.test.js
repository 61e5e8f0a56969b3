import { describe, expect, it } from 'vitest';
import {
  describeHidden,
  hiddenMarker,
  isHidden,
  jsonText,
  jsonTokens,
  revealHidden,
  splitHidden,
} from './hidden-chars.js';

const BIDI_CONTROLS = [
  0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
];

describe('isHidden', () => {
  it('hides every bidirectional control, in prose and in identifiers', () => {
    for (const codePoint of BIDI_CONTROLS) {
      expect(isHidden(codePoint), codePoint.toString(16)).toBe(true);
      expect(isHidden(codePoint, { identifier: true }), codePoint.toString(16)).toBe(true);
    }
    // The property matches the list: nothing else in the bidi-control ranges is missed or added.
    const bidiControl = /\p{Bidi_Control}/u;
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
      if (bidiControl.test(String.fromCodePoint(codePoint))) {
        expect(BIDI_CONTROLS, codePoint.toString(16)).toContain(codePoint);
      }
    }
  });

  it('hides controls, zero-width and other invisible characters', () => {
    const invisible = {
      'C0 and DEL': [0x0000, 0x0009, 0x000a, 0x000d, 0x001b, 0x007f],
      C1: [0x0085, 0x009b],
      'soft hyphen': [0x00ad],
      'Hangul fillers (they draw a blank)': [0x115f, 0x3164, 0xffa0],
      'zero-width and invisible operators': [0x180e, 0x200b, 0x2060, 0x2061, 0x2064, 0xfeff],
      'line and paragraph separators': [0x2028, 0x2029],
      'interlinear annotation': [0xfff9, 0xfffb],
      'tag characters ("ASCII smuggling")': [0xe0001, 0xe0041, 0xe007f],
      'lone surrogates': [0xd800, 0xdfff],
    };
    for (const [group, codePoints] of Object.entries(invisible)) {
      for (const codePoint of codePoints) {
        expect(isHidden(codePoint), `${group}: ${codePoint.toString(16)}`).toBe(true);
      }
    }
  });

  it('draws letters, digits, spaces, punctuation, emoji and right-to-left letters as they are', () => {
    for (const char of ['a', 'Z', '0', ' ', '\u00a0', '-', '<', 'é', 'ש', 'ع', '中', '€', '😀']) {
      expect(isHidden(/** @type {number} */ (char.codePointAt(0))), char).toBe(false);
    }
  });

  it('keeps joiners and variation selectors in prose, and hides them in identifiers', () => {
    for (const codePoint of [0x200c, 0x200d, 0xfe0f, 0xfe00, 0x180b, 0xe0100]) {
      expect(isHidden(codePoint), codePoint.toString(16)).toBe(false);
      expect(isHidden(codePoint, { identifier: true }), codePoint.toString(16)).toBe(true);
    }
  });
});

describe('splitHidden', () => {
  it('cuts the text around each hidden character and gives it back whole', () => {
    const text = 'evil\u202Egnp.exe';
    expect(splitHidden(text)).toEqual(['evil', 0x202e, 'gnp.exe']);
    expect(splitHidden('\u2067\u2069')).toEqual([0x2067, 0x2069]);
    expect(splitHidden('plain')).toEqual(['plain']);
    expect(splitHidden('')).toEqual([]);
    const mixed = 'a\u200Bb\u{E0041}c\uD800d😀';
    const back = splitHidden(mixed)
      .map((part) => (typeof part === 'string' ? part : String.fromCodePoint(part)))
      .join('');
    expect(back).toBe(mixed);
  });

  it('agrees with isHidden on every code point, in prose and in identifiers', () => {
    const codePoints = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      // Surrogates one by one below (in a row, a high and a low one would make a pair).
      if (cp < 0xd800 || cp > 0xdfff) codePoints.push(cp);
    }
    const text = codePoints.map((cp) => String.fromCodePoint(cp)).join('');
    for (const identifier of [false, true]) {
      const expected = codePoints.filter((cp) => isHidden(cp, { identifier }));
      const found = splitHidden(text, { identifier }).filter((part) => typeof part === 'number');
      expect(found).toEqual(expected);
    }
    expect(splitHidden('a\uD800b\uDFFF', { identifier: true })).toEqual(['a', 0xd800, 'b', 0xdfff]);
  });

  it('leaves an emoji sequence whole in prose, not in an identifier', () => {
    const coder = '👩\u200D💻';
    expect(splitHidden(`by ${coder}`)).toEqual([`by ${coder}`]);
    expect(splitHidden(coder, { identifier: true })).toEqual(['👩', 0x200d, '💻']);
  });
});

describe('markers', () => {
  it('names the code point, visibly and in the tooltip', () => {
    expect(hiddenMarker(0x202e)).toBe('⟨U+202E⟩');
    expect(hiddenMarker(0x9)).toBe('⟨U+0009⟩');
    expect(hiddenMarker(0xe0041)).toBe('⟨U+E0041⟩');
    expect(describeHidden(0x202e)).toBe('U+202E RIGHT-TO-LEFT OVERRIDE');
    expect(describeHidden(0x2061)).toBe('U+2061 invisible or control character');
  });

  it('reveals hidden characters in a plain string', () => {
    expect(revealHidden('evil\u202Egnp.exe')).toBe('evil⟨U+202E⟩gnp.exe');
    expect(revealHidden('Order \u2067x\u2069 found.')).toBe('Order ⟨U+2067⟩x⟨U+2069⟩ found.');
    expect(revealHidden('no change')).toBe('no change');
  });
});

describe('jsonTokens', () => {
  const order = {
    order_uid: 'b563feb7b2b84b6test',
    customer_id: 'evil\u202Egnp.exe',
    delivery: { name: 'שלום', address: 'a\u200Bb', note: 'tab\there, esc\u001b' },
    'key\u2066': ['\u{E0041}', 'back\\u202e', 'quote"', 1817, null, true],
  };

  it('is JSON for the same value, with no hidden character left raw', () => {
    const text = jsonText(jsonTokens(order));
    expect(JSON.parse(text)).toEqual(order);
    expect(text).toBe(
      JSON.stringify(order, null, 2)
        .replace('\u202E', '\\u202e')
        .replace('\u200B', '\\u200b')
        .replace('\u2066', '\\u2066')
        .replace('\u{E0041}', '\\udb40\\udc41'),
    );
    for (const char of text) {
      expect(isHidden(/** @type {number} */ (char.codePointAt(0))), escape(char)).toBe(
        char === '\n', // the indentation's own line breaks, outside every string
      );
    }
  });

  it('gives each string, key or value, a token of its own, escapes marked', () => {
    const tokens = jsonTokens(order);
    const strings = tokens.filter((token) => token.kind === 'string');
    expect(strings).toHaveLength(15); // 7 keys and 8 string values
    const customer = strings.find((token) =>
      token.parts.some((part) => part.kind === 'text' && part.text.startsWith('"evil')),
    );
    expect(customer?.parts).toEqual([
      { kind: 'text', text: '"evil' },
      { kind: 'escape', text: '\\u202e', codePoint: 0x202e },
      { kind: 'text', text: 'gnp.exe"' },
    ]);
    // JSON.stringify's own \u escapes (C0 controls) are marked as well; \t and \\ are plain text.
    const note = strings.find((token) =>
      token.parts.some((part) => part.kind === 'text' && part.text.startsWith('"tab')),
    );
    expect(note?.parts).toEqual([
      { kind: 'text', text: '"tab\\there, esc' },
      { kind: 'escape', text: '\\u001b', codePoint: 0x1b },
      { kind: 'text', text: '"' },
    ]);
    const backslash = strings.find((token) =>
      token.parts.some((part) => part.kind === 'text' && part.text.startsWith('"back')),
    );
    expect(backslash?.parts).toEqual([{ kind: 'text', text: '"back\\\\u202e"' }]);
    // Between strings: only JSON's punctuation, numbers, literals and whitespace.
    for (const token of tokens) {
      if (token.kind === 'plain') expect(token.text).toMatch(/^[\s{}[\]:,0-9a-z-]*$/);
    }
  });

  it('writes values that are not objects too', () => {
    expect(jsonText(jsonTokens('x\u202Ey'))).toBe('"x\\u202ey"');
    expect(jsonText(jsonTokens(42))).toBe('42');
    expect(jsonText(jsonTokens(undefined))).toBe('null');
  });
});
