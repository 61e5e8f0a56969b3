// `@orders/api/testing`: what tests outside this package use (the fault suite's HTTP abuse; the
// ingest and page tests of the admin API: its fake ledger, letters and test tokens).
export { adminApiApp, adminDeps, bearer, TEST_TOKENS } from './admin-app.ts';
export { createFakeDeadLetters, type FakeDeadLetters, ledgerLetter } from './fake-dead-letters.ts';
export { apiRoutePaths } from './routes.ts';
