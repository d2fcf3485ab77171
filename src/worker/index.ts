export { WorkerPool, type WorkerPoolDeps } from './WorkerPool.js';
