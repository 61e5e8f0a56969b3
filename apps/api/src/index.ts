// What other packages use: ingest serves the app (createApp, serverOptions), builds the API's
// metrics on its registry and implements OrderReader over PostgreSQL.

export type {
  AdminToken,
  DeadLetterFilter,
  DeadLetterPage,
  DeadLetterPosition,
  DeadLetterQuery,
  DeadLetterReader,
  DeadLetterRecord,
  DeadLetterSummary,
} from './admin/deps.ts';
export {
  type LetterRedrive,
  REDRIVE_MAX_LETTERS,
  REDRIVE_RATE,
  type RedriveOptions,
  type RedriveRun,
  type RedriveSelection,
  type RedriveService,
  type StartOutcome,
} from './admin/redrive-deps.ts';
export { type ApiMetrics, createApiMetrics, type IngestFigures } from './api-metrics.ts';
export { createApp } from './app.ts';
export type {
  ApiDeps,
  OrderReader,
  OrderSearch,
  OrderSearchPage,
  OrderSearchQuery,
} from './deps.ts';
export { serverOptions } from './server-options.ts';
