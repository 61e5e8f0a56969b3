// The suite's own Kafka broker and PostgreSQL cluster, on ports and data dirs nobody else uses:
// the suite kills and restarts them, so it must never touch the shared dev servers. Every pid is
// ours (started here, checked against its command line before any signal).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  brokerLayout,
  checkAppRole,
  clusterLayout,
  ensureRoleAndDatabase,
  findServerBinDir,
  isAlive,
  isOurBroker,
  isPortOpen,
  jarsCached,
  kafkaRoundTrip,
  paths,
  resolveJars,
  sleep,
  startBroker,
  startLocalCluster,
  stopBroker,
  stopLocalCluster,
  waitForBroker,
} from '@orders/infra/servers';
import pg from 'pg';

export type FaultServersOptions = { home: string; kafkaPort: number; pgPort: number };

export type PgSettings = {
  user: string;
  password: string;
  database: string;
  host: string;
  port: number;
};

export type FaultServers = {
  brokers: string[];
  pg: PgSettings;
  /** superuser over our cluster's private socket (pg_terminate_backend, drops, ALTER SYSTEM) */
  adminQuery(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  start(): Promise<void>;
  /** the broker's pid and the postmaster's (from postmaster.pid), when running */
  pids(): { broker: number | undefined; postgres: number | undefined };
  killBroker(): Promise<void>;
  startBroker(): Promise<void>;
  restartPostgres(mode: 'fast' | 'immediate'): Promise<void>;
  stopPostgres(mode: 'fast' | 'immediate'): Promise<void>;
  startPostgres(): Promise<void>;
  /**
   * Stops both servers and refuses to start them again. `graceful` (end of a run): SIGTERM to the
   * broker, PostgreSQL `-m fast`. `now` (the suite got SIGTERM/SIGINT): SIGKILL to the broker,
   * PostgreSQL `-m immediate` — the data is wiped by the next run anyway. A start still in flight
   * is awaited first, so a server it spawns is stopped too.
   */
  stopAll(mode?: 'graceful' | 'now'): Promise<void>;
};

export function createFaultServers(o: FaultServersOptions): FaultServers {
  const kafkaLayout = brokerLayout(join(o.home, 'kafka'));
  const pgLayout = clusterLayout(join(o.home, 'pg'));
  const brokers = [`127.0.0.1:${o.kafkaPort}`];
  const pgSettings: PgSettings = {
    user: 'orders',
    password: 'orders',
    database: 'orders',
    host: '127.0.0.1',
    port: o.pgPort,
  };
  let brokerPid: number | undefined;
  let pgCtl: string | undefined;
  let closed = false;
  // the spawning part of each start (StorageTool + java, initdb + pg_ctl start): stopAll waits
  // for these so that nothing they start is left running
  const spawning = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    spawning.add(p);
    const forget = () => spawning.delete(p);
    p.then(forget, forget);
    return p;
  };
  const postmasterPid = (): number | undefined => {
    try {
      const first = readFileSync(join(pgLayout.data, 'postmaster.pid'), 'utf8').split('\n')[0];
      return Number(first) || undefined;
    } catch {
      return undefined;
    }
  };
  const refuseWhenClosed = () => {
    if (closed) throw new Error('fault servers are stopped (the suite is stopping)');
  };

  const brokerUp = async () => {
    refuseWhenClosed();
    brokerPid = await track(startBroker(o.kafkaPort, kafkaLayout));
    refuseWhenClosed();
    await waitForBroker(brokers, brokerPid, 120_000, kafkaLayout);
  };

  const pgUp = async () => {
    refuseWhenClosed();
    const started = await track(startLocalCluster(pgSettings, pgLayout));
    pgCtl = started.pgCtl;
  };

  /** A broker or cluster left by an earlier run that crashed: stop it (it is ours by path). */
  async function clearLeftovers(): Promise<void> {
    if (existsSync(kafkaLayout.pid)) {
      const pid = Number(readFileSync(kafkaLayout.pid, 'utf8').trim());
      if (pid > 0 && isAlive(pid) && isOurBroker(pid, kafkaLayout)) await stopBroker(pid, 5_000);
    }
    const bin = findServerBinDir();
    if (bin && existsSync(join(pgLayout.data, 'postmaster.pid'))) {
      await stopLocalCluster(`${bin}/pg_ctl`, pgLayout.data, 'immediate').catch(() => {});
    }
  }

  return {
    brokers,
    pg: pgSettings,
    async adminQuery(sql, params) {
      const client = new pg.Client({
        host: pgLayout.socketDir,
        port: o.pgPort,
        user: 'postgres',
        database: 'postgres',
        // writable even while the fault makes the cluster read-only (ALTER SYSTEM … RESET)
        options: '-c default_transaction_read_only=off',
      });
      client.on('error', () => {});
      await client.connect();
      try {
        return await client.query(sql, params);
      } finally {
        await client.end().catch(() => {});
      }
    },
    async start() {
      await clearLeftovers();
      for (const port of [o.kafkaPort, o.kafkaPort + 1, o.pgPort]) {
        if (await isPortOpen('127.0.0.1', port)) {
          throw new Error(`port ${port} is taken; the fault suite needs it for its own servers`);
        }
      }
      // fresh broker data per suite run (topics, offsets); the cluster is re-initialised too, so
      // a run never sees an earlier run's rows
      rmSync(kafkaLayout.data, { recursive: true, force: true });
      rmSync(pgLayout.home, { recursive: true, force: true });
      if (!jarsCached()) await resolveJars();
      await Promise.all([brokerUp(), pgUp()]);
      await ensureRoleAndDatabase(pgSettings, {
        socketDir: pgLayout.socketDir,
        port: o.pgPort,
        osUser: 'self',
      });
      if ((await checkAppRole(pgSettings)) !== 'ok')
        throw new Error('fault cluster: role setup failed');
      await kafkaRoundTrip(brokers);
    },
    pids: () => ({ broker: brokerPid, postgres: postmasterPid() }),
    async killBroker() {
      if (brokerPid === undefined || !isOurBroker(brokerPid, kafkaLayout)) {
        throw new Error('killBroker: no broker of ours is running');
      }
      const pid = brokerPid;
      process.kill(-pid, 'SIGKILL');
      while (isAlive(pid)) await sleep(50);
      brokerPid = undefined;
    },
    startBroker: brokerUp,
    async stopPostgres(mode) {
      await stopLocalCluster(pgCtl as string, pgLayout.data, mode);
    },
    startPostgres: pgUp,
    async restartPostgres(mode) {
      refuseWhenClosed();
      await stopLocalCluster(pgCtl as string, pgLayout.data, mode);
      await pgUp();
    },
    async stopAll(mode = 'graceful') {
      closed = true;
      await Promise.allSettled([...spawning]);
      const pid = brokerPid;
      if (pid !== undefined && isAlive(pid) && isOurBroker(pid, kafkaLayout)) {
        if (mode === 'graceful') await stopBroker(pid, 10_000);
        else {
          process.kill(-pid, 'SIGKILL');
          while (isAlive(pid)) await sleep(50);
        }
      }
      brokerPid = undefined;
      // pg_ctl from the bin dir when no start finished (the signal came during initdb/start)
      const bin = findServerBinDir();
      const ctl = pgCtl ?? (bin ? `${bin}/pg_ctl` : undefined);
      const postmaster = postmasterPid();
      if (ctl && postmaster !== undefined) {
        const pgMode = mode === 'graceful' ? 'fast' : 'immediate';
        await stopLocalCluster(ctl, pgLayout.data, pgMode).catch(() => {});
        // pg_ctl returns once postmaster.pid is gone, a moment before the process has exited
        const until = Date.now() + 5_000;
        while (isRunning(postmaster) && Date.now() < until) await sleep(50);
      }
    },
  };
}

/** Alive and not a zombie (a daemon's exit is reaped by init, maybe a moment later). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export { paths };
