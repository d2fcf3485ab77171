import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../log/logger.js';
import { healthRoutes, type Readiness } from './routes/health.js';

export interface AdminApiDeps {
  readonly log: Logger;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly replicaName: string;
}

/**
 * The HTTP face of a process that serves no API of its own (a worker, the relay): /healthz,
 * /readyz and /metrics, so every long-lived process is probed and scraped the same way.
 */
export async function buildAdminApi(deps: AdminApiDeps): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.log as unknown as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }) });
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('x-verdict-replica', deps.replicaName);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'route_not_found', message: `no route ${request.method} ${request.url.split('?')[0]}; this process serves /healthz, /readyz and /metrics` } }),
  );
  healthRoutes(app, deps.registry, deps.readiness);
  return app;
}
