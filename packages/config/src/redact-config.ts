import type { Config, KafkaSslConfig } from './config.ts';
import { MASK } from './mask.ts';
import { maskPostgresUrl } from './postgres-url.ts';

/** The config as it may be logged: passwords and inline private keys replaced by ***. */
export function redactConfig(config: Config): Config {
  const { kafka, postgres } = config;
  return {
    ...config,
    postgres: { ...postgres, connectionString: maskPostgresUrl(postgres.connectionString) },
    kafka: {
      ...kafka,
      brokers: [...kafka.brokers],
      ssl: kafka.ssl === false ? false : redactSsl(kafka.ssl),
      sasl: kafka.sasl === undefined ? undefined : { ...kafka.sasl, password: MASK },
    },
    ingest: { ...config.ingest },
    memory: { ...config.memory },
    server: { ...config.server },
    producer: { ...config.producer },
  };
}

function redactSsl(ssl: KafkaSslConfig): KafkaSslConfig {
  // Inline CA and certificate are public but long; the key is secret. Paths are kept as they are.
  const copy: KafkaSslConfig = { ...ssl };
  if (ssl.key && 'pem' in ssl.key) copy.key = { pem: MASK };
  return copy;
}
