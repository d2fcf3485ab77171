import type { FastifyInstance } from 'fastify';
import { CallbackUrlRefused, type CallbackUrlPolicy } from '../../callbacks/index.js';
import type { Config } from '../../config/index.js';
import type { NewSubmission, Submission } from '../../store/index.js';
import { SubmissionNotFound, type CreateSubmissionInput } from '../../submissions/index.js';
import type { Judge0Auth } from './auth.js';
import { Judge0BadRequest, Judge0Invalid, NOT_UTF8_MANY, NOT_UTF8_ONE, NotUtf8 } from './errors.js';
import { renderSubmission, requestedFields } from './fields.js';
import type { Judge0Languages } from './languages.js';
import type { Judge0Limits } from './limits.js';
import { parseCreate } from './request.js';

/** What the Judge0 routes need of the submission service. */
export interface Judge0SubmissionService {
  validate(input: CreateSubmissionInput): NewSubmission;
  /** Stores and queues an already validated submission; resolves once it is committed. */
  submit(submission: NewSubmission): Promise<string>;
  get(id: string): Promise<Submission>;
  waitFor(id: string, timeoutMs: number): Promise<Submission>;
}

export interface SubmissionRouteDeps {
  readonly config: Config;
  readonly languages: Judge0Languages;
  readonly limits: Judge0Limits;
  readonly submissions: Judge0SubmissionService;
  readonly auth: Judge0Auth;
  readonly callbackUrls: Pick<CallbackUrlPolicy, 'check'>;
}

/** Judge0 CE 1.13.1's batch size limit (MAX_SUBMISSION_BATCH_SIZE). */
export const MAX_BATCH = 20;

type Query = Record<string, string | undefined>;

function batchSize(n: number): void {
  if (n > MAX_BATCH) throw new Judge0BadRequest(`number of submissions in a batch should be less than or equal to ${MAX_BATCH}`);
  if (n === 0) throw new Judge0BadRequest('there should be at least one submission in a batch');
}

export function judge0SubmissionRoutes(app: FastifyInstance, deps: SubmissionRouteDeps): void {
  const { submissions, languages } = deps;
  const requestDeps = { config: deps.config, languages, limits: deps.limits, validate: (i: CreateSubmissionInput) => submissions.validate(i) };
  const create = async (body: unknown, base64: boolean): Promise<string> => {
    const submission = parseCreate(body, base64, requestDeps);
    const callback = submission.options.callback;
    if (callback) {
      try {
        await deps.callbackUrls.check(callback.url);
      } catch (err) {
        if (err instanceof CallbackUrlRefused) throw new Judge0Invalid({ callback_url: [err.message.replace(/^callback_url /, '')] });
        throw err;
      }
    }
    return submissions.submit(submission);
  };
  const tags = ['judge0'];

  app.post('/submissions', { schema: { tags, summary: 'Judge0: create a submission' } }, async (request, reply) => {
    const query = request.query as Query;
    const fields = requestedFields(query.fields);
    const base64 = query.base64_encoded === 'true';
    const token = await create(request.body, base64);
    if (query.wait !== 'true') return reply.status(201).send({ token });
    const done = await submissions.waitFor(token, deps.config.waitMaxMs);
    try {
      return reply.status(201).send(renderSubmission(done, fields, base64, languages));
    } catch (err) {
      if (err instanceof NotUtf8) return reply.status(201).send({ error: NOT_UTF8_ONE, token });
      throw err;
    }
  });

  app.post('/submissions/batch', { schema: { tags, summary: 'Judge0: create up to 20 submissions' } }, async (request, reply) => {
    const query = request.query as Query;
    const items = (request.body as { submissions?: unknown } | null)?.submissions;
    const list = Array.isArray(items) ? items : [];
    batchSize(list.length);
    // Each is accepted or refused on its own, as Judge0 saves them one by one.
    const results = await Promise.all(
      list.map(async (item) => {
        try {
          return { token: await create(item, query.base64_encoded === 'true') };
        } catch (err) {
          if (err instanceof Judge0Invalid) return err.errors;
          throw err;
        }
      }),
    );
    return reply.status(results.some((r) => 'token' in r) ? 201 : 422).send(results);
  });

  app.get('/submissions/batch', { schema: { tags, summary: 'Judge0: read up to 20 submissions by token' } }, async (request) => {
    const query = request.query as Query;
    const header = request.headers.tokens;
    const tokens = (typeof header === 'string' ? header : (query.tokens ?? '')).trim().split(',').filter((t) => t !== '');
    batchSize(tokens.length);
    const fields = requestedFields(query.fields);
    const found = await Promise.all(tokens.map((t) => submissions.get(t).catch((err: unknown) => (err instanceof SubmissionNotFound ? null : Promise.reject(err)))));
    try {
      return { submissions: found.map((s) => (s === null ? null : renderSubmission(s, fields, query.base64_encoded === 'true', languages))) };
    } catch (err) {
      if (err instanceof NotUtf8) throw new Judge0BadRequest(NOT_UTF8_MANY);
      throw err;
    }
  });

  app.get('/submissions/:token', { schema: { tags, summary: 'Judge0: read a submission' } }, async (request) => {
    const query = request.query as Query;
    const fields = requestedFields(query.fields);
    const submission = await submissions.get((request.params as { token: string }).token);
    return renderSubmission(submission, fields, query.base64_encoded === 'true', languages);
  });

  // Listing needs a store query this server does not have; Judge0 authorizes the route first.
  app.get('/submissions', { schema: { tags, summary: 'Judge0: list submissions (not supported)' }, preHandler: deps.auth.authorize }, async (request, reply) => {
    const query = request.query as Query;
    requestedFields(query.fields);
    // Ruby's to_i: leading digits, else 0.
    const page = query.page === undefined ? 1 : parseInt(query.page, 10) || 0;
    const perPage = query.per_page === undefined ? 20 : parseInt(query.per_page, 10) || 0;
    if (page <= 0) throw new Judge0BadRequest(`invalid page: ${page}`);
    if (perPage < 0) throw new Judge0BadRequest(`invalid per_page: ${perPage}`);
    return reply.status(501).send({ error: 'listing submissions is not supported by this server; keep the tokens you create and read them with GET /submissions/batch?tokens=...' });
  });

  // Submissions are kept: deletion is switched off, as in a stock Judge0 (enable_submission_delete).
  app.delete('/submissions/:token', { schema: { tags, summary: 'Judge0: delete a submission (not allowed)' }, preHandler: deps.auth.authorize }, async (request) => {
    requestedFields((request.query as Query).fields);
    throw new Judge0BadRequest('delete not allowed');
  });
}

