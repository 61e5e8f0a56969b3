export { type DeadLetter, handleBatch, type ValidOrder } from './handle-batch.ts';
export { createIngest, type Ingest, type IngestDeps, type IngestStatus } from './ingest.ts';
export { createLogger, type Logger, type LogLevel } from './logger.ts';
