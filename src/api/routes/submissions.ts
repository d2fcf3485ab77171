import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../../config/index.js';
import type { CreateSubmissionInput, SubmissionService } from '../../submissions/index.js';
import { ErrorSchema, submissionSchemas } from '../schemas.js';
import { submissionView } from '../view.js';
import { submissionEventRoutes } from './events.js';

export function submissionRoutes(app: FastifyInstance, config: Config, service: SubmissionService): void {
  const s = submissionSchemas(config);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/v1/submissions',
    {
      schema: {
        summary: 'Submit a program',
        description: 'Answers 201 once the submission is committed to the store. With wait=true, answers when it has finished, or as it stands after the server\'s wait maximum.',
        tags: ['submissions'],
        body: s.CreateBody,
        querystring: s.CreateQuery,
        response: { 201: s.Accepted, 400: ErrorSchema, 413: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const id = await service.create(request.body as CreateSubmissionInput);
      if (request.query.wait) {
        const done = await service.waitFor(id, config.waitMaxMs);
        return reply.status(201).header('location', `/v1/submissions/${id}`).send(submissionView(done));
      }
      return reply.status(201).header('location', `/v1/submissions/${id}`).send({ id, status: 'queued' });
    },
  );

  api.get(
    '/v1/submissions/:id',
    {
      schema: {
        summary: 'Read a submission and, once finished, its result',
        tags: ['submissions'],
        params: s.Id,
        response: { 200: s.View, 404: ErrorSchema },
      },
    },
    async (request) => submissionView(await service.get(request.params.id)),
  );

  submissionEventRoutes(app, service);
}
