// `@orders/api/testing`: what tests outside this package use (the fault suite's HTTP abuse).
export { apiRoutePaths } from './routes.ts';
