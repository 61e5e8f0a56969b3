// Run settings from the environment: scale, seed, ports. Two scales: `full` is issue 6's corpus,
// `small` the same faults on a tenth of the corpus (CI).
import type { CorpusSize } from './corpus.ts';

export type Scale = 'full' | 'small';

export type RunSettings = {
  scale: Scale;
  seed: number;
  corpus: CorpusSize;
  /**
   * How long the producer spreads the corpus over. Production must still be flowing at the last
   * fault (each kill -9 stalls the group for about the session timeout); once the faults are over
   * the rest is sent at full speed.
   */
  produceMs: number;
  /**
   * ingest's KAFKA_SESSION_TIMEOUT_MS. Lower than the service's 30 s default: in this suite every
   * failing PostgreSQL call fails at once (local server refusing or terminating), so heartbeats
   * never pause for long, and a restarted ingest waits this long for the killed member to expire.
   */
  sessionTimeoutMs: number;
  partitions: number;
  kafkaPort: number;
  pgPort: number;
  /** where the suite's servers keep their data; undefined = <repo>/.infra/faults */
  home: string | undefined;
  /** skip the fault schedule (a clean baseline run) */
  noFaults: boolean;
  poison: PoisonSize;
};

/**
 * The poison-backlog phase (issue 17): a backlog of invalid messages sent before its ingest starts,
 * valid orders behind them. The same 20,000 invalid messages at both scales: fewer would no longer
 * overflow a dead-letter batch (about 7,500 tombstones or 2,500 ~800-byte letters in one fetch do),
 * and the phase costs seconds, not minutes.
 */
export type PoisonSize = {
  /** invalid messages in all, tombstones included */
  invalid: number;
  /** of which tombstones (null values), all on one partition */
  tombstones: number;
  /** valid orders sent after the backlog, on every partition */
  valid: number;
  /** lag 0 and every order served within this long of ingest's start, or the phase fails */
  deadlineMs: number;
};

const SCALES: Record<
  Scale,
  { corpus: CorpusSize; produceMs: number; poison: Omit<PoisonSize, 'deadlineMs'> }
> = {
  full: {
    corpus: { valid: 20_000, invalid: 1_000, duplicates: 500, updates: 200 },
    produceMs: 300_000,
    poison: { invalid: 20_000, tombstones: 10_000, valid: 3_000 },
  },
  small: {
    corpus: { valid: 2_000, invalid: 220, duplicates: 50, updates: 20 },
    produceMs: 300_000,
    poison: { invalid: 20_000, tombstones: 10_000, valid: 300 },
  },
};

export function readRunSettings(env: Record<string, string | undefined>): RunSettings {
  const scale = (env.FAULTS_SCALE ?? 'full') as Scale;
  if (!(scale in SCALES)) throw new Error(`FAULTS_SCALE must be full or small, got "${scale}"`);
  const seedText = env.FAULTS_SEED;
  const seed = seedText ? Number(seedText) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed) || seed < 0)
    throw new Error(`FAULTS_SEED must be a non-negative integer, got "${seedText}"`);
  const sessionTimeoutMs = Number(env.FAULTS_SESSION_TIMEOUT_MS ?? 10_000);
  if (
    !Number.isInteger(sessionTimeoutMs) ||
    sessionTimeoutMs < 6_000 ||
    sessionTimeoutMs > 1_800_000
  )
    throw new Error(
      `FAULTS_SESSION_TIMEOUT_MS must be an integer from 6000 to 1800000, got "${env.FAULTS_SESSION_TIMEOUT_MS}"`,
    );
  const deadlineMs = Number(env.FAULTS_POISON_DEADLINE_MS ?? 120_000);
  if (!Number.isInteger(deadlineMs) || deadlineMs < 1_000 || deadlineMs > 600_000)
    throw new Error(
      `FAULTS_POISON_DEADLINE_MS must be an integer from 1000 to 600000, got "${env.FAULTS_POISON_DEADLINE_MS}"`,
    );
  return {
    scale,
    seed,
    corpus: SCALES[scale].corpus,
    produceMs: Number(env.FAULTS_PRODUCE_MS ?? SCALES[scale].produceMs),
    sessionTimeoutMs,
    partitions: 3,
    kafkaPort: Number(env.FAULTS_KAFKA_PORT ?? 19092),
    pgPort: Number(env.FAULTS_PG_PORT ?? 25432),
    home: env.FAULTS_HOME || undefined,
    noFaults: env.FAULTS_NONE === '1',
    poison: { ...SCALES[scale].poison, deadlineMs },
  };
}
