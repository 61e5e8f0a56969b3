import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { paths } from './paths.ts';

/** What `up` itself started, so `down` stops exactly that and nothing else. */
export type InfraState = {
  kafka?: { pid: number; startedAt: string };
  postgres?:
    | { kind: 'debian-cluster'; version: string; cluster: string; startedAt: string }
    | { kind: 'local-cluster'; pgCtl: string; dataDir: string; startedAt: string };
};

export function readState(): InfraState {
  try {
    return JSON.parse(readFileSync(paths.state, 'utf8')) as InfraState;
  } catch {
    return {};
  }
}

export function writeState(state: InfraState): void {
  mkdirSync(dirname(paths.state), { recursive: true });
  const tmp = `${paths.state}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, paths.state);
}
