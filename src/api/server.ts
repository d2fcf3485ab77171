import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import { judge0Routes } from '../compat/judge0/index.js';
import { pistonApi } from '../compat/piston/index.js';
import type { Config } from '../config/index.js';
import type { Judge } from '../judge/index.js';
import type { LanguageRegistry } from '../languages/index.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/Metrics.js';
import type { SubmissionService } from '../submissions/index.js';
import { handleError } from './errors.js';
import { healthRoutes, type Readiness } from './routes/health.js';
import { languageRoutes } from './routes/languages.js';
import { submissionRoutes } from './routes/submissions.js';

export interface ApiDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly languages: LanguageRegistry;
  readonly submissions: SubmissionService;
  readonly readiness: Readiness;
  readonly version: string;
  /** Sent as X-Verdict-Replica on every response: which of several replicas answered. */
  readonly replicaName?: string;
  /** Runs live (interactive) sessions; absent where this process runs no programs (an API replica). */
  readonly interactive?: Pick<Judge, 'judgeInteractive'>;
}

/**
 * The HTTP API, built on Fastify: schema validation compiled once per route, the same schemas
 * feed the OpenAPI document, and its logger is the process's pino logger.
 */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  // pino's Logger and Fastify's logger type differ only in generics; it is the same object.
  const app = Fastify({
    loggerInstance: deps.log as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.config.maxRequestKb * 1024,
    ajv: {
      // Unknown fields are errors the client should hear about, not silently dropped.
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'route_not_found', message: `no route ${request.method} ${request.url.split('?')[0]}; see /docs` } }),
  );
  const replica = deps.replicaName;
  if (replica) {
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('x-verdict-replica', replica);
    });
  }
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpRequests.inc({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Verdict API', version: deps.version, description: 'Run untrusted code in a sandbox and get its output, resource use and verdict.' },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // At the root, so an upgrade to any other route is refused rather than left hanging.
  await app.register(websocket, { options: { maxPayload: deps.config.maxRequestKb * 1024 } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  healthRoutes(app, deps.metrics.registry, deps.readiness);
  languageRoutes(app, deps.languages);
  submissionRoutes(app, deps.config, deps.submissions);
  // Judge0 CE's API at its own paths, for the clients that already speak it.
  await judge0Routes(app, { config: deps.config, languages: deps.languages, submissions: deps.submissions, metrics: deps.metrics, version: deps.version });
  // Piston's v2 API, with its own error shape ({message}) inside its prefix.
  await app.register(pistonApi, { prefix: '/api/v2', config: deps.config, languages: deps.languages, submissions: deps.submissions, interactive: deps.interactive });
  return app;
}
