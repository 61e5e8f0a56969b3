import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { paths } from './paths.ts';

/** What `up` itself started, so `down` stops exactly that and nothing else. */
export type InfraState = {
  kafka?: { pid: number; startedAt: string };
  /** A list: runs with different DB_PORTs may each have started a server. */
  postgres?: StartedPostgres[];
};

export type StartedPostgres =
  | { kind: 'debian-cluster'; version: string; cluster: string; port: number; startedAt: string }
  | { kind: 'local-cluster'; pgCtl: string; dataDir: string; port: number; startedAt: string };

export function readState(): InfraState {
  try {
    const state = JSON.parse(readFileSync(paths.state, 'utf8')) as InfraState;
    // written by an earlier version that recorded a single server
    if (state.postgres && !Array.isArray(state.postgres)) state.postgres = [state.postgres];
    return state;
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
