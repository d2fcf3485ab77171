export { buildApi, type ApiDeps } from './server.js';
export type { Readiness } from './routes/health.js';
export { buildAdminApi, type AdminApiDeps } from './admin.js';
