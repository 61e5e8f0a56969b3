import { InfraError } from './errors.ts';

/**
 * The few settings infra needs. Read here with the same names and defaults as @orders/config so
 * infra does not depend on the app's config package.
 */
export type InfraSettings = {
  postgres: { user: string; password: string; database: string; host: string; port: number };
  kafka: { brokers: string[] };
};

type Env = Record<string, string | undefined>;

const DEFAULTS = {
  POSTGRES_USER: 'orders',
  POSTGRES_PASSWORD: 'orders',
  POSTGRES_DB: 'orders',
  DB_HOST: '127.0.0.1',
  DB_PORT: '5432',
  KAFKA_BROKERS: '127.0.0.1:9092',
} as const;

function read(env: Env, name: keyof typeof DEFAULTS): string {
  const value = env[name]?.trim();
  return value ? value : DEFAULTS[name];
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
