import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import pg from 'pg';
import { InfraError } from './errors.ts';
import { paths } from './paths.ts';
import { run, sleep, which } from './proc.ts';
import { type InfraSettings, postgresUrl } from './settings.ts';

type PgSettings = InfraSettings['postgres'];

/** How to reach the server as its superuser: over its unix socket, as an OS user peer auth accepts. */
export type SuperuserAccess = { socketDir: string; port: number; osUser: 'postgres' | 'self' };

export type DebianCluster = { version: string; cluster: string; port: number; running: boolean };

/** The Debian-managed cluster (postgresql-common) configured for `port`, if there is one. */
export async function findDebianCluster(port: number): Promise<DebianCluster | undefined> {
  if (!which('pg_lsclusters')) return undefined;
  const result = await run('pg_lsclusters', ['-h']);
  for (const line of result.stdout.split('\n')) {
    const [version, cluster, p, status] = line.trim().split(/\s+/);
    if (version && cluster && Number(p) === port) {
      return { version, cluster, port, running: status?.startsWith('online') ?? false };
    }
  }
  return undefined;
}

export async function startDebianCluster(c: DebianCluster): Promise<void> {
  const result = await run('pg_ctlcluster', [c.version, c.cluster, 'start']);
  if (result.code !== 0) {
    throw new InfraError(
      'postgres_failed',
      `pg_ctlcluster ${c.version} ${c.cluster} start failed:\n${(result.stdout + result.stderr).trim()}`,
    );
  }
}

export async function stopDebianCluster(version: string, cluster: string): Promise<void> {
  const result = await run('pg_ctlcluster', [version, cluster, 'stop', '-m', 'fast']);
  if (result.code !== 0 && !/is not running/.test(result.stderr)) {
    throw new InfraError(
      'postgres_failed',
      `pg_ctlcluster ${version} ${cluster} stop failed:\n${(result.stdout + result.stderr).trim()}`,
    );
  }
}

/** The directory of the newest installed PostgreSQL server binaries (Debian layout, else PATH). */
export function findServerBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(`${root}/${v}/bin/initdb`) && existsSync(`${root}/${v}/bin/pg_ctl`))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return `${root}/${versions[0]}/bin`;
  }
  const initdb = which('initdb');
  return initdb ? initdb.slice(0, initdb.lastIndexOf('/')) : undefined;
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** Runs a server binary as the OS user that owns the local cluster (never root: initdb refuses). */
function runAsOwner(binary: string, args: string[], input?: string) {
  if (!isRoot()) return run(binary, args, { input });
  return run('runuser', ['-u', 'postgres', '--', binary, ...args], { input });
}

/** Where a cluster of our own lives: `paths.postgres` for infra:up, elsewhere for the fault suite. */
export type ClusterLayout = { home: string; data: string; socketDir: string; log: string };

export function clusterLayout(home: string): ClusterLayout {
  return { home, data: `${home}/data`, socketDir: `${home}/run`, log: `${home}/server.log` };
}

/**
 * A cluster of our own under .infra/pg, for machines with server binaries but no Debian cluster on
 * the configured port. It listens on 127.0.0.1 only; its socket directory is private to its owner,
 * so trusting that socket is safe and gives `up` superuser access without a password.
 */
export async function startLocalCluster(
  s: PgSettings,
  layout: ClusterLayout = paths.postgres,
): Promise<{ pgCtl: string; dataDir: string }> {
  const bin = findServerBinDir();
  if (!bin)
    throw new InfraError('missing_tools', 'PostgreSQL server binaries (initdb, pg_ctl) not found');
  const dataDir = layout.data;
  mkdirSync(layout.socketDir, { recursive: true, mode: 0o700 });
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(layout.home, uid, gid);
    chownSync(layout.socketDir, uid, gid);
  }
  if (!existsSync(`${dataDir}/PG_VERSION`)) {
    const init = await runAsOwner(`${bin}/initdb`, [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
    ]);
    if (init.code !== 0) {
      throw new InfraError(
        'postgres_failed',
        `initdb failed:\n${(init.stdout + init.stderr).trim()}`,
      );
    }
    appendFileSync(
      `${dataDir}/postgresql.conf`,
      [
        '',
        '# written by infra/kit/src/postgres.ts',
        `port = ${s.port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${layout.socketDir}'`,
        '',
      ].join('\n'),
    );
  }
  const start = await runAsOwner(`${bin}/pg_ctl`, [
    '-D',
    dataDir,
    '-l',
    layout.log,
    '-w',
    '-t',
    '60',
    'start',
  ]);
  if (start.code !== 0) {
    throw new InfraError(
      'postgres_failed',
      `pg_ctl start failed:\n${(start.stdout + start.stderr).trim()}\n(see ${layout.log})`,
    );
  }
  return { pgCtl: `${bin}/pg_ctl`, dataDir };
}

