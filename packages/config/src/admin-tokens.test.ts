import { describe, expect, it } from 'vitest';
import { ADMIN_SECRET_MIN, adminTokens } from './admin-tokens.ts';
import { loadConfig } from './load-config.ts';

const S1 = 'c2VjcmV0LW9uZS0xMjM0NTY3'; // 24 characters of base64
const S2 = 'f3a9c1d0e8b7a6f5e4d3c2b1a0f9e8d7'; // hex
const S3 = 'AbCdEfGhIjKlMnOp_-.~+/xyz=='; // every b64token character, padded

function parsed(raw: string) {
  const result = adminTokens.parse(raw);
  return result.ok ? result.value : (result.expected ?? 'rejected');
}

describe('ADMIN_TOKENS', () => {
  it('reads name=secret pairs in order; a secret may hold = at its end', () => {
    expect(parsed(`ops=${S1},ci=${S2},deploy.bot_2-x=${S3}`)).toEqual([
      { name: 'ops', secret: S1 },
      { name: 'ci', secret: S2 },
      { name: 'deploy.bot_2-x', secret: S3 },
    ]);
  });

  it('ignores white space around entries (a list written with spaces, a final newline)', () => {
    expect(parsed(` ops=${S1} ,\tci=${S2}\n`)).toEqual([
      { name: 'ops', secret: S1 },
      { name: 'ci', secret: S2 },
    ]);
  });

  it('takes a secret exactly at the minimum length and refuses one shorter', () => {
    const at = 'a'.repeat(ADMIN_SECRET_MIN);
    expect(parsed(`ops=${at}`)).toEqual([{ name: 'ops', secret: at }]);
    expect(parsed(`ops=${at.slice(1)}`)).toContain('entry 1 has a secret shorter than 16');
  });

  it.each([
    ['an empty entry', `ops=${S1},,ci=${S2}`, 'entry 2 is empty'],
    ['a trailing comma', `ops=${S1},`, 'entry 2 is empty'],
    ['no "=" (a secret alone)', S1, 'entry 1 has no "="'],
    ['an empty name', `=${S1}`, 'entry 1 has a name that is not'],
    ['a name with a space', `o ps=${S1}`, 'entry 1 has a name that is not'],
    ['a name starting with a dot', `.ops=${S1}`, 'entry 1 has a name that is not'],
    ['a name with a colon', `ops:1=${S1}`, 'entry 1 has a name that is not'],
    ['a non-ASCII name', `öps=${S1}`, 'entry 1 has a name that is not'],
    ['a name of 65 characters', `${'n'.repeat(65)}=${S1}`, 'entry 1 has a name that is not'],
    ['an empty secret', 'ops=', 'entry 1 has a secret shorter'],
    ['a secret too long', `ops=${'s'.repeat(1025)}`, 'entry 1 has a secret longer than 1024'],
    ['a space in a secret', `ops=${S1} x${S2}`, 'entry 1 has a secret with a character'],
    ['a quote in a secret', `ops="${S1}"`, 'entry 1 has a secret with a character'],
    ['= inside a secret', `ops=${S1}=${S2}`, 'entry 1 has a secret with a character'],
    ['a non-ASCII secret', `ops=${S1}é`, 'entry 1 has a secret with a character'],
    ['a NUL in a secret', `ops=${S1}\u0000`, 'entry 1 has a secret with a character'],
    ['a name used twice', `ops=${S1},ops=${S2}`, 'entries 1 and 2 share a name'],
    ['names differing in case', `ops=${S1},ci=${S3},OPS=${S2}`, 'entries 1 and 3 share a name'],
    ['a secret used twice', `ops=${S1},ci=${S1}`, 'entries 1 and 2 share a secret'],
  ])('refuses %s, naming the entry by position', (_, raw, detail) => {
    const result = parsed(raw);
    expect(typeof result).toBe('string');
    expect(result).toContain(detail);
    expect(result).toMatch(/^name=secret pairs separated by commas/);
  });

  it('is unset by default (the admin API off) and shown as *** when refused', () => {
    const off = loadConfig({});
    expect(off.ok && off.config.admin).toEqual({ tokens: [] });
    const on = loadConfig({ ADMIN_TOKENS: `ops=${S1}` });
    expect(on.ok && on.config.admin).toEqual({ tokens: [{ name: 'ops', secret: S1 }] });
    const bad = loadConfig({ ADMIN_TOKENS: `ops=${S1},ops=${S2}` });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.issues).toEqual([
      {
        code: 'invalid',
        name: 'ADMIN_TOKENS',
        expected: expect.stringContaining('entries 1 and 2 share a name'),
        value: '***',
      },
    ]);
  });

  it('warns about a near miss of its name without showing the value', () => {
    const result = loadConfig({ ADMIN_TOKEN: `ops=${S1}` });
    expect(result.warnings).toEqual(['ADMIN_TOKEN is not a setting; did you mean ADMIN_TOKENS?']);
  });
});
