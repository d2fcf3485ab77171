export { pistonApi, type PistonApiOptions } from './routes.js';