/** `fast` rolls back open transactions and closes sessions (57P01); `immediate` is a crash. */
export async function stopLocalCluster(
  pgCtl: string,
  dataDir: string,
  mode: 'fast' | 'immediate' = 'fast',
): Promise<void> {
  const stop = await runAsOwner(pgCtl, ['-D', dataDir, '-m', mode, '-w', 'stop']);
  if (stop.code !== 0 && !/not running|No such file/i.test(stop.stderr)) {
    throw new InfraError(
      'postgres_failed',
      `pg_ctl stop failed:\n${(stop.stdout + stop.stderr).trim()}`,
    );
  }
}

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** Creates (or repairs) the configured role and database; idempotent. */
export async function ensureRoleAndDatabase(s: PgSettings, access: SuperuserAccess): Promise<void> {
  const role = quoteIdent(s.user);
  const sql = [
    `SELECT format('CREATE ROLE %I', ${quoteLiteral(s.user)}) WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${quoteLiteral(s.user)}) \\gexec`,
    `ALTER ROLE ${role} LOGIN CREATEDB PASSWORD ${quoteLiteral(s.password)};`,
    `SELECT format('CREATE DATABASE %I OWNER %I', ${quoteLiteral(s.database)}, ${quoteLiteral(s.user)}) WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ${quoteLiteral(s.database)}) \\gexec`,
    '',
  ].join('\n');
  const psql = which('psql') ?? `${findServerBinDir() ?? '/usr/bin'}/psql`;
  const args = [
    '-X',
    '-q',
    '-v',
    'ON_ERROR_STOP=1',
    '-h',
    access.socketDir,
    '-p',
    String(access.port),
  ];
  args.push('-U', 'postgres', '-d', 'postgres');
  const asPostgres = access.osUser === 'postgres' && isRoot();
  const result = asPostgres
    ? await run('runuser', ['-u', 'postgres', '--', psql, ...args], { input: sql })
    : await run(psql, args, { input: sql });
  if (result.code !== 0) {
    throw new InfraError(
      'postgres_failed',
      `could not create role/database "${s.user}"/"${s.database}" as the postgres superuser:\n${(result.stdout + result.stderr).trim()}`,
    );
  }
}

/** What the configured role sees: 'ok', or 'needs-setup' when the role or database is missing. */
export async function checkAppRole(
  s: PgSettings,
  timeoutMs = 30_000,
): Promise<'ok' | 'needs-setup'> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({
      connectionString: postgresUrl(s),
      connectionTimeoutMillis: 3000,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      const result = await client.query<{ one: number; createdb: boolean }>(
        'select 1 as one, rolcreatedb as createdb from pg_roles where rolname = current_user',
      );
      return result.rows[0]?.one === 1 && result.rows[0].createdb ? 'ok' : 'needs-setup';
    } catch (error) {
      const code = (error as { code?: string }).code;
      // 28P01 wrong password, 28000 no such role / no hba entry, 3D000 no such database
      if (code === '28P01' || code === '28000' || code === '3D000') return 'needs-setup';
      // 57P03: still starting; ECONNREFUSED: socket not up yet
      if (Date.now() > deadline) {
        throw new InfraError(
          'postgres_failed',
          `PostgreSQL at ${s.host}:${s.port} does not answer queries: ${(error as Error).message}`,
        );
      }
      await sleep(300);
    } finally {
      await client.end().catch(() => {});
    }
  }
}
