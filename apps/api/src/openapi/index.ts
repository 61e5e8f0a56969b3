export { buildOpenApi, toComponent } from './build-openapi.ts';
export { renderDocsPage } from './docs-page.ts';
