import { parseBrokerAddress, postgresConnectionString, readVariables } from '@orders/config';
import { InfraError } from './errors.ts';

/**
 * The few settings infra needs, read by @orders/config with its names, defaults and rules (only
 * these: infra must come up even when an unrelated variable is invalid, so no loadConfig).
 */
export type InfraSettings = {
  postgres: { user: string; password: string; database: string; host: string; port: number };
  kafka: { brokers: string[] };
};

type Env = Record<string, string | undefined>;

export function readInfraSettings(env: Env): InfraSettings {
  const read = readVariables(env, [
    'POSTGRES_USER',
    'POSTGRES_PASSWORD',
    'POSTGRES_DB',
    'DB_HOST',
    'DB_PORT',
    'KAFKA_BROKERS',
  ]);
  if (!read.ok) throw new InfraError('bad_setting', read.error.message);
  const v = read.values;
  return {
    postgres: {
      user: v.POSTGRES_USER,
      password: v.POSTGRES_PASSWORD,
      database: v.POSTGRES_DB,
      host: v.DB_HOST,
      port: v.DB_PORT,
    },
    kafka: { brokers: v.KAFKA_BROKERS },
  };
}

/** Host and port of one entry of KAFKA_BROKERS (readInfraSettings has checked them all). */
export function parseHostPort(address: string, name: string): { host: string; port: number } {
  const parsed = parseBrokerAddress(address);
  if (!parsed) {
    throw new InfraError(
      'bad_setting',
      `${name} entries must look like host:port, got "${address}"`,
    );
  }
  return parsed;
}

/** Only servers on this machine are started by infra; others are just checked. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** The configured role's connection string, to its database or to `database`. */
export function postgresUrl(
  settings: InfraSettings['postgres'],
  database = settings.database,
): string {
  return postgresConnectionString({ ...settings, database });
}
