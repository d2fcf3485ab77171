import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../config/index.js';
import { VerdictError } from '../../errors.js';
import { requestError, statusOf } from '../../api/errors.js';
import type { Judge } from '../../judge/index.js';
import type { LanguageRegistry } from '../../languages/index.js';
import type { SubmissionService } from '../../submissions/index.js';
import { connectRoute } from './connect.js';
import { parseJob } from './request.js';
import { listRuntimes, runtimeView } from './runtimes.js';
import { ExecuteBody, ExecuteResult, PistonError, Runtime } from './schemas.js';
import { executeResponse } from './stages.js';

export interface PistonApiOptions {
  readonly config: Config;
  readonly languages: LanguageRegistry;
  readonly submissions: SubmissionService;
  /** Runs live sessions; absent in a process that only queues runs (an API replica). */
  readonly interactive?: Pick<Judge, 'judgeInteractive'>;
}

/** Piston's errors are `{message}`; each of our error codes keeps the status it has in v1. */
function pistonError(this: unknown, error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const send = (status: number, message: string) => reply.status(status).type('application/json').send({ message });
  if (error instanceof VerdictError) {
    const status = statusOf(error.code);
    if (status < 500) return send(status, error.message);
    request.log.error({ err: error }, 'piston request failed');
    return send(status, status === 500 ? 'an unexpected error occurred; it has been logged' : error.message);
  }
  const known = requestError(error, request);
  // Piston's own wording for a body of another type.
  if (known) return send(known.status, known.code === 'unsupported_media_type' ? 'requests must be of type application/json' : known.message);
  request.log.error({ err: error }, 'unexpected error');
  return send(500, 'an unexpected error occurred; it has been logged');
}

/**
 * Piston's v2 API (registered under /api/v2), so Piston clients run their code here unchanged:
 * runtimes, execute through the store like any submission, and interactive sessions.
 */
export async function pistonApi(app: FastifyInstance, opts: PistonApiOptions): Promise<void> {
  const { config, languages, submissions } = opts;
  app.setErrorHandler(pistonError);
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ message: `no route ${request.method} ${request.url.split('?')[0]}` }));
  // Piston refuses any body not labelled JSON before looking at it. We also take JSON labelled
  // text/plain: that is what the npm piston-client sends (fetch's default for a string body).
  app.addHook('onRequest', async (request, reply) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return;
    const type = request.headers['content-type'] ?? '';
    if (!type.startsWith('application/json') && !type.startsWith('text/plain')) {
      return reply.status(415).send({ message: 'requests must be of type application/json' });
    }
  });
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (err) {
      done(Object.assign(new Error(`the body is not valid JSON: ${(err as Error).message}`), { statusCode: 400 }), undefined);
    }
  });

  app.get(
    '/runtimes',
    { schema: { summary: 'Piston: the runtimes this server offers', tags: ['piston'], response: { 200: Type.Array(Runtime) } } },
    async () => listRuntimes(languages).map(runtimeView),
  );

  app.post(
    '/execute',
    {
      schema: {
        summary: 'Piston: run a program and answer with its compile and run stages',
        description: 'Stored and run like any submission (so it survives a restart and runs on any worker); answers when it has finished.',
        tags: ['piston'],
        body: ExecuteBody,
        response: { 200: ExecuteResult, 400: PistonError, 413: PistonError, 415: PistonError, 503: PistonError },
      },
      // The body is checked by parseJob, in Piston's order and wording; the schema only documents it.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const job = parseJob(request.body, languages, config);
      // Piston ends stdin with a newline when it does not: programs written against it may count on it.
      const stdin = job.input.stdin ?? '';
      const id = await submissions.create({ ...job.input, stdin: stdin.endsWith('\n') ? stdin : `${stdin}\n` });
      const done = await submissions.waitFor(id, config.waitMaxMs);
      if (done.status !== 'finished' || done.result === null) {
        return reply.status(503).send({
          message: `the run did not finish within ${config.waitMaxMs} ms; it is still ${done.status} and will finish as submission ${id} (GET /v1/submissions/${id})`,
        });
      }
      const { language, version, id: languageId } = job.runtime;
      return executeResponse(language, version, languages.get(languageId).compiled, done.result);
    },
  );

  connectRoute(app, opts);
}
