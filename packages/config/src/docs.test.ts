import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderEnvExample, renderVariableTable, TABLE_END, TABLE_START } from './docs.ts';
import { loadConfig } from './load-config.ts';
import { variableList } from './variables.ts';

const REGENERATE = 'out of date: run `pnpm --filter @orders/config docs`';
const envExample = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('.env.example at the repository root', () => {
  it('is what variables.ts generates', () => {
    expect(envExample, REGENERATE).toBe(renderEnvExample());
  });

  const lines = envExample.split('\n');
  const assignment = /^(?:# )?([A-Z][A-Z0-9_]*)=(.*)$/;

  it('lists every variable once, with its default and a line of meaning above it', () => {
    for (const spec of variableList) {
      const at = lines.findIndex((line) => assignment.exec(line)?.[1] === spec.name);
      expect(at, spec.name).toBeGreaterThan(0);
      const expectedLine =
        spec.default === undefined ? `# ${spec.name}=` : `${spec.name}=${spec.default}`;
      expect(lines[at]).toBe(expectedLine);
      expect(lines[at - 1], `meaning of ${spec.name}`).toMatch(/^# \S.{10,}$/);
      expect(lines.filter((line) => assignment.exec(line)?.[1] === spec.name)).toHaveLength(1);
    }
  });

  it('names no variable that does not exist', () => {
    const known = new Set<string>(variableList.map((spec) => spec.name));
    const named = lines.flatMap((line) => assignment.exec(line)?.[1] ?? []);
    expect(named.filter((name) => !known.has(name))).toEqual([]);
  });

  it('its values, used as an environment, give exactly the defaults', () => {
    const env = Object.fromEntries(
      lines.flatMap((line) => {
        const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
        return match ? [[match[1], match[2]]] : [];
      }),
    );
    const fromFile = loadConfig(env);
    const fromNothing = loadConfig({});
    expect(fromFile.ok && fromNothing.ok).toBe(true);
    if (fromFile.ok && fromNothing.ok) expect(fromFile.config).toEqual(fromNothing.config);
  });
});

describe('README variable table', () => {
  // biome pads the table's columns; compare cell contents only.
  const normalize = (text: string) =>
    text
      .split('\n')
      .map((line) =>
        line.startsWith('|')
          ? line
              .split(/(?<!\\)\|/)
              .map((cell) => cell.trim().replace(/^-+$/, '---'))
              .join('|')
          : line.trim(),
      )
      .filter((line) => line !== '')
      .join('\n');

  it('is what variables.ts generates', () => {
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    expect(start, 'README markers').toBeGreaterThanOrEqual(0);
    expect(normalize(readme.slice(start, end + TABLE_END.length)), REGENERATE).toBe(
      normalize(renderVariableTable()),
    );
  });

  it('has a row for every variable', () => {
    for (const spec of variableList) expect(readme).toContain(`| \`${spec.name}\``);
  });
});
