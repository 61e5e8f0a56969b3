// Rewrites the root .env.example and the variable table of packages/config/README.md from
// src/variables.ts. Run after changing a variable: `pnpm --filter @orders/config docs`.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderEnvExample, withVariableTable } from '../src/docs.ts';

const envExample = new URL('../../../.env.example', import.meta.url);
const readme = new URL('../README.md', import.meta.url);

writeFileSync(envExample, renderEnvExample());
writeFileSync(readme, withVariableTable(readFileSync(readme, 'utf8')));
// biome pads Markdown tables; format now so `biome check` passes (the test ignores the padding).
execFileSync('biome', ['format', '--write', fileURLToPath(readme)], { stdio: 'inherit' });
console.log('wrote .env.example and packages/config/README.md');
