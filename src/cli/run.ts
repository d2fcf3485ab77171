import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { VerdictError } from '../errors.js';
import { CATALOG } from '../languages/index.js';
import { pino } from 'pino';
import { resolveLimits } from '../submissions/index.js';
import { createJudgeRuntime } from './runtime.js';

export interface RunOnceOptions {
  readonly file: string;
  readonly language?: string;
  readonly stdin: Buffer;
  readonly args: readonly string[];
}

/** `verdict run FILE`: one sandboxed run, its output on stdout/stderr, a summary on stderr. */
export async function runOnce(config: Config, opts: RunOnceOptions): Promise<number> {
  const ext = path.extname(opts.file);
  const spec = opts.language ? CATALOG.find((s) => s.id === opts.language) : CATALOG.find((s) => s.extension === ext);
  if (!spec) {
    throw new VerdictError('usage', opts.language ? `unknown language "${opts.language}"; use one of ${CATALOG.map((s) => s.id).join(', ')}` : `cannot tell the language of ${opts.file} from "${ext}"; pass --language`);
  }
  const source = fs.readFileSync(opts.file);
  // Logs go to stderr here: stdout belongs to the program.
  const log = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }, pino.destination(2));
  const runtime = await createJudgeRuntime({ ...config, slots: 1 }, log, [spec]);
  try {
    if (!runtime.languages.has(spec.id)) {
      const why = runtime.languages.unavailable.find((u) => u.id === spec.id)?.reason ?? 'unknown reason';
      throw new VerdictError('language_unavailable', `${spec.name} is not available here: ${why}`);
    }
    const result = await runtime.judge.judge({
      languageId: spec.id,
      files: [{ name: spec.mainFileName(source.toString('utf8')), content: source }],
      stdin: opts.stdin,
      args: opts.args,
      compileOptions: [],
      expectedOutput: null,
      limits: resolveLimits(undefined, config.runLimits),
    });
    if (result.compileOutput.length > 0) process.stderr.write(result.compileOutput);
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    const detail = result.verdictDetail ? ` (${result.verdictDetail})` : '';
    process.stderr.write(
      `\nverdict: ${result.verdict}${detail}  cpu ${result.cpuTimeMs ?? '-'} ms  wall ${result.wallTimeMs ?? '-'} ms  memory ${result.memoryKb ?? '-'} KiB` +
        `${result.message ? `\n${result.message}` : ''}\n`,
    );
    if (result.verdict === 'accepted') return 0;
    return result.exitCode !== null && result.exitCode !== 0 ? result.exitCode : 1;
  } finally {
    await runtime.close();
  }
}
