import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDINGS, renderFindings } from './findings.ts';

const root = join(import.meta.dirname, '../../..');

describe('findings', () => {
  it('every test a finding names exists in the repository', () => {
    const paths = FINDINGS.flatMap((g) => g.entries)
      .flatMap((f) => f.held.match(/[\w./-]+\.(?:test|int\.test|browser\.test)\.ts/g) ?? [])
      .map((p) => p.replace(/[.,]$/, ''));
    expect(paths.length).toBeGreaterThan(5);
    for (const p of paths) expect(existsSync(join(root, p)), p).toBe(true);
  });

  it('renders a section with every entry', () => {
    const text = renderFindings().join('\n');
    expect(text).toContain('## Findings and fixes');
    expect(text.match(/\*\*Found:\*\*/g)).toHaveLength(FINDINGS.flatMap((g) => g.entries).length);
  });
});
