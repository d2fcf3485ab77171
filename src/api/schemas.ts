import { Type, type TSchema } from 'typebox';
import { CALLBACK_URL_MAX_LENGTH } from '../callbacks/index.js';
import type { Config } from '../config/index.js';
import { VERDICTS } from '../judge/index.js';
import { LIMIT_FIELDS } from '../submissions/index.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** Request schemas carry this server's maxima, so validation and /openapi.json both state them. */
export function submissionSchemas(config: Config) {
  const limitProps: Record<string, TSchema> = {};
  for (const [field, key] of LIMIT_FIELDS) {
    const range = config.runLimits[key];
    limitProps[field] = Type.Optional(Type.Integer({ minimum: 1, maximum: range.max, description: `Default ${range.default}, maximum ${range.max}.` }));
  }
  const Limits = Type.Object(limitProps, { additionalProperties: false, description: 'Run limits; each may lower the default but never exceed the maximum.' });

  const File = Type.Object(
    {
      name: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Plain file name: letters, digits, _ - . only.' })),
      content: Type.String(),
      encoding: Type.Optional(Type.Union([Type.Literal('utf8'), Type.Literal('base64')])),
    },
    { additionalProperties: false },
  );

  const Test = Type.Object(
    {
      stdin: Type.Optional(Type.String()),
      expected_output: Type.Optional(Nullable(Type.String())),
      limits: Type.Optional(Limits),
    },
    { additionalProperties: false, description: 'One test: its input, the output it should produce, limits that may only lower the submission\'s.' },
  );
  const Comparison = Type.Object(
    {
      mode: Type.Union([Type.Literal('exact'), Type.Literal('trim'), Type.Literal('tokens'), Type.Literal('numbers')], {
        description: 'exact: byte for byte; trim (default): trailing whitespace on each line and trailing blank lines ignored; tokens: whitespace-separated tokens; numbers: tokens, numeric ones equal within absolute or relative tolerance.',
      }),
      absolute: Type.Optional(Type.Number({ minimum: 0, description: 'numbers only; default 1e-6.' })),
      relative: Type.Optional(Type.Number({ minimum: 0, description: 'numbers only; default 1e-6.' })),
    },
    { additionalProperties: false },
  );
  const Checker = Type.Object(
    {
      language: Type.String({ minLength: 1 }),
      source: Type.Optional(Type.String()),
      files: Type.Optional(Type.Array(File, { minItems: 1, maxItems: config.maxFiles })),
    },
    {
      additionalProperties: false,
      description: 'A program that judges the output, run in the sandbox as `checker INPUT OUTPUT ANSWER` (file names in its working directory): exit 0 accepted, 1 or 2 wrong answer, anything else an internal error.',
    },
  );

  const CreateBody = Type.Object(
    {
      language: Type.String({ minLength: 1, description: 'A language id from GET /v1/languages.' }),
      source: Type.Optional(Type.String({ description: 'The program, as one file. Give this or files.' })),
      files: Type.Optional(Type.Array(File, { minItems: 1, maxItems: config.maxFiles, description: 'The program as several files; the first is the main file.' })),
      stdin: Type.Optional(Type.String()),
      args: Type.Optional(Type.Array(Type.String(), { maxItems: config.maxArgs })),
      compile_options: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: config.maxArgs })], { description: 'Extra compiler arguments; a string is split on whitespace, never given to a shell.' })),
      expected_output: Type.Optional(Nullable(Type.String())),
      limits: Type.Optional(Limits),
      tests: Type.Optional(Type.Array(Test, { minItems: 1, maxItems: config.maxTests, description: 'Several tests, compiled once, each with its own verdict; then stdin and expected_output go in each test.' })),
      stop_on_first_failure: Type.Optional(Type.Boolean({ description: 'Skip the tests after the first that is not accepted.' })),
      comparison: Type.Optional(Comparison),
      checker: Type.Optional(Checker),
      callback_url: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: CALLBACK_URL_MAX_LENGTH,
          description: `http(s) URL to POST the finished submission to (the JSON GET returns); retried with backoff until a 2xx${config.callbackAllowPrivate ? '' : '. Its host must resolve to public addresses only'}.`,
        }),
      ),
    },
    { additionalProperties: false },
  );

  const CreateQuery = Type.Object(
    { wait: Type.Optional(Type.Boolean({ description: `Answer when the run has finished (at most ${config.waitMaxMs} ms).` })) },
    { additionalProperties: false },
  );

  const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

  const TestView = Type.Object({
    verdict: Type.String({ enum: [...VERDICTS] }),
    verdict_detail: Nullable(Type.String()),
    stdout: Type.String(),
    stderr: Type.String(),
    checker_output: Nullable(Type.String()),
    exit_code: Nullable(Type.Integer()),
    signal: Nullable(Type.String()),
    cpu_time_ms: Nullable(Type.Integer()),
    wall_time_ms: Nullable(Type.Integer()),
    memory_kb: Nullable(Type.Integer()),
  });

  const View = Type.Object({
    id: Type.String(),
    status: Type.String({ enum: ['queued', 'running', 'finished'] }),
    language: Type.String(),
    verdict: Nullable(Type.String({ enum: [...VERDICTS] })),
    verdict_detail: Nullable(Type.String()),
    stdout: Nullable(Type.String()),
    stderr: Nullable(Type.String()),
    compile_output: Nullable(Type.String()),
    encoding: Type.String({ enum: ['utf8', 'base64'], description: 'base64 when any output is not valid UTF-8; then stdout, stderr, compile_output and the stdout, stderr and checker_output of every test are all base64.' }),
    exit_code: Nullable(Type.Integer()),
    signal: Nullable(Type.String()),
    cpu_time_ms: Nullable(Type.Integer()),
    wall_time_ms: Nullable(Type.Integer()),
    memory_kb: Nullable(Type.Integer()),
    message: Nullable(Type.String()),
    limits: Type.Record(Type.String(), Type.Integer()),
    tests: Type.Optional(Type.Array(TestView, { description: 'Per test, in order, for a submission sent with tests (tests skipped after a failure are absent). Outputs use the same encoding as the submission\'s.' })),
    created_at: Type.String({ format: 'date-time' }),
    started_at: Nullable(Type.String({ format: 'date-time' })),
    finished_at: Nullable(Type.String({ format: 'date-time' })),
  });

  // One object schema, not a union: a union makes every response pick its branch by validation.
  const Accepted = Type.Partial(View, {
    description: 'Always id and status ("queued"); with wait=true, the whole submission as GET returns it.',
  });

  return { CreateBody, CreateQuery, Id, View, Accepted };
}

export const ErrorSchema = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }),
});

export const LanguageSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  version: Type.String(),
  compiled: Type.Boolean(),
});
