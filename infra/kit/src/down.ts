import { existsSync, readFileSync, rmSync } from 'node:fs';
import { isOurBroker, stopBroker } from './kafka.ts';
import { withLock } from './lock.ts';
import { paths } from './paths.ts';
import { stopDebianCluster, stopLocalCluster } from './postgres.ts';
import { isAlive } from './proc.ts';
import { stopDemoPrometheus } from './prometheus.ts';
import { readState, writeState } from './state.ts';

/** Stops exactly what `up` recorded as started by itself; servers it reused are left alone. */
export async function infraDown(opts: { log?: (line: string) => void } = {}): Promise<void> {
  const log = opts.log ?? (() => {});
  await withLock(paths.lock, async () => {
    const state = readState();
    let stopped = 0;

    // state.json may be gone while our broker still runs: its pid file and command line prove it
    const pid = state.kafka?.pid ?? readPidFile();
    if (pid !== undefined && isAlive(pid) && isOurBroker(pid)) {
      const how = await stopBroker(pid);
      log(`kafka: broker (pid ${pid}) ${how}`);
      stopped++;
    } else if (state.kafka) {
      log(`kafka: broker (pid ${state.kafka.pid}) was no longer running`);
    }
    delete state.kafka;
    rmSync(paths.kafka.pid, { force: true });
    writeState(state);

    for (const started of state.postgres ?? []) {
      if (started.kind === 'debian-cluster') {
        await stopDebianCluster(started.version, started.cluster);
        log(`postgres: Debian cluster ${started.version}/${started.cluster} stopped`);
      } else {
        await stopLocalCluster(started.pgCtl, started.dataDir);
        log(`postgres: cluster in .infra/pg (port ${started.port}) stopped`);
      }
      stopped++;
      state.postgres = state.postgres?.filter((p) => p !== started);
      writeState(state);
    }
    delete state.postgres;
    writeState(state);

    // the demo's Prometheus: its pid file and command line prove it is ours
    const prometheus = await stopDemoPrometheus();
    if (prometheus !== undefined) {
      log(`prometheus: the demo's (pid ${prometheus}) stopped`);
      stopped++;
    }

    if (stopped === 0) log('nothing to stop: infra:up started nothing that still runs');
  });
}

function readPidFile(): number | undefined {
  if (!existsSync(paths.kafka.pid)) return undefined;
  const pid = Number(readFileSync(paths.kafka.pid, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
