import { existsSync } from 'node:fs';
import { InfraError } from './errors.ts';
import { findServerBinDir } from './postgres.ts';
import { run, which } from './proc.ts';

export type Tool = 'java' | 'mvn' | 'postgres-server' | 'psql';

const INSTALL: Record<Tool, { what: string; apt: string }> = {
  java: { what: 'Java 17 or newer (java)', apt: 'openjdk-17-jre-headless' },
  mvn: { what: 'Maven (mvn)', apt: 'maven' },
  'postgres-server': {
    what: 'the PostgreSQL server (pg_ctlcluster or initdb/pg_ctl)',
    apt: 'postgresql',
  },
  psql: { what: 'the PostgreSQL client (psql)', apt: 'postgresql-client' },
};

async function javaMajor(): Promise<number | undefined> {
  if (!which('java')) return undefined;
  const result = await run('java', ['-version']);
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr + result.stdout);
  if (!match) return undefined;
  // Java 8 and older report "1.8.0"
  return match[1] === '1' ? Number(match[2]) : Number(match[1]);
}

/** Throws one error naming everything that is missing and how to install it on Debian. */
export async function requireTools(tools: Tool[]): Promise<void> {
  const missing: Tool[] = [];
  for (const tool of new Set(tools)) {
    if (tool === 'java' && ((await javaMajor()) ?? 0) < 17) missing.push(tool);
    if (tool === 'mvn' && !which('mvn')) missing.push(tool);
    if (tool === 'postgres-server' && !which('pg_ctlcluster') && !findServerBinDir()) {
      missing.push(tool);
    }
    if (tool === 'psql' && !which('psql') && !existsSync(`${findServerBinDir()}/psql`)) {
      missing.push(tool);
    }
  }
  if (missing.length === 0) return;
  const names = missing.map((t) => INSTALL[t].what).join(', ');
  const apt = missing.map((t) => INSTALL[t].apt).join(' ');
  throw new InfraError(
    'missing_tools',
    `missing ${names}.\nInstall with: apt-get update && apt-get install -y ${apt}`,
  );
}
