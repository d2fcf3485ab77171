#!/usr/bin/env node
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { OPTIONS, loadConfig, type Config } from '../config/index.js';
import { VerdictError } from '../errors.js';
import { createLogger } from '../log/logger.js';
import { startApi } from './api.js';
import { runUntilSignal } from './lifecycle.js';
import { startRelay } from './relay.js';
import { runOnce } from './run.js';
import { startWorker } from './worker.js';
import { startStandalone } from './standalone.js';

const USAGE = `Usage:
  verdict serve [options]                 run the standalone service (API, queue, workers)
  verdict api [options]                   an API replica of the distributed mode (PostgreSQL)
  verdict worker [options]                a worker of the distributed mode (Kafka, PostgreSQL, sandbox)
  verdict relay [options]                 the change-data-capture relay (PostgreSQL to Kafka) and sweeper
  verdict run FILE [--language ID] [--stdin TEXT | --stdin-file PATH] [--arg A]... [options]
                                          run one program in the sandbox and print its output
  verdict help                            this text and every option

Every option also has an environment variable; see docs/configuration.md.`;

function version(): string {
  const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../package.json');
  return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
}

function help(): string {
  const rows = OPTIONS.map((o) => `  ${`${o.flag} (${o.env})`.padEnd(58)} ${o.doc} [default: ${o.optional ? 'unset' : o.default}]`);
  return `${USAGE}\n\nOptions:\n  --config FILE${' '.repeat(46)}JSON file of settings (VERDICT_CONFIG)\n${rows.join('\n')}`;
}

async function main(argv: string[]): Promise<number> {
  const flagOptions = Object.fromEntries(OPTIONS.map((o) => [o.flag.slice(2), { type: 'string' as const }]));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...flagOptions,
      config: { type: 'string' },
      language: { type: 'string', short: 'l' },
      stdin: { type: 'string' },
      'stdin-file': { type: 'string' },
      arg: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0] ?? 'help';
  if (values.help || command === 'help') {
    process.stdout.write(`${help()}\n`);
    return 0;
  }
  const config: Config = loadConfig({
    env: process.env,
    flags: values as Record<string, string | boolean | undefined>,
    file: (values.config as string | undefined) ?? process.env.VERDICT_CONFIG,
  });
  if (command === 'serve') return serve(config);
  if (command === 'api' || command === 'worker' || command === 'relay') {
    const log = createLogger(config.logLevel).child({ process: command, replica: config.replicaName });
    const start = { api: startApi, worker: startWorker, relay: startRelay }[command];
    return runUntilSignal(log, await start(config, log, version()));
  }
  if (command === 'run') {
    const file = positionals[1];
    if (!file) throw new VerdictError('usage', 'verdict run needs a FILE to run');
    const stdin = values['stdin-file'] ? fs.readFileSync(values['stdin-file'] as string) : Buffer.from((values.stdin as string | undefined) ?? '');
    return runOnce(config, { file, language: values.language as string | undefined, stdin, args: (values.arg as string[] | undefined) ?? [] });
  }
  throw new VerdictError('usage', `unknown command "${command}"\n\n${USAGE}`);
}

async function serve(config: Config): Promise<number> {
  const log = createLogger(config.logLevel);
  return runUntilSignal(log, await startStandalone(config, log, version()));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Expected failures print their message only; a stack trace helps nobody fix a setting.
    if (err instanceof VerdictError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`verdict: ${(err as Error).message}\n`);
    } else {
      process.stderr.write(`verdict: unexpected failure: ${(err as Error).stack ?? String(err)}\n`);
    }
    process.exitCode = 2;
  },
);
