import { join, resolve } from 'node:path';

/** The repository root (infra/kit/src/ is three levels below it). */
export const repoRoot = resolve(import.meta.dirname, '../../..');

/** Git-ignored working folder: jars, broker data, logs, pid files and state.json. */
export const infraHome = join(repoRoot, '.infra');

export const paths = {
  state: join(infraHome, 'state.json'),
  lock: join(infraHome, 'up.lock'),
  kafka: {
    pom: join(repoRoot, 'infra/kit/kafka/pom.xml'),
    serverTemplate: join(repoRoot, 'infra/kit/kafka/server.properties'),
    log4j: join(repoRoot, 'infra/kit/kafka/log4j2.properties'),
    home: join(infraHome, 'kafka'),
    lib: join(infraHome, 'kafka/lib'),
    libStamp: join(infraHome, 'kafka/lib/.pom-hash'),
    data: join(infraHome, 'kafka/data'),
    logs: join(infraHome, 'kafka/logs'),
    serverProperties: join(infraHome, 'kafka/server.properties'),
    out: join(infraHome, 'kafka/broker.out'),
    pid: join(infraHome, 'kafka/broker.pid'),
  },
  postgres: {
    home: join(infraHome, 'pg'),
    data: join(infraHome, 'pg/data'),
    socketDir: join(infraHome, 'pg/run'),
    log: join(infraHome, 'pg/server.log'),
  },
} as const;
