import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CallbackUrlPolicy } from '../../callbacks/index.js';
import type { Config } from '../../config/index.js';
import type { LanguageRegistry } from '../../languages/index.js';
import type { Metrics } from '../../metrics/Metrics.js';
import { Judge0Auth } from './auth.js';
import { handleJudge0Error } from './errors.js';
import { judge0InfoRoutes } from './info.js';
import { Judge0Languages } from './languages.js';
import { judge0Limits } from './limits.js';
import { judge0SubmissionRoutes, type Judge0SubmissionService } from './submissions.js';

export interface Judge0Deps {
  readonly config: Config;
  readonly languages: LanguageRegistry;
  readonly submissions: Judge0SubmissionService;
  readonly metrics: Metrics;
  /** This server's version, shown in /about beside the Judge0 version it answers as. */
  readonly version: string;
}

/**
 * Judge0's default is to answer any origin (browser IDEs call it directly), preflights included;
 * they carry no credentials, so they are answered before authentication.
 */
async function allowAnyOrigin(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('access-control-allow-origin', '*');
}

function preflight(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const asked = request.headers['access-control-request-headers'];
  return reply
    .status(200)
    .header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD')
    .header('access-control-allow-headers', typeof asked === 'string' ? asked : '*')
    .header('access-control-max-age', '7200')
    .send();
}

/**
 * The Judge0 CE 1.13.1 API at Judge0's own paths, so its clients and SDK work unchanged. It is
 * registered in a scope of its own: its error shapes, authentication and CORS never touch the
 * native routes.
 */
export async function judge0Routes(app: FastifyInstance, deps: Judge0Deps): Promise<void> {
  await app.register(async (scope) => {
    const limits = judge0Limits(deps.config);
    const languages = new Judge0Languages(deps.languages, deps.config.runLimits.memoryKb.default);
    const auth = new Judge0Auth(deps.config.judge0AuthTokens, deps.config.judge0AuthUsers);
    const paths = new Set<string>();
    scope.addHook('onRoute', (route) => {
      if (route.method !== 'OPTIONS' && !(Array.isArray(route.method) && route.method.includes('OPTIONS'))) paths.add(route.url);
    });
    scope.setErrorHandler(handleJudge0Error);
    scope.addHook('onRequest', allowAnyOrigin);
    scope.addHook('onRequest', auth.authenticate);

    const callbackUrls = new CallbackUrlPolicy({ allowPrivate: deps.config.callbackAllowPrivate });
    judge0SubmissionRoutes(scope, { config: deps.config, languages, limits, submissions: deps.submissions, auth, callbackUrls });
    judge0InfoRoutes(scope, { config: deps.config, languages, limits, metrics: deps.metrics, auth, version: deps.version });
    for (const url of paths) scope.options(url, { schema: { hide: true } }, preflight);
  });
}
