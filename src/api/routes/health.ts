import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface Readiness {
  /** Resolves with the reasons the process is not ready; empty when it is. */
  (): Promise<string[]>;
}

export function healthRoutes(app: FastifyInstance, registry: Registry, readiness: Readiness): void {
  // Liveness: the event loop answers. Nothing else, so a slow dependency never restarts us.
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const problems = await readiness();
    if (problems.length > 0) return reply.status(503).send({ status: 'not_ready', problems });
    return { status: 'ready' };
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
