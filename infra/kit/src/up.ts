import { existsSync } from 'node:fs';
import { InfraError } from './errors.ts';
import {
  isOurBroker,
  jarsCached,
  kafkaRoundTrip,
  probeKafka,
  resolveJars,
  startBroker,
  waitForBroker,
} from './kafka.ts';
import { withLock } from './lock.ts';
import { paths } from './paths.ts';
import {
  checkAppRole,
  ensureRoleAndDatabase,
  findDebianCluster,
  type SuperuserAccess,
  startDebianCluster,
  startLocalCluster,
} from './postgres.ts';
import { isAlive, isPortOpen } from './proc.ts';
import {
  type InfraSettings,
  isLoopback,
  parseHostPort,
  postgresUrl,
  readInfraSettings,
} from './settings.ts';
import { type InfraState, readState, type StartedPostgres, writeState } from './state.ts';
import { requireTools, type Tool } from './tools.ts';

export type InfraInfo = {
  brokers: string[];
  /** The configured database of the configured role (it may create more: CREATEDB). */
  databaseUrl: string;
};

export type UpOptions = {
  env: Record<string, string | undefined>;
  log?: (line: string) => void;
};

const DEBIAN_SOCKET_DIR = '/var/run/postgresql';

/**
 * Brings up Kafka and PostgreSQL on this machine, reusing whatever already answers, and returns
 * once both really work. Idempotent; safe to call from several processes at once.
 */
export async function infraUp(opts: UpOptions): Promise<InfraInfo> {
  const log = opts.log ?? (() => {});
  const started = performance.now();
  const settings = readInfraSettings(opts.env);
  return withLock(paths.lock, async () => {
    const state = readState();
    if (state.kafka && !(isAlive(state.kafka.pid) && isOurBroker(state.kafka.pid))) {
      delete state.kafka;
    }
    const plan = await makePlan(settings, state);
    await requireTools(plan.tools);
    const save = () => writeState(state);
    save();

    await Promise.all([
      upKafka(settings, plan, state, save, log),
      upPostgres(settings, plan, state, save, log),
    ]);

    log(`infra ready in ${seconds(started)}`);
    return { brokers: settings.kafka.brokers, databaseUrl: postgresUrl(settings.postgres) };
  });
}

type Plan = { kafka: 'reuse' | 'wait' | 'start'; postgres: 'reuse' | 'start'; tools: Tool[] };

async function makePlan(settings: InfraSettings, state: InfraState): Promise<Plan> {
  const tools: Tool[] = [];
  const kafkaStatus = await probeKafka(settings.kafka.brokers);
  const broker = parseHostPort(settings.kafka.brokers[0] ?? '', 'KAFKA_BROKERS');
  if (kafkaStatus === 'not-kafka') {
    throw new InfraError(
      'port_taken',
      `${broker.host}:${broker.port} answers but is not a Kafka broker; free the port or set KAFKA_BROKERS`,
    );
  }
  if (kafkaStatus === 'down') {
    if (!isLoopback(broker.host)) {
      throw new InfraError(
        'kafka_failed',
        `Kafka at ${broker.host}:${broker.port} is not reachable (infra:up only starts a broker on 127.0.0.1)`,
      );
    }
    // our broker runs but does not answer yet (still starting, or recovering its logs): wait for it
    if (state.kafka) return planPostgres(settings, 'wait', tools);
    tools.push('java');
    if (!jarsCached()) tools.push('mvn');
  }
  return planPostgres(settings, kafkaStatus === 'kafka' ? 'reuse' : 'start', tools);
}

async function planPostgres(
  settings: InfraSettings,
  kafka: Plan['kafka'],
  tools: Tool[],
): Promise<Plan> {
  const pgOpen = await isPortOpen(settings.postgres.host, settings.postgres.port);
  if (!pgOpen) {
    if (!isLoopback(settings.postgres.host)) {
      throw new InfraError(
        'postgres_failed',
        `PostgreSQL at ${settings.postgres.host}:${settings.postgres.port} is not reachable (infra:up only starts a server on 127.0.0.1)`,
      );
    }
    tools.push('postgres-server', 'psql');
  }
  return { kafka, postgres: pgOpen ? 'reuse' : 'start', tools };
}

