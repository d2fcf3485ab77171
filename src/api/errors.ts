import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { VerdictError } from '../errors.js';

/** Every error code a client can see, and its HTTP status. The one place that maps them. */
const STATUS_BY_CODE: Record<string, number> = {
  invalid_request: 400,
  invalid_json: 400,
  language_not_found: 400,
  callback_url_refused: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  submission_not_found: 404,
  route_not_found: 404,
  store_unavailable: 503,
  broker_unavailable: 503,
  not_ready: 503,
};

/** The HTTP status of an error code, for every API (the compatibility ones shape their own bodies). */
export function statusOf(code: string): number {
  return STATUS_BY_CODE[code] ?? 500;
}

/**
 * Fastify's own errors about a request (a body that is not JSON, too large, of another media
 * type, or another 4xx), as the code, status and message every API answers them with; null for
 * anything else, which is the server's fault.
 */
export function requestError(error: FastifyError, request: FastifyRequest): { code: string; status: number; message: string } | null {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'invalid_json', status: 400, message: `the body is not valid JSON: ${error.message}` };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'payload_too_large', status: 413, message: `the request body is larger than this server accepts (${request.server.initialConfig.bodyLimit} bytes, VERDICT_MAX_REQUEST_KB)` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'unsupported_media_type', status: 415, message: 'send the body as JSON with the header Content-Type: application/json' };
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) return { code: 'invalid_request', status: error.statusCode, message: error.message };
  return null;
}

interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function fieldPath(context: string, instancePath: string): string {
  const parts = instancePath.split('/').filter(Boolean).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`));
  return (context === 'body' ? '' : `${context}`) + parts.join('').replace(/^\./, '');
}

/** Turns a schema failure into one sentence naming the field and what to send instead. */
function describeValidation(context: string, issue: AjvIssue): { message: string; field: string } {
  const at = fieldPath(context, issue.instancePath);
  const where = at === '' ? (context === 'body' ? 'the request body' : context) : at;
  switch (issue.keyword) {
    case 'additionalProperties': {
      const extra = String(issue.params.additionalProperty);
      const field = at ? `${at}.${extra}` : extra;
      return { field, message: `unknown field "${field}"; remove it (see /openapi.json for the fields ${where} accepts)` };
    }
    case 'required': {
      const missing = String(issue.params.missingProperty);
      const field = at ? `${at}.${missing}` : missing;
      return { field, message: `${where} is missing the required field "${field}"` };
    }
    case 'type':
      if (at === '' && context === 'body') return { field: at, message: 'the request body must be a JSON object, sent with Content-Type: application/json' };
      return { field: at, message: `${where} must be of type ${String(issue.params.type)}` };
    default:
      return { field: at, message: `${where} ${issue.message ?? 'is invalid'}` };
  }
}

function send(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  return reply.status(status).type('application/json').send(body);
}

/** Installed as Fastify's error handler: known errors keep their code, others become a plain 500. */
export function handleError(this: unknown, error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.validation && error.validation.length > 0) {
    const { message, field } = describeValidation(error.validationContext ?? 'body', error.validation[0] as AjvIssue);
    return send(reply, 400, { error: { code: 'invalid_request', message, field } });
  }
  if (error instanceof VerdictError) {
    const status = statusOf(error.code);
    const field = (error as { field?: string }).field;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return send(reply, status, { error: { code: error.code, message: error.message, ...(field ? { field } : {}) } });
  }
  const known = requestError(error, request);
  if (known) return send(reply, known.status, { error: { code: known.code, message: known.message } });
  request.log.error({ err: error }, 'unexpected error');
  return send(reply, 500, { error: { code: 'internal', message: 'an unexpected error occurred; it has been logged' } });
}
