// Connection options for @platformatic/kafka clients, from the same settings as kafkajs's.

import type { ConnectionOptions } from 'node:tls';
import { SASLMechanisms } from '@platformatic/kafka';
import type { KafkaSasl } from './client.ts';

export type PlatformaticSettings = {
  brokers: string[];
  clientId: string;
  ssl?: false | ConnectionOptions;
  sasl?: KafkaSasl;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  retries: number;
  retryDelayMs: number;
};

const SASL_MECHANISMS = {
  plain: SASLMechanisms.PLAIN,
  'scram-sha-256': SASLMechanisms.SCRAM_SHA_256,
  'scram-sha-512': SASLMechanisms.SCRAM_SHA_512,
} as const;

export function platformaticConnection(s: PlatformaticSettings) {
  return {
    clientId: s.clientId,
    bootstrapBrokers: s.brokers,
    connectTimeout: s.connectionTimeoutMs,
    requestTimeout: s.requestTimeoutMs,
    retries: s.retries,
    retryDelay: s.retryDelayMs,
    ...(s.ssl ? { tls: s.ssl } : {}),
    ...(s.sasl
      ? {
          sasl: {
            mechanism: SASL_MECHANISMS[s.sasl.mechanism],
            username: s.sasl.username,
            password: s.sasl.password,
          },
        }
      : {}),
  };
}
