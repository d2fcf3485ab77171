import { Type, type TSchema } from 'typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const PistonError = Type.Object({ message: Type.String() });

export const Runtime = Type.Object({
  language: Type.String(),
  version: Type.String({ description: 'The probed toolchain version, as semver.' }),
  aliases: Type.Array(Type.String()),
  runtime: Type.Optional(Type.String()),
});

const Stage = Type.Object({
  stdout: Type.String(),
  stderr: Type.String(),
  output: Type.String({ description: 'stdout, then stderr.' }),
  code: Nullable(Type.Integer()),
  signal: Nullable(Type.String()),
  message: Nullable(Type.String()),
  status: Nullable(Type.String({ enum: ['RE', 'SG', 'TO', 'XX', 'OL', 'EL'] })),
  cpu_time: Nullable(Type.Number()),
  wall_time: Nullable(Type.Number()),
  memory: Nullable(Type.Number({ description: 'Peak memory in bytes.' })),
});

export const ExecuteResult = Type.Object({
  language: Type.String(),
  version: Type.String(),
  run: Stage,
  compile: Type.Optional(Stage),
});

const Limit = (what: string) => Type.Optional(Type.Number({ description: `${what}; 0 or absent: the server default; -1: the server maximum.` }));

/**
 * Documents the body for /openapi.json only. The route checks the body itself, in Piston's
 * order and with Piston's messages, which its clients may show or match.
 */
export const ExecuteBody = Type.Object({
  language: Type.String({ description: 'A language name or alias from GET /api/v2/runtimes.' }),
  version: Type.String({ description: 'A semver range; "*" takes the newest.' }),
  files: Type.Array(
    Type.Object({
      name: Type.Optional(Type.String()),
      content: Type.String(),
      encoding: Type.Optional(Type.String({ enum: ['utf8', 'base64', 'hex'] })),
    }),
    { description: 'The first utf8 file is the main file.' },
  ),
  stdin: Type.Optional(Type.String({ description: 'A newline is added if it does not end with one, as Piston does.' })),
  args: Type.Optional(Type.Array(Type.String())),
  compile_timeout: Limit('Compile wall time in ms, checked against the server maximum'),
  run_timeout: Limit('Run wall time in ms'),
  compile_cpu_time: Limit('Compile CPU time in ms, checked against the server maximum'),
  run_cpu_time: Limit('Run CPU time in ms'),
  compile_memory_limit: Limit('Compile memory in bytes, checked against the server maximum'),
  run_memory_limit: Limit('Run memory in bytes'),
});
