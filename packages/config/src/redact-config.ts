import type { Config, KafkaSslConfig } from './config.ts';
import { MASK, mayBeKeyText } from './mask.ts';
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
    admin: { tokens: config.admin.tokens.map(({ name }) => ({ name, secret: MASK })) },
    producer: { ...config.producer },
  };
}

function redactSsl(ssl: KafkaSslConfig): KafkaSslConfig {
  // Inline CA and certificate are public but long; the key is secret. Paths are kept as they are,
  // unless the key's "path" may be key text pasted without its PEM armour.
  const copy: KafkaSslConfig = { ...ssl };
  if (ssl.key && 'pem' in ssl.key) copy.key = { pem: MASK };
  else if (ssl.key && mayBeKeyText(ssl.key.path)) copy.key = { path: MASK };
  return copy;
}
