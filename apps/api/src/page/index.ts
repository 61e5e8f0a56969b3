export { createPageRoutes, type PageOptions } from './page-routes.ts';
export { PAGE_CSP, PAGE_SECURITY_HEADERS } from './security-headers.ts';
