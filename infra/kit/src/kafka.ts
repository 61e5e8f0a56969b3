import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import {
  createProducer,
  createTopicsWithLeaders,
  deleteTopics,
  type KafkaSettings,
  readToHighWatermark,
  withAdmin,
} from '@orders/kafka';
import { waitFor } from '@orders/testing';
import { InfraError } from './errors.ts';
import { paths } from './paths.ts';
import { commandLine, isAlive, isPortOpen, run, sleep } from './proc.ts';
import { parseHostPort } from './settings.ts';

// Any 22-character base64 UUID works; a fixed one keeps a reformat harmless.
const CLUSTER_ID = '4L6g3nShT-eMCtK--X86sw';
const MAIN_CLASS = 'kafka.Kafka';
const JVM_OPTS = [
  '-Xms256m',
  '-Xmx768m',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
];

const readinessClient = (brokers: string[]): KafkaSettings => ({
  clientId: 'orders-infra-readiness',
  brokers,
  connectionTimeoutMs: 2000,
  retry: { retries: 5, initialRetryTimeMs: 200 },
});

/**
 * Whether the first broker's port answers and, if so, whether it speaks Kafka. A server on the
 * port that is not Kafka must not be mistaken for a running broker.
 */
export async function probeKafka(brokers: string[]): Promise<'down' | 'kafka' | 'not-kafka'> {
  const first = brokers[0];
  if (!first) throw new InfraError('bad_setting', 'KAFKA_BROKERS is empty');
  const { host, port } = parseHostPort(first, 'KAFKA_BROKERS');
  if (!(await isPortOpen(host, port))) return 'down';
  const probe: KafkaSettings = {
    clientId: 'orders-infra-probe',
    brokers,
    connectionTimeoutMs: 2000,
    requestTimeoutMs: 5000,
    retry: { retries: 1, initialRetryTimeMs: 200 },
  };
  try {
    await withAdmin(probe, (admin) => admin.describeCluster());
    return 'kafka';
  } catch {
    return 'not-kafka';
  }
}

function pomHash(): string {
  return createHash('sha256').update(readFileSync(paths.kafka.pom)).digest('hex');
}

export function jarsCached(): boolean {
  try {
    return readFileSync(paths.kafka.libStamp, 'utf8').trim() === pomHash();
  } catch {
    return false;
  }
}

/** Copies the broker's jars from Maven (Central, via ~/.m2) into .infra/kafka/lib, once per pom. */
export async function resolveJars(): Promise<void> {
  const staging = `${paths.kafka.lib}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  const result = await run('mvn', [
    '-B',
    '-q',
    '-f',
    paths.kafka.pom,
    'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${staging}`,
  ]);
  if (result.code !== 0) {
    throw new InfraError(
      'kafka_failed',
      `Maven could not resolve the Kafka jars (infra/kit/kafka/pom.xml):\n${tail(result.stdout + result.stderr, 30)}`,
    );
  }
  const jars = readdirSync(staging);
  // A broker without a matching SLF4J binding logs nothing and readiness could never be seen.
  const slf4j = jars.find((j) => j.startsWith('slf4j-api-'));
  if (
    !slf4j?.startsWith('slf4j-api-1.7.') ||
    !jars.some((j) => j.startsWith('log4j-slf4j-impl-'))
  ) {
    throw new InfraError(
      'kafka_failed',
      `Kafka jars resolved, but the logging binding does not match slf4j-api (${slf4j ?? 'none'}); fix infra/kit/kafka/pom.xml`,
    );
  }
  writeFileSync(`${staging}/.pom-hash`, `${pomHash()}\n`);
  rmSync(paths.kafka.lib, { recursive: true, force: true });
  renameSync(staging, paths.kafka.lib);
}

/**
 * Where one broker keeps its state. `paths.kafka` is the shared dev broker's; the fault suite runs
 * a broker of its own elsewhere (`brokerLayout(home)`), sharing only the cached jars.
 */
export type BrokerLayout = {
  home: string;
  data: string;
  logs: string;
  serverProperties: string;
  out: string;
  pid: string;
};

export function brokerLayout(home: string): BrokerLayout {
  return {
    home,
    data: `${home}/data`,
    logs: `${home}/logs`,
    serverProperties: `${home}/server.properties`,
    out: `${home}/broker.out`,
    pid: `${home}/broker.pid`,
  };
}

function renderServerProperties(port: number, layout: BrokerLayout): void {
  const text = readFileSync(paths.kafka.serverTemplate, 'utf8')
    .replaceAll('@DATA_DIR@', layout.data)
    .replaceAll(':9092', `:${port}`)
    .replaceAll(':9093', `:${port + 1}`);
  writeFileSync(layout.serverProperties, text);
}

