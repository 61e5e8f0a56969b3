// @platformatic/kafka, loaded on first use, and its connection options from the same settings as
// kafkajs's. Importing it costs ~67 MB of RSS and ~350 ms (measured with Node 24 here): a process
// that never lists offsets or produces through it (ingest, at idle and in its hot path) does not
// pay that, though @orders/kafka's index exports the functions that use it.

import type { ConnectionOptions } from 'node:tls';
import type * as PlatformaticKafka from '@platformatic/kafka';
import type { KafkaSasl } from './client.ts';

export type Platformatic = typeof PlatformaticKafka;

let loading: Promise<Platformatic> | undefined;

/** The module, imported once, at the first call. */
export function loadPlatformatic(): Promise<Platformatic> {
  loading ??= import('@platformatic/kafka');
  return loading;
}

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

const saslMechanism = (m: Platformatic, name: KafkaSasl['mechanism']) =>
  ({
    plain: m.SASLMechanisms.PLAIN,
    'scram-sha-256': m.SASLMechanisms.SCRAM_SHA_256,
    'scram-sha-512': m.SASLMechanisms.SCRAM_SHA_512,
  })[name];

export function platformaticConnection(m: Platformatic, s: PlatformaticSettings) {
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
            mechanism: saslMechanism(m, s.sasl.mechanism),
            username: s.sasl.username,
            password: s.sasl.password,
          },
        }
      : {}),
  };
}
