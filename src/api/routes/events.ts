import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Submission } from '../../store/index.js';
import type { SubmissionService } from '../../submissions/index.js';
import { ErrorSchema } from '../schemas.js';
import { submissionView } from '../view.js';

/** A comment line this often keeps proxies and load balancers from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/**
 * One Server-Sent Event per state. The id is the status, so a client that reconnects after
 * `finished` (EventSource does, unless closed) sends Last-Event-ID: finished and is answered 204,
 * which per the HTML standard stops it reconnecting.
 */
function frame(submission: Submission): string {
  return `id: ${submission.status}\nevent: status\ndata: ${JSON.stringify(submissionView(submission))}\n\n`;
}

export function submissionEventRoutes(app: FastifyInstance, service: SubmissionService): void {
  /** How to end each open stream when the server closes. */
  const open = new Set<() => void>();
  // Fastify's close waits for open responses, and for their connections: a stream would hold it
  // until its run finished, and its kept-alive connection until the keep-alive timeout.
  app.addHook('preClose', async () => {
    for (const shutdown of [...open]) shutdown();
  });

  // Without the type provider: the 200 is a stream, which the typed reply does not accept.
  app.get<{ Params: { id: string } }>(
    '/v1/submissions/:id/events',
    {
      schema: {
        summary: 'Follow a submission\'s state as Server-Sent Events',
        description:
          'A text/event-stream: at once an `event: status` whose data is the submission as GET /v1/submissions/:id returns it, then one at each change of state (queued, running, finished), in that order; the stream ends after `finished`. ' +
          `Comment lines (": keep-alive") every ${KEEP_ALIVE_MS / 1000} s keep it open. Each event's id is the status; a reconnect with Last-Event-ID: finished is answered 204.`,
        tags: ['submissions'],
        params: Id,
        response: {
          200: {
            description: 'The event stream.',
            content: { 'text/event-stream': { schema: Type.String({ description: 'event: status\\nid: <status>\\ndata: <the submission as JSON>' }) } },
          },
          204: { description: 'Already finished, and the client said it has seen that (Last-Event-ID: finished).', type: 'null' },
          404: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      // Read before the stream starts, so an unknown id is a plain JSON 404.
      const first = await service.get(request.params.id);
      if (first.status === 'finished' && request.headers['last-event-id'] === 'finished') return reply.status(204).send();

      const stream = new PassThrough();
      const controller = new AbortController();
      const keepAlive = setInterval(() => stream.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      const end = (): void => {
        if (!open.delete(shutdown)) return;
        clearInterval(keepAlive);
        controller.abort();
        stream.end();
      };
      const shutdown = (): void => {
        reply.raw.once('finish', () => reply.raw.socket?.end());
        end();
      };
      open.add(shutdown);
      reply.raw.on('close', end);
      service
        .watch(first.id, (submission) => stream.write(frame(submission)), controller.signal)
        .catch((err: unknown) => request.log.warn({ err, id: first.id }, 'status stream ended early: the store could not be read'))
        .finally(end);
      return reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache')
        // nginx buffers proxied responses unless told not to; events would arrive all at the end.
        .header('x-accel-buffering', 'no')
        .send(stream);
    },
  );
}
