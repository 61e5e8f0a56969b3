export { infraDown } from './down.ts';
export { InfraError, type InfraErrorCode } from './errors.ts';
export {
  type ChildExit,
  type NodeChild,
  type NodeChildOptions,
  startNodeChild,
} from './node-child.ts';
export { type InfraSettings, readInfraSettings } from './settings.ts';
export {
  createTestDatabase,
  createTestTopic,
  ensureInfra,
  type TestDatabase,
  type TestTopic,
} from './test-kit.ts';
export { type InfraInfo, infraUp, type UpOptions } from './up.ts';