async function upKafka(
  settings: InfraSettings,
  plan: Plan,
  state: InfraState,
  save: () => void,
  log: (line: string) => void,
): Promise<void> {
  const brokers = settings.kafka.brokers;
  if (plan.kafka === 'reuse') {
    log(
      `kafka: reusing the broker at ${brokers.join(',')}${state.kafka ? ` (pid ${state.kafka.pid})` : ''}`,
    );
  } else if (plan.kafka === 'wait' && state.kafka) {
    log(`kafka: waiting for the broker started earlier (pid ${state.kafka.pid})`);
    await waitForBroker(brokers, state.kafka.pid);
  } else {
    if (!jarsCached()) {
      const t = performance.now();
      log('kafka: resolving broker jars with Maven (first run only)');
      await resolveJars();
      log(`kafka: jars cached in .infra/kafka/lib (${seconds(t)})`);
    }
    const t = performance.now();
    const { port } = parseHostPort(brokers[0] ?? '', 'KAFKA_BROKERS');
    const pid = await startBroker(port);
    state.kafka = { pid, startedAt: new Date().toISOString() };
    save();
    log(`kafka: starting broker on 127.0.0.1:${port} (pid ${pid}, log .infra/kafka/broker.out)`);
    await waitForBroker(brokers, pid);
    log(`kafka: broker answers (${seconds(t)})`);
  }
  const t = performance.now();
  await kafkaRoundTrip(brokers);
  log(`kafka: produce/consume round trip through a consumer group ok (${seconds(t)})`);
}

async function upPostgres(
  settings: InfraSettings,
  plan: Plan,
  state: InfraState,
  save: () => void,
  log: (line: string) => void,
): Promise<void> {
  const s = settings.postgres;
  const where = `${s.host}:${s.port}`;
  let access: SuperuserAccess = { socketDir: DEBIAN_SOCKET_DIR, port: s.port, osUser: 'postgres' };
  if (plan.postgres === 'reuse') {
    log(`postgres: reusing the server at ${where}`);
  } else {
    const t = performance.now();
    const debian = await findDebianCluster(s.port);
    if (debian) {
      log(
        `postgres: starting Debian cluster ${debian.version}/${debian.cluster} on port ${s.port}`,
      );
      await startDebianCluster(debian);
      record(state, {
        kind: 'debian-cluster',
        version: debian.version,
        cluster: debian.cluster,
        port: s.port,
        startedAt: new Date().toISOString(),
      });
    } else {
      log(
        `postgres: no Debian cluster on port ${s.port}; starting a cluster of our own in .infra/pg`,
      );
      const local = await startLocalCluster(s);
      record(state, {
        kind: 'local-cluster',
        ...local,
        port: s.port,
        startedAt: new Date().toISOString(),
      });
    }
    save();
    log(`postgres: server started (${seconds(t)})`);
  }
  // our own cluster (started now or by an earlier up) is administered through its private socket
  if (existsSync(`${paths.postgres.socketDir}/.s.PGSQL.${s.port}`)) {
    access = { socketDir: paths.postgres.socketDir, port: s.port, osUser: 'self' };
  }
  if ((await checkAppRole(s)) === 'needs-setup') {
    await requireTools(['psql']);
    await ensureRoleAndDatabase(s, access);
    log(`postgres: role "${s.user}" (CREATEDB) and database "${s.database}" ready`);
    if ((await checkAppRole(s)) !== 'ok') {
      throw new InfraError(
        'postgres_failed',
        `role "${s.user}" still cannot use database "${s.database}"`,
      );
    }
  }
  log(`postgres: select 1 as "${s.user}" over TCP ok`);
}

function record(state: InfraState, started: StartedPostgres): void {
  state.postgres = [...(state.postgres ?? []).filter((p) => p.port !== started.port), started];
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)}s`;
}
