// The lower-level server controls behind `up`, for tooling that runs servers of its own (the fault
// suite starts a private broker and cluster on other ports and kills/restarts them on purpose).
export {
  type BrokerLayout,
  brokerLayout,
  isOurBroker,
  jarsCached,
  kafkaRoundTrip,
  resolveJars,
  startBroker,
  stopBroker,
  waitForBroker,
} from './kafka.ts';
export { paths } from './paths.ts';
export {
  type ClusterLayout,
  checkAppRole,
  clusterLayout,
  ensureRoleAndDatabase,
  findServerBinDir,
  startLocalCluster,
  stopLocalCluster,
} from './postgres.ts';
export { commandLine, isAlive, isPortOpen, run, sleep } from './proc.ts';
export { postgresUrl } from './settings.ts';
export { requireTools } from './tools.ts';