/** Formats the KRaft storage once; an existing data dir is kept (topics survive a restart). */
async function formatStorage(layout: BrokerLayout): Promise<void> {
  if (existsSync(`${layout.data}/meta.properties`)) return;
  const result = await run('java', [
    `-Dlog4j2.configurationFile=${paths.kafka.log4j}`,
    '-cp',
    `${paths.kafka.lib}/*`,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    CLUSTER_ID,
    '-c',
    layout.serverProperties,
    '--ignore-formatted',
  ]);
  if (result.code !== 0) {
    throw new InfraError(
      'kafka_failed',
      `formatting Kafka storage failed:\n${tail(result.stdout + result.stderr, 20)}`,
    );
  }
}

/**
 * Starts a broker detached from this process (own process group, output to broker.out) and
 * returns its pid. The caller waits for readiness.
 */
export async function startBroker(
  port: number,
  layout: BrokerLayout = paths.kafka,
): Promise<number> {
  for (const dir of [layout.home, layout.data, layout.logs]) {
    mkdirSync(dir, { recursive: true });
  }
  if (await isPortOpen('127.0.0.1', port + 1)) {
    throw new InfraError(
      'port_taken',
      `port ${port + 1} (the Kafka controller listener) is taken by another process`,
    );
  }
  renderServerProperties(port, layout);
  await formatStorage(layout);
  rotateIfLarge(layout.out, 20 * 1024 * 1024);
  const out = openSync(layout.out, 'a');
  const child = spawn(
    'java',
    [
      ...JVM_OPTS,
      `-Dkafka.logs.dir=${layout.logs}`,
      `-Dlog4j2.configurationFile=${paths.kafka.log4j}`,
      '-cp',
      `${paths.kafka.lib}/*`,
      MAIN_CLASS,
      layout.serverProperties,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new InfraError('kafka_failed', 'could not start java');
  child.unref();
  writeFileSync(layout.pid, `${pid}\n`);
  return pid;
}

/** Waits until the broker answers the admin protocol; fails early if its process exits. */
export async function waitForBroker(
  brokers: string[],
  pid: number,
  timeoutMs = 90_000,
  layout: BrokerLayout = paths.kafka,
): Promise<void> {
  try {
    await waitFor(
      async () => {
        if (!isAlive(pid)) {
          throw new Error(`the broker process (pid ${pid}) exited`);
        }
        return (await probeKafka(brokers)) === 'kafka' ? true : undefined;
      },
      { timeoutMs, intervalMs: 300, what: 'the broker to answer' },
    );
  } catch (error) {
    throw new InfraError(
      'kafka_failed',
      `Kafka did not come up: ${(error as Error).message} (pnpm infra:down stops it)\nlast lines of ${layout.out}:\n${tail(readQuietly(layout.out), 30)}`,
    );
  }
}

/**
 * The readiness check that matters: create a throw-away topic, produce one message and read it
 * back through a consumer group (this is what fails when the group coordinator cannot start),
 * then delete the topic (the reader deletes its group).
 */
export async function kafkaRoundTrip(brokers: string[], timeoutMs = 60_000): Promise<void> {
  const settings = readinessClient(brokers);
  const topic = `infra-readiness-${randomUUID()}`;
  const value = randomUUID();
  try {
    await withAdmin(settings, (admin) =>
      createTopicsWithLeaders(admin, [{ topic, partitions: 1 }], { timeoutMs }),
    );
    const producer = await createProducer(settings);
    try {
      await producer.send(topic, [{ value }]);
    } finally {
      await producer.close().catch(() => {});
    }
    const read = await readToHighWatermark(settings, topic, { timeoutMs });
    if (!read.some((r) => r.value?.toString() === value)) {
      throw new Error(`the message produced was not among the ${read.length} read back`);
    }
  } catch (error) {
    throw new InfraError(
      'kafka_failed',
      `Kafka answers but a produce/consume round trip through a consumer group failed: ${(error as Error).message}`,
    );
  } finally {
    await withAdmin(settings, (admin) => deleteTopics(admin, [topic])).catch(() => {});
  }
}

/** True when `pid` is still the broker this project started (not a recycled pid). */
export function isOurBroker(pid: number, layout: BrokerLayout = paths.kafka): boolean {
  const cmd = commandLine(pid);
  return cmd?.includes(MAIN_CLASS) === true && cmd.includes(layout.serverProperties);
}

/** SIGTERM to the broker's process group (a controlled shutdown), SIGKILL if it hangs. */
export async function stopBroker(pid: number, timeoutMs = 30_000): Promise<'stopped' | 'killed'> {
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await sleep(200);
  }
  signalGroup(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(100);
  return 'killed';
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {}
  }
}

/** broker.out is appended to across restarts (a crash's lines stay readable); keep one old file. */
function rotateIfLarge(path: string, maxBytes: number): void {
  if (existsSync(path) && statSync(path).size > maxBytes) renameSync(path, `${path}.1`);
}

function readQuietly(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
