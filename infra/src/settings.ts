import { type VariableName, variableDefault } from '@orders/config';
import { InfraError } from './errors.ts';

/**
 * The few settings infra needs, read with the names and defaults of @orders/config (its defaults
 * only: infra must come up even when an unrelated variable is invalid, so no loadConfig).
 */
export type InfraSettings = {
  postgres: { user: string; password: string; database: string; host: string; port: number };
  kafka: { brokers: string[] };
};

type Env = Record<string, string | undefined>;

type InfraVariable = Extract<
  VariableName,
  'POSTGRES_USER' | 'POSTGRES_PASSWORD' | 'POSTGRES_DB' | 'DB_HOST' | 'DB_PORT' | 'KAFKA_BROKERS'
>;

function read(env: Env, name: InfraVariable): string {
  const value = env[name]?.trim();
  if (value) return value;
  const fallback = variableDefault(name);
  // every variable above has a default in @orders/config; this guards a future change there
  if (fallback === undefined) throw new InfraError('bad_setting', `${name} must be set`);
  return fallback;
}

function readPort(env: Env, name: 'DB_PORT'): number {
  const raw = read(env, name);
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InfraError('bad_setting', `${name} must be a port number (1-65535), got "${raw}"`);
  }
  return port;
}

export function readInfraSettings(env: Env): InfraSettings {
  const brokers = read(env, 'KAFKA_BROKERS')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  for (const broker of brokers) parseHostPort(broker, 'KAFKA_BROKERS');
  return {
    postgres: {
      user: read(env, 'POSTGRES_USER'),
      password: read(env, 'POSTGRES_PASSWORD'),
      database: read(env, 'POSTGRES_DB'),
      host: read(env, 'DB_HOST'),
      port: readPort(env, 'DB_PORT'),
    },
    kafka: { brokers },
  };
}

export function parseHostPort(address: string, name: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at);
  const port = Number(address.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InfraError(
      'bad_setting',
      `${name} entries must look like host:port, got "${address}"`,
    );
  }
  return { host, port };
}

/** Only servers on this machine are started by infra; others are just checked. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export function postgresUrl(
  settings: InfraSettings['postgres'],
  database = settings.database,
): string {
  const user = encodeURIComponent(settings.user);
  const password = encodeURIComponent(settings.password);
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return `postgres://${user}:${password}@${host}:${settings.port}/${encodeURIComponent(database)}`;
}
