export { buildApi, type ApiDeps } from './server.js';
export type { Readiness } from './routes/health.js';
