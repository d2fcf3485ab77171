import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { VerdictError } from '../../errors.js';
import { requestError, statusOf } from '../../api/errors.js';
import { SubmissionNotFound } from '../../submissions/index.js';

/** Rails' validation errors: each field with its messages, answered with 422. */
export type FieldErrors = Record<string, string[]>;

export class Judge0Invalid extends VerdictError {
  constructor(readonly errors: FieldErrors) {
    super('judge0_invalid', Object.entries(errors).map(([field, messages]) => `${field} ${messages.join(', ')}`).join('; '));
  }
}

/** Judge0's 400 `{"error": "..."}`. */
export class Judge0BadRequest extends VerdictError {
  constructor(message: string) {
    super('judge0_bad_request', message);
  }
}

/** Judge0 renders this body when a JSON client asks for a record that does not exist. */
export const NOT_FOUND_BODY = { status: 404, error: 'Not Found' } as const;

export const NOT_UTF8_ONE = 'some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter';
export const NOT_UTF8_MANY = 'some attributes for one or more submissions cannot be converted to UTF-8, use base64_encoded=true query parameter';

/** Raised while rendering a text field that is not UTF-8 without base64; routes pick the wording. */
export class NotUtf8 extends Error {}

/** The Judge0 routes' error handler: Judge0's shapes, never the native `{error: {code}}` one. */
export function handleJudge0Error(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof Judge0Invalid) return reply.status(422).send(error.errors);
  if (error instanceof Judge0BadRequest) return reply.status(400).send({ error: error.message });
  if (error instanceof NotUtf8) return reply.status(400).send({ error: NOT_UTF8_ONE });
  if (error instanceof SubmissionNotFound) return reply.status(404).send(NOT_FOUND_BODY);
  if (error instanceof VerdictError) {
    // Any other of our errors keeps the status it has in v1, in Judge0's `{error}` shape.
    const status = statusOf(error.code);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send({ error: status === 500 ? 'an unexpected error occurred; it has been logged' : error.message });
  }
  const known = requestError(error, request);
  if (known) return reply.status(known.status).send({ error: known.message });
  request.log.error({ err: error }, 'unexpected error');
  return reply.status(500).send({ error: 'an unexpected error occurred; it has been logged' });
}
